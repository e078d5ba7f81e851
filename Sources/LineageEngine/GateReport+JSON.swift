import LineageCore
import LineageStore

extension GateReport {
    /// The `gate --json` shape: `{"passed", "model", "target", "checks": [{"check", "passed", "message"}]}`.
    public func json(target: String) -> JSONValue {
        .object(JSONObject([
            ("passed", .bool(passed)), ("model", model.map { .string($0.id.description) } ?? .null),
            ("target", .string(target)),
            ("checks", .array(checks.map { check in
                .object(JSONObject([("check", .string(check.name)), ("passed", .bool(check.passed)), ("message", .string(check.message))]))
            })),
        ]))
    }
}

extension Store {
    /// Gates the model a reference names (`model:fraud@3`, an id).
    public func gate(reference: String, policy: Policy, now: Int64) throws -> GateReport {
        let entry: IndexedRecord
        do {
            entry = try resolve(reference)
        } catch let error as LineageError where error.kind == .notFound && !reference.contains(":") {
            // Not a reference form (model:NAME@N, an id): most likely a model file that is not there.
            throw LineageError.input("\(Names.printable(reference)) is neither a file nor a record of this store; give the model file's path or a reference like model:fraud@3")
        }
        guard entry.kind == .model else {
            throw LineageError.input("\(Names.printable(reference)) is a \(entry.kind), not a model file or model")
        }
        return try gate(entry, policy: policy, now: now)
    }
}
