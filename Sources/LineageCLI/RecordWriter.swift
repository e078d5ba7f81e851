import Foundation
import LineageCore
import LineageStore

/// Writes one record built from a command's flags and prints its id and label.
struct RecordWriter {
    let options: WriteOptions
    let storeOptions: StoreOptions

    /// A payload to keep in the erasable payload store, committed to in `field`.
    struct Payload {
        let field: String
        let bytes: [UInt8]
    }

    /// Adds the record, its payloads and the common options; prints the outcome.
    func write(_ kind: RecordKind, fields given: JSONObject, payloads: [Payload] = []) throws {
        let store = try storeOptions.open()
        var fields = given
        if !options.tags.isEmpty {
            let tags = try FieldInput.pairs(options.tags, flag: "--tag")
            fields["tags"] = .object(JSONObject(tags.members.map { ($0.key, JSONValue.string(Self.text($0.value))) }))
        }
        if let time = options.time { fields["time"] = .string(time) }
        try FieldInput.resolveLinks(&fields, kind: kind, store: store)
        var staged: [(Digest, [UInt8], [UInt8])] = []
        let salter = payloads.isEmpty ? nil : try store.payloadSalter()
        for payload in payloads {
            let salt = salter!.salt(field: payload.field, recordKey: fields["predictionId"]?.stringValue ?? "", payload: payload.bytes)
            let commitment = Commitment.commit(payload: payload.bytes, salt: salt)
            fields[payload.field] = .string(commitment.description)
            staged.append((commitment, salt, payload.bytes))
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (outcome, appended) = try store.write(actor: options.resolvedActor) { transaction -> WriteTransaction.Outcome in
            // The same prediction given again (its time and actor left to default): nothing new is
            // written, and a payload its record commits to but the payload store lost is restored.
            if kind == .prediction, let pid = fields["predictionId"]?.stringValue, let found = try store.index.prediction(id: pid) {
                let earlier = try store.read(found)
                let given = zip(payloads, staged).map { ($0.field, $1.0, $1.1, $1.2) }
                if transaction.isGivenAgain(earlier, given: fields, payloads: given) { return .existing(earlier.id) }
            }
            for (commitment, salt, bytes) in staged {
                transaction.stagePayload(bytes, salt: salt, commitment: commitment)
            }
            return try transaction.register(kind, fields: fields, timeMilliseconds: now, actor: options.resolvedActor)
        }
        // A new record is the only one of its batch: found by log position rather than by id.
        let landed = try appended.batch.flatMap { try store.index.record(seq: $0.firstSeq) }
        let entry = try landed?.id == outcome.id ? landed : store.index.record(id: outcome.id)
        let existing = if case .existing = outcome { true } else { false }
        let sameBytes = try existing ? [] : entry.map(store.sameBytes) ?? []
        if options.json {
            var object = JSONObject()
            object["id"] = .string(outcome.id.description)
            object["kind"] = .string(entry?.kind.rawValue ?? kind.rawValue)
            object["ref"] = entry.map { .string(RecordLabel.reference($0)) } ?? .null
            object["existing"] = .bool(existing)
            if !sameBytes.isEmpty { object["sameBytesAs"] = .array(sameBytes.map { .string(RecordLabel.reference($0)) }) }
            print(JSONValue.object(object).canonicalString)
        } else {
            let reference = entry.map(RecordLabel.reference) ?? kind.rawValue
            print("\(outcome.id)  \(reference)" + (existing ? "  (already recorded)" : "")
                  + (sameBytes.isEmpty ? "" : "  (the same bytes as \(sameBytes.map(RecordLabel.reference).joined(separator: ", ")), recorded again with its new producer)"))
        }
    }

    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.canonicalString
    }
}
