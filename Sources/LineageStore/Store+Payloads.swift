import Foundation
import GitStore
import LineageCore

/// An erasure as its record states it.
public struct Erasure: Sendable, Equatable {
    /// The `erasure` record.
    public let record: Digest
    public let time: String
    public let actor: String
    public let reason: String
    public let policy: String?

    init(_ record: Record) {
        self.record = record.id
        time = record["time"]?.stringValue ?? "?"
        actor = record["actor"]?.stringValue ?? "?"
        reason = record["reason"]?.stringValue ?? ""
        policy = record["policy"]?.stringValue
    }
}

/// What the payload store holds for one committed field of a record.
public enum PayloadState: Sendable, Equatable {
    /// Stored, and it matches the commitment.
    case stored
    /// Erased, as the erasure record says.
    case erased(Erasure)
    /// Not stored: given only as a commitment, or lost.
    case missing
    /// Not in this store, a copy of another store's log: payloads stay with the log's owner.
    case notCopied
    /// Stored but not readable, or not matching its commitment: the reason says why.
    case damaged(String)

    /// `stored`, `erased`, `missing`, `not-copied` or `damaged`.
    public var name: String {
        switch self {
        case .stored: "stored"
        case .erased: "erased"
        case .missing: "missing"
        case .notCopied: "not-copied"
        case .damaged: "damaged"
        }
    }
}

extension Store {
    /// The name of the payload pack of the batch holding `entry` (its commit in hex).
    func packName(of entry: IndexedRecord) -> String? { (try? index.batch(containing: entry.seq))?.commit.hex }

    /// What the payload store holds for `commitment`, a field of the record `entry`.
    public func payloadLookup(_ commitment: Digest, of entry: IndexedRecord) -> PayloadLookup {
        payloads.lookup(commitment, pack: packName(of: entry))
    }

    /// The batches whose payload pack still holds a payload not erased, oldest first: where
    /// retention looks, instead of reading every record.
    public func batchesWithStoredPayloads() throws -> [BatchInfo] {
        guard FileManager.default.fileExists(atPath: payloads.packsDirectory) else { return [] }
        let packs = Set(payloads.packNames())
        return try (0..<index.batchCount()).compactMap { number in
            guard let batch = try index.batch(number), packs.contains(batch.commit.hex),
                  payloads.holdsStoredPayloads(batch.commit.hex) else { return nil }
            return batch
        }
    }

    /// The erasures recorded for the payloads of `entry`, by commitment.
    public func erasures(of entry: IndexedRecord) throws -> [Digest: Erasure] {
        var found: [Digest: Erasure] = [:]
        for dependent in try index.dependents(of: entry.seq) where dependent.record.kind == .erasure {
            let record = try read(dependent.record)
            for commitment in record.erasedCommitments where found[commitment] == nil { found[commitment] = Erasure(record) }
        }
        return found
    }

    /// The state of each committed payload of `record` (at `entry`), by field.
    public func payloadStates(of entry: IndexedRecord, record: Record) -> [String: PayloadState] {
        let commitments = record.commitments
        guard !commitments.isEmpty else { return [:] }
        let erased = (try? erasures(of: entry)) ?? [:]
        var states: [String: PayloadState] = [:]
        for (field, commitment) in commitments {
            if let erasure = erased[commitment] {
                states[field] = .erased(erasure)
                continue
            }
            switch payloadLookup(commitment, of: entry) {
            case .stored(let salt, let payload):
                states[field] = Commitment.commit(payload: payload, salt: salt) == commitment
                    ? .stored : .damaged("the stored payload does not match the commitment in the log")
            case .erased: states[field] = .damaged("its key was destroyed, but no erasure record names it")
            case .absent: states[field] = copiedFrom == nil ? .missing : .notCopied
            case .damaged(let reason): states[field] = .damaged(reason)
            }
        }
        return states
    }

    /// Destroys the local payloads that `erasures` (erasure records) name: what makes an erasure
    /// recorded in the log true on disk, whether this store wrote it or it arrived later. Erasing
    /// again is harmless. Returns the number of payloads erased now.
    @discardableResult
    public func applyErasures(_ erasures: [Record]) throws -> Int {
        var erased = 0
        for erasure in erasures where erasure.kind == .erasure {
            let commitments = erasure.erasedCommitments
            var byPack: [String?: Set<Digest>] = [:]
            for link in erasure.links where link.relation == "records" {
                guard let entry = try index.record(id: link.target) else { continue }
                let record = try read(entry)
                let mine = Set(record.commitments.map(\.digest)).intersection(commitments)
                if !mine.isEmpty { byPack[packName(of: entry), default: []].formUnion(mine) }
            }
            for (pack, commitments) in byPack { erased += try payloads.shred(commitments, pack: pack).count }
        }
        return erased
    }

    /// Rewrites the payload packs that hold sealed bytes of erased payloads without them, under the
    /// store's write lock (`lineage payload compact`). Returns the packs rewritten and the bytes freed.
    public func compactPayloads() throws -> (packs: Int, bytes: Int) {
        let lock = try WriteLock(path: (path as NSString).appendingPathComponent("lock"))
        defer { withExtendedLifetime(lock) {} }
        try syncIndex(holdingLock: true)
        // Every commitment the log says is erased, so that none comes back readable even if an
        // erasure's own destruction of the key races this rewrite (it does not take the lock).
        var erased = Set<Digest>()
        try query(RecordQuery(kind: .erasure), readingRecords: true) { entry in
            erased.formUnion(try read(entry).erasedCommitments)
            return true
        }
        var packs = 0, bytes = 0
        for name in payloads.packNames() {
            let freed = try payloads.compact(name, erased: erased)
            if freed > 0 { (packs, bytes) = (packs + 1, bytes + freed) }
        }
        return (packs, bytes)
    }

    /// Removes payload packs of batches that never landed (a writer killed between writing the
    /// pack and moving the log ref, or refused at the ref): nothing may keep payloads without their
    /// records. Runs once per store object, under the write lock, after the index caught up with
    /// the log.
    func removeOrphanPacks() throws {
        guard !orphanPacksChecked else { return }
        orphanPacksChecked = true
        guard FileManager.default.fileExists(atPath: payloads.packsDirectory) else { return }
        let landed = Set(try index.batchCommitIDs().map(\.hex))
        _ = payloads.removeOrphans { landed.contains($0) }
    }
}

/// What `verify` learns of the payload store while it walks the log: payloads are checked batch
/// by batch, erasures are known only once the whole log is read.
struct PayloadAudit {
    var stored = 0
    /// Commitments whose key is destroyed, with the record that commits to them.
    var destroyed: [(commitment: Digest, record: String)] = []
    /// Commitments still readable.
    var readable: [Digest] = []
    /// Commitments the log's erasure records name.
    var erasedInLog = Set<Digest>()
}

extension Store {
    /// Checks the payload pack of a batch, if it has one, against the batch's records: every
    /// payload must belong to a record of the batch and match its commitment. Throws a verdict
    /// naming the record whose payload was altered.
    func auditPayloads(of commit: ObjectID, label: String, records: [Record], firstSeq: UInt64, into audit: inout PayloadAudit) throws {
        for record in records where record.kind == .erasure { audit.erasedInLog.formUnion(record.erasedCommitments) }
        let name = commit.hex
        guard FileManager.default.fileExists(atPath: payloads.packFile(name)) else { return }
        var owners: [Digest: (String, Int)] = [:]
        for (i, record) in records.enumerated() {
            for (field, commitment) in record.commitments { owners[commitment] = (field, i) }
        }
        let (entries, problem) = payloads.entries(of: name)
        if let problem { throw LineageError(.verdict, "\(label): \(problem): the payload store was altered or damaged") }
        for (entry, lookup) in entries {
            guard let (field, index) = owners[entry.commitment] else {
                throw LineageError(.verdict, "\(label): its payload pack holds a payload (commitment \(entry.commitment.short)) that no record of the batch commits to: the payload store was altered")
            }
            let record = records[index]
            let who = "the \(field) payload of \(record.predictionID.map { "prediction " + Names.printable($0) } ?? "record") \(record.id) (log position \(firstSeq + UInt64(index)))"
            switch lookup {
            case .stored(let salt, let payload):
                guard Commitment.commit(payload: payload, salt: salt) == entry.commitment else {
                    throw LineageError(.verdict, "\(who) does not match its commitment: the payload store was altered")
                }
                audit.stored += 1
                audit.readable.append(entry.commitment)
            case .erased:
                audit.destroyed.append((entry.commitment, who))
            case .damaged(let reason):
                throw LineageError(.verdict, "\(who): \(reason); the payload store was altered or damaged")
            case .absent:
                break
            }
        }
    }

    /// Completes the audit once the whole log is read: a destroyed payload must be named by an
    /// erasure record; readable ones that are named are counted as awaiting erasure.
    func finishPayloadAudit(_ audit: PayloadAudit, into report: inout VerifyReport) throws {
        for destroyed in audit.destroyed where !audit.erasedInLog.contains(destroyed.commitment) {
            throw LineageError(.verdict, "\(destroyed.record) was destroyed, but no erasure record names it: the payload store was altered")
        }
        let awaiting = audit.readable.filter { audit.erasedInLog.contains($0) }.count
        report.payloadsStored = audit.stored - awaiting
        report.payloadsAwaitingErasure = awaiting
        report.payloadsErased = audit.destroyed.count
        let landed = Set(try index.batchCommitIDs().map(\.hex))
        report.orphanPacks = payloads.packNames().filter { !landed.contains($0) }.count
    }
}
