import LineageCore
import LineageStore

extension PayloadState {
    /// Adds a record's payload states to its JSON object (`show --json`, a `trace --json` node):
    /// `"payloads": {FIELD: "stored" | "erased" | "missing" | "damaged"}`, and for erased ones
    /// `"erasures": {FIELD: {"record", "time", "actor", "reason", "policy"?}}`.
    public static func add(_ states: [String: PayloadState], to object: inout JSONObject) {
        guard !states.isEmpty else { return }
        let fields = states.keys.sorted()
        object["payloads"] = .object(JSONObject(fields.map { ($0, JSONValue.string(states[$0]!.name)) }))
        let erasures: [(String, JSONValue)] = fields.compactMap { field in
            guard case .erased(let erasure) = states[field] else { return nil }
            var members: [(String, JSONValue)] = [("record", .string(erasure.record.description)), ("time", .string(erasure.time)),
                                                  ("actor", .string(erasure.actor)), ("reason", .string(erasure.reason))]
            if let policy = erasure.policy { members.append(("policy", .string(policy))) }
            return (field, .object(JSONObject(members)))
        }
        if !erasures.isEmpty { object["erasures"] = .object(JSONObject(erasures)) }
    }
}
