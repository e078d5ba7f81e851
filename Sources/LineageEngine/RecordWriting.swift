import Foundation
import LineageCore
import LineageStore

/// What writing one record did.
public struct WriteResult: Sendable {
    public let id: Digest
    public let kind: RecordKind
    /// The name to type back (`model:fraud@2`), when the record is in the index.
    public let reference: String?
    /// True when the record was already in the store: nothing was written.
    public let existing: Bool
    /// Other versions that hold the same bytes (a re-run that reproduced an artifact exactly).
    public let sameBytesAs: [String]

    /// The `record … --json` shape: `{"id", "kind", "ref", "existing", "sameBytesAs"?}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id.description)
        object["kind"] = .string(kind.rawValue)
        object["ref"] = reference.map(JSONValue.string) ?? .null
        object["existing"] = .bool(existing)
        if !sameBytesAs.isEmpty { object["sameBytesAs"] = .array(sameBytesAs.map(JSONValue.string)) }
        return .object(object)
    }
}

extension Store {
    /// Writes one record of `kind` from `fields` as its own batch: link references resolved, raw
    /// `payloads` (field, bytes) committed to and kept in the payload store, versions and
    /// supersession filled in; a prediction's `subject` is replaced by its keyed hash. The same
    /// prediction given again (its time and actor left to default) writes nothing.
    public func writeRecord(_ kind: RecordKind, fields given: JSONObject, payloads: [(field: String, bytes: [UInt8])] = [],
                            actor: String) throws -> WriteResult {
        var fields = given
        try LinkResolver.resolve(&fields, kind: kind, in: self)
        if kind == .prediction || kind == .hold, let subject = fields["subject"]?.stringValue {
            fields["subject"] = .string(try subjectHasher().keyed(subject))
        }
        let committed = payloads.map { CommittedPayload(field: $0.field, bytes: $0.bytes) }
        for payload in committed { fields[payload.field] = .string(payload.commitment.description) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (outcome, appended) = try write(actor: actor) { transaction -> WriteTransaction.Outcome in
            if kind == .prediction, let pid = fields["predictionId"]?.stringValue, let found = try lookups.prediction(id: pid) {
                let earlier = try read(found)
                if try transaction.isGivenAgain(found, record: earlier, given: fields, payloads: committed) { return .existing(earlier.id) }
            }
            for payload in committed { transaction.stagePayload(payload) }
            return try transaction.register(kind, fields: fields, timeMilliseconds: now, actor: actor)
        }
        // A new record is the only one of its batch: found by log position rather than by id.
        let landed = try appended.batch.flatMap { try lookups.record(seq: $0.firstSeq) }
        let entry = try landed?.id == outcome.id ? landed : lookups.record(id: outcome.id)
        let existing = if case .existing = outcome { true } else { false }
        let sameBytes = try existing ? [] : entry.map(sameBytes) ?? []
        return WriteResult(id: outcome.id, kind: entry?.kind ?? kind, reference: entry.map(RecordLabel.reference),
                           existing: existing, sameBytesAs: sameBytes.map(RecordLabel.reference))
    }
}
