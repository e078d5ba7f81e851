import GitStore
import LineageCore

/// Collects the records of one batch, checking each against the log and the batch so far.
/// The batch lands as one commit when the transaction's body returns, or not at all.
public final class WriteTransaction {
    /// What happened to a record given to `add`.
    public enum Outcome: Sendable, Equatable {
        /// New: it will land with this batch.
        case added(Digest)
        /// Already in the store (or earlier in this batch): nothing new is written.
        case existing(Digest)

        /// The record's id, either way.
        public var id: Digest {
            switch self {
            case .added(let id), .existing(let id): id
            }
        }
    }

    /// What a pending or stored record is known by.
    struct Known {
        let kind: RecordKind
        let name: String?
        let version: Int?
        let digest: Digest?
    }

    let store: Store
    private(set) var pending: [Record] = []
    /// The Merkle leaf hash of each pending record.
    private(set) var leaves: [[UInt8]] = []
    private var pendingByID: [Digest: Known] = [:]
    private var pendingPredictions: [String: Digest] = [:]
    /// Records already in the store that this batch links to, looked up once.
    private var storedCache: [Digest: Known] = [:]
    private(set) var stagedPayloads: [(Digest, [UInt8], [UInt8])] = []

    init(store: Store) { self.store = store }

    /// The records this transaction will append.
    public var records: [Record] { pending }

    /// Makes room for `count` records, for a caller that is about to add that many.
    public func reserveCapacity(_ count: Int) {
        pending.reserveCapacity(count)
        leaves.reserveCapacity(count)
        pendingByID.reserveCapacity(count)
        pendingPredictions.reserveCapacity(count)
    }

    /// Adds a record to the batch after checking its links, its prediction id and its version.
    /// `newPredictionID`: the caller already found the record's prediction id absent from the store.
    /// `leaf`: the record's Merkle leaf hash, if the caller computed it already.
    @discardableResult
    public func add(_ record: Record, newPredictionID: Bool = false, leaf: [UInt8]? = nil) throws -> Outcome {
        if let pid = record.predictionID {
            // A prediction's id covers its prediction id: a new prediction id means a new record.
            let existing = try pendingPredictions[pid] ?? (newPredictionID ? nil : store.index.predictionRecordID(pid))
            if existing == record.id { return .existing(record.id) }
            if let existing {
                throw LineageError.input("prediction id \(Names.printable(pid)) is already recorded as \(existing) with different content; prediction ids must be unique")
            }
        } else if try pendingByID[record.id] != nil || store.index.contains(id: record.id) {
            return .existing(record.id)
        }
        let schema = RecordSchema.of(record.kind)
        for link in record.links {
            guard let target = try known(link.target) else {
                throw LineageError.notFound("field '\(link.relation)' links to \(link.target), which is not in this store; record that first")
            }
            if case .link(let kinds)? = schema.field(link.relation)?.type, !kinds.contains(target.kind) {
                throw LineageError.input("field '\(link.relation)' must link to a \(kinds.map(\.rawValue).joined(separator: " or ")), but \(link.target) is a \(target.kind)")
            }
            if case .links(let kinds)? = schema.field(link.relation)?.type, !kinds.contains(target.kind) {
                throw LineageError.input("field '\(link.relation)' must link to \(kinds.map(\.rawValue).joined(separator: " or ")), but \(link.target) is a \(target.kind)")
            }
        }
        if let pid = record.predictionID { pendingPredictions[pid] = record.id }
        let name = try indexName(of: record)
        if let version = record.version, let name,
           let clash = try versions(kind: record.kind, name: name).first(where: { $0.version == version }) {
            throw LineageError.input("\(record.kind) \(name)@\(version) already exists as \(clash.id); versions are assigned in order, so omit 'version' or use the next one")
        }
        pending.append(record)
        leaves.append(leaf ?? Merkle.leafHash(record.canonicalBytes))
        pendingByID[record.id] = Known(kind: record.kind, name: name, version: record.version,
                                       digest: record.artifactDigest)
        return .added(record.id)
    }

    /// Notes a record already in the log (while indexing it) so later records of its batch can
    /// refer to it; nothing is checked.
    func remember(_ record: Record) throws {
        pendingByID[record.id] = Known(kind: record.kind, name: try indexName(of: record), version: record.version,
                                       digest: record.artifactDigest)
    }

    /// Keeps a payload to write to the payload store when the batch lands.
    public func stagePayload(_ payload: CommittedPayload) {
        stagedPayloads.append((payload.commitment, payload.salt, payload.bytes))
    }

    /// True if a prediction given again is `earlier`, already in the log: each given field (other
    /// than the payloads' commitment fields) equals the recorded one, and each payload is the one the
    /// record commits to. The payloads the store lost are then staged to be restored.
    /// `payloads`: the commitments made as the record was given.
    public func isGivenAgain(_ earlier: Record, given: JSONObject, payloads: [CommittedPayload]) -> Bool {
        let payloadFields = Set(payloads.map(\.field))
        guard given.allSatisfy({ payloadFields.contains($0.key) || earlier[$0.key] == $0.value }),
              payloads.allSatisfy({ payloadMatches($0.bytes, field: $0.field, commitment: $0.commitment, of: earlier) }) else { return false }
        for payload in payloads { restorePayload(payload.bytes, salt: payload.salt, commitment: payload.commitment, of: earlier) }
        return true
    }

    /// True if `payload`, given again for `field` of a record already in the log, is the one the
    /// record commits to: its commitment under the store's derived salt is the record's, or (for
    /// records made before salts were derived) the stored payload's salt commits it to the same.
    func payloadMatches(_ payload: [UInt8], field: String, commitment: Digest, of record: Record) -> Bool {
        guard let recorded = record[field]?.stringValue else { return false }
        if recorded == commitment.description { return true }
        guard let digest = Digest(recorded), let stored = store.payloads.read(digest) else { return false }
        return Commitment.commit(payload: payload, salt: stored.salt) == digest
    }

    /// Keeps a payload given again for a record already in the log, to write when the batch lands,
    /// if the record commits to it and the payload store lacks it (lost in a crash or on a full
    /// disk before payloads were written ahead of the log). Returns true if it will be restored.
    @discardableResult
    func restorePayload(_ payload: [UInt8], salt: [UInt8], commitment: Digest, of record: Record) -> Bool {
        guard Commitment.commit(payload: payload, salt: salt) == commitment,
              record.object.contains(where: { $0.value.stringValue == commitment.description }),
              !store.payloads.exists(commitment) else { return false }
        stagedPayloads.append((commitment, salt, payload))
        return true
    }

    /// Versions of a named record, newest first, from the store and this batch.
    public func versions(kind: RecordKind, name: String) throws -> [(id: Digest, version: Int?, digest: Digest?)] {
        let fromBatch = pending.reversed().compactMap { record -> (Digest, Int?, Digest?)? in
            guard let known = pendingByID[record.id], known.kind == kind, known.name == name else { return nil }
            return (record.id, known.version, known.digest)
        }
        let fromIndex = try store.index.records(kind: kind, name: name).map { ($0.id, $0.version, $0.digest) }
        return (fromBatch + fromIndex).sorted { ($0.1 ?? 0) > ($1.1 ?? 0) }
    }

    /// The newest record of `kind` called `name`, in this batch or the store, that `matches`
    /// accepts: how an import finds what an earlier import of the same content recorded.
    public func newest(_ kind: RecordKind, named name: String, where matches: (Record) throws -> Bool) throws -> Digest? {
        for record in pending.reversed() where record.kind == kind {
            if pendingByID[record.id]?.name == name, try matches(record) { return record.id }
        }
        for entry in try store.index.records(kind: kind, name: name).sorted(by: { $0.seq > $1.seq }) {
            if try matches(try store.read(entry)) { return entry.id }
        }
        return nil
    }

    /// The kind and name of a record in the store or in this batch.
    func known(_ id: Digest) throws -> Known? {
        if let known = pendingByID[id] ?? storedCache[id] { return known }
        let found = try store.index.record(id: id).map {
            Known(kind: $0.kind, name: $0.name, version: $0.version, digest: $0.digest)
        }
        storedCache[id] = found
        return found
    }

    /// The name the index keeps for a record: its own name, `model/environment` for deployments,
    /// the prediction id for predictions.
    func indexName(of record: Record) throws -> String? {
        try IndexRow.name(of: record) { try known($0)?.name }
    }
}
