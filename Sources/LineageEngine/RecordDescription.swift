import LineageCore
import LineageStore

/// Everything `show` says about one record: where it sits in the log, what uses it, how many
/// predictions a model or deployment served.
public struct RecordDescription {
    public let entry: IndexedRecord
    public let record: Record
    /// The batch that holds it (-1 if the index lacks it).
    public let batch: Int64
    /// Predictions linking to it (models and deployments only).
    public let predictions: Int64
    /// Records linking to it, and through which field.
    public let usedBy: [(relation: String, record: IndexedRecord)]
    /// What the payload store holds for each committed field.
    public let payloads: [String: PayloadState]

    /// The `show --json` shape: `{"id", "ref", "seq", "batch", "predictions"?, "record", "payloads"?, "erasures"?, "usedBy"}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(entry.id.description)
        object["ref"] = .string(RecordLabel.reference(entry))
        object["seq"] = .number(Double(entry.seq))
        object["batch"] = .number(Double(batch))
        if predictions > 0 { object["predictions"] = .number(Double(predictions)) }
        object["record"] = .object(record.object)
        PayloadState.add(payloads, to: &object)
        object["usedBy"] = .array(usedBy.map { dependent in
            .object(JSONObject([("id", .string(dependent.record.id.description)), ("relation", .string(dependent.relation)),
                                ("kind", .string(dependent.record.kind.rawValue))]))
        })
        return .object(object)
    }
}

extension Store {
    /// Describes the record `entry` names.
    public func describe(_ entry: IndexedRecord) throws -> RecordDescription {
        let record = try read(entry)
        return RecordDescription(
            entry: entry, record: record, batch: try lookups.batch(containing: entry.seq)?.number ?? -1,
            predictions: [.deployment, .model].contains(entry.kind) ? try lookups.count(linkingTo: entry.seq, kind: .prediction) : 0,
            usedBy: try lookups.dependents(of: entry.seq), payloads: payloadStates(of: entry, record: record))
    }
}
