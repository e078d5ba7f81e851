import Foundation
import LineageCore
import LineageStore

extension VerifyReport {
    /// The Merkle root, base64 as in checkpoints.
    public var rootBase64: String { Data(root).base64EncodedString() }

    /// The `verify --json` shape: `{"ok": true, "origin", "records", "batches", "root",
    /// "checkpointSignatures", "commitSignatures", "indexedRecords", "extendsCheckpointOfSize",
    /// "payloads": {"stored", "erased", "awaitingErasure", "orphanPacks"}, "foreignLinks", "unresolvedLinks": [ID]}`
    /// (`verify --json` adds "origins": [the same for each other origin's log held here]).
    public func json(origin: String) -> JSONValue {
        var object = JSONObject()
        object["ok"] = .bool(true)
        object["origin"] = .string(origin)
        object["records"] = .number(Double(records))
        object["batches"] = .number(Double(batches))
        object["root"] = .string(rootBase64)
        object["checkpointSignatures"] = .number(Double(checkpointSignatures))
        object["commitSignatures"] = .number(Double(commitSignatures))
        object["indexedRecords"] = .number(Double(indexedRecords))
        object["extendsCheckpointOfSize"] = extendsCheckpointOfSize.map { .number(Double($0)) } ?? .null
        object["payloads"] = .object(JSONObject([("stored", .number(Double(payloadsStored))), ("erased", .number(Double(payloadsErased))),
                                                 ("awaitingErasure", .number(Double(payloadsAwaitingErasure))),
                                                 ("orphanPacks", .number(Double(orphanPacks)))]))
        object["foreignLinks"] = .number(Double(foreignLinks))
        object["unresolvedLinks"] = .array(unresolvedLinks.map { .string($0.description) })
        return .object(object)
    }
}
