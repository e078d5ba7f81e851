import Foundation
import GitStore
import LineageCore

/// Payloads copied between stores of one log (`lineage pull --payloads`, over the owner's server):
/// a batch's payload pack goes as it is kept, erased entries zeroed, and is installed only once
/// every entry is found to belong to that batch's records and to open to its commitment.
extension Store {
    /// The payload pack of the batch with commit `commit` (hex), as kept; nil when the batch holds
    /// no payload. Throws `notFound` for a commit that is not a batch of this log.
    public func payloadPack(batch commit: String) throws -> [UInt8]? {
        guard let id = ObjectID(hex: commit), try index.batchCommitIDs().contains(id) else {
            throw LineageError.notFound("\(Names.printable(commit)) is not a batch of this log")
        }
        return FileBytes.read(payloads.packFile(id.hex))
    }

    /// The batches of the log whose payload pack is not here (those that hold payloads, and those
    /// that hold none), oldest first.
    public func batchesWithoutPayloadPacks() throws -> [BatchInfo] {
        let packs = Set(payloads.packNames())
        return try (0..<index.batchCount()).compactMap { number in
            guard let batch = try index.batch(number), !packs.contains(batch.commit.hex) else { return nil }
            return batch
        }
    }

    /// Installs `bytes`, the payload pack of `batch` fetched from another store of this log, then
    /// erases in it what this store's log says is erased. Refused (nothing kept) when an entry
    /// names a commitment none of the batch's records makes, or does not open to its commitment.
    /// Returns how many payloads it holds readable, and how many were erased (there or here).
    public func importPayloadPack(_ bytes: [UInt8], batch: BatchInfo, from source: String) throws -> (stored: Int, erased: Int) {
        let lock = try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let name = batch.commit.hex
        guard FileBytes.read(payloads.packFile(name)) == nil else { return (0, 0) }
        var committed = Set<Digest>(), entries: [IndexedRecord] = []
        for seq in batch.firstSeq..<(batch.firstSeq + batch.count) {
            guard let entry = try index.record(seq: seq) else { continue }
            let record = try read(entry)
            if !record.commitments.isEmpty {
                committed.formUnion(record.commitments.map(\.digest))
                entries.append(entry)
            }
        }
        try payloads.installCopy(bytes, name: name)
        do {
            let (found, problem) = payloads.entries(of: name)
            if let problem { throw LineageError.storage(problem) }
            for (entry, lookup) in found {
                guard committed.contains(entry.commitment) else {
                    throw LineageError.storage("it holds \(entry.commitment.short), which no record of the batch commits to")
                }
                switch lookup {
                case .stored(let salt, let payload):
                    guard Commitment.commit(payload: payload, salt: salt) == entry.commitment else {
                        throw LineageError.storage("its payload for \(entry.commitment.short) does not open to that commitment")
                    }
                case .erased: break
                case .absent, .damaged: throw LineageError.storage("its entry for \(entry.commitment.short) cannot be read")
                }
            }
        } catch let error as LineageError {
            payloads.removePack(name)
            throw LineageError.storage("the payload pack of batch \(name.prefix(12)) from \(source) does not match the log (\(error.message)); nothing was kept")
        }
        // What this store's log erased stays erased, whatever the source still held.
        for entry in entries { _ = try payloads.shred(Set(try erasures(of: entry).keys), pack: name) }
        let kept = payloads.entries(of: name).entries
        let erased = kept.filter { $0.0.erased }.count
        return (kept.count - erased, erased)
    }
}
