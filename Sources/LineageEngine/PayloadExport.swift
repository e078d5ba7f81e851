import LineageCore
import LineageStore

extension Store {
    /// The payload that `record`'s `field` commits to, with its salt, for someone outside the store
    /// to check (`lineage payload export`). Fails when the field holds no commitment or the payload
    /// is not stored; a payload that no longer matches its commitment is refused, never handed out.
    public func exportPayload(of entry: IndexedRecord, field: String) throws -> PayloadEvidence {
        let record = try read(entry)
        let committed = record.commitments
        guard let commitment = committed.first(where: { $0.field == field })?.digest else {
            let fields = committed.map(\.field)
            throw LineageError.input("\(RecordLabel.reference(entry)) holds no payload commitment in \(Names.printable(field))"
                + (fields.isEmpty ? "" : "; it has: \(fields.joined(separator: ", "))"))
        }
        let salt: [UInt8], bytes: [UInt8]
        switch payloadStates(of: entry, record: record)[field] {
        case .erased(let erasure):
            throw LineageError.notFound("the \(field) payload of \(RecordLabel.reference(entry)) was erased on \(erasure.time) by \(erasure.actor): \(erasure.reason)")
        case .damaged(let reason):
            throw LineageError(.verdict, "the stored \(field) payload of \(RecordLabel.reference(entry)) cannot be handed out: \(reason)")
        default:
            guard case .stored(let s, let b) = payloadLookup(commitment, of: entry) else {
                throw LineageError.notFound("the \(field) payload of \(RecordLabel.reference(entry)) is not in the payload store (given only as a commitment, or lost)")
            }
            (salt, bytes) = (s, b)
        }
        let evidence = PayloadEvidence(record: record.id, field: field, commitment: commitment, salt: salt, payload: bytes)
        do { try evidence.check(against: record) } catch {
            throw LineageError(.verdict, "the stored \(field) payload of \(RecordLabel.reference(entry)) does not match the commitment in the log: \(error.message)")
        }
        return evidence
    }
}
