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
    private(set) var stagedPayloads: [CommittedPayload] = []

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
                throw LineageError.notFound("field '\(link.relation)' " + store.missingLinkAdvice(link.target.description))
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
        stagedPayloads.append(payload)
    }

    /// True if a prediction given again is `earlier`, already in the log: each given field (other
    /// than the payloads' commitment fields) equals the recorded one, and each payload is the one the
    /// record commits to (under the salt stored with it). Throws if a payload it committed to was
    /// erased: erased data is never taken again under the same prediction id.
    /// `payloads`: the commitments made as the record was given.
    public func isGivenAgain(_ earlier: IndexedRecord, record: Record, given: JSONObject, payloads: [CommittedPayload]) throws -> Bool {
        let payloadFields = Set(payloads.map(\.field))
        guard given.allSatisfy({ payloadFields.contains($0.key) || record[$0.key] == $0.value }) else { return false }
        for payload in payloads {
            guard let recorded = record[payload.field]?.stringValue.flatMap({ Digest($0) }) else { return false }
            switch store.payloadLookup(recorded, of: earlier) {
            case .stored(let salt, _):
                guard Commitment.commit(payload: payload.bytes, salt: salt) == recorded else { return false }
            case .erased:
                throw RecordError("prediction id \(Names.printable(record.predictionID ?? "")) is already recorded as \(record.id) and its \(payload.field) was erased: erased data is not taken again")
            case .absent, .damaged:
                return false
            }
        }
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
        // A record of another origin's log held here may be linked to as well.
        let found = try (store.index.record(id: id) ?? store.recordElsewhere(id: id)?.entry).map {
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
