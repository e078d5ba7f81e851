import LineageCore
import LineageStore

extension PullReport {
    /// The `pull --json` and `clone --json` shape: `{"remote", "url", "origin", "sizeBefore", "size",
    /// "batches", "newKeys": [KEY], "cosigned", "firstKey"?: {"key", "fingerprint", "pinned"}, "checkpoint", "atRemote",
    /// "origins": [the same for each other origin's log pulled with it]}`.
    public var json: JSONValue {
        var object = JSONObject([
            ("remote", .string(remote.name)), ("url", .string(remote.url)), ("origin", .string(origin)),
            ("sizeBefore", .number(Double(sizeBefore))), ("size", .number(Double(size))), ("batches", .number(Double(batches))),
            ("newKeys", .array(newKeys.map { .string($0.text) })), ("cosigned", .number(Double(cosigned))),
        ])
        if let firstKey {
            object["firstKey"] = .object(JSONObject([("key", .string(firstKey.key.text)), ("fingerprint", .string(firstKey.key.fingerprint)),
                                                     ("pinned", .bool(firstKey.pinned))]))
        }
        object["checkpoint"] = checkpoint.map(JSONValue.string) ?? .null
        object["atRemote"] = .bool(atRemote)
        object["origins"] = .array(others.map(\.json))
        return .object(object)
    }
}

extension PushReport {
    /// The `push --json` shape: `{"remote", "url", "origin", "remoteSizeBefore", "size", "pushed"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("remote", .string(remote.name)), ("url", .string(remote.url)), ("origin", .string(origin)),
            ("remoteSizeBefore", remoteSizeBefore.map { .number(Double($0)) } ?? .null), ("size", .number(Double(size))),
            ("pushed", .bool(pushed)),
        ]))
    }
}

extension Remote {
    /// The `remote list --json` element: `{"name", "url"}`.
    public var json: JSONValue { .object(JSONObject([("name", .string(name)), ("url", .string(url))])) }
}

extension WitnessEntry {
    /// The `witness list --json` element: `{"name", "url", "key"}`.
    public var json: JSONValue { .object(JSONObject([("name", .string(name)), ("url", .string(url)), ("key", .string(key.text))])) }
}
