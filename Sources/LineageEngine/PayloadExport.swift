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
        guard let stored = payload(commitment) else {
            throw LineageError.notFound("the \(field) payload of \(RecordLabel.reference(entry)) is not in the payload store (never given, lost or erased)")
        }
        let evidence = PayloadEvidence(record: record.id, field: field, commitment: commitment, salt: stored.salt, payload: stored.payload)
        do { try evidence.check(against: record) } catch {
            throw LineageError(.verdict, "the stored \(field) payload of \(RecordLabel.reference(entry)) does not match the commitment in the log: \(error.message)")
        }
        return evidence
    }
}
