import GitStore
import LineageCore

/// What the log itself says about its end, read from the head commit's trailers and signed
/// checkpoint: the facts a writer builds the next batch on. The index is derived data and may be
/// damaged; these come from the log, which is the source of truth.
struct LogTip: Equatable {
    /// The head commit, nil for an empty log.
    let commit: ObjectID?
    /// The number of batches in the log (the next batch's number).
    let batches: Int64
    /// The number of records in the log (the next record's position).
    let size: UInt64
    /// The Merkle root over those records, as the head's checkpoint states it.
    let root: [UInt8]

    static let empty = LogTip(commit: nil, batches: 0, size: 0, root: Merkle.emptyRoot)
}

extension Store {
    /// The log's end as its head commit states it. Throws a storage error naming the head when its
    /// message does not state it consistently.
    func logTip() throws -> LogTip {
        guard let head = try head() else { return .empty }
        let commit: CommitInfo
        do { commit = try repository.readCommit(head) } catch { throw LineageError.wrap(error, context: "cannot read the log head") }
        let message = BatchMessage.parse(commit.message, origin: origin)
        guard let batch = message.batch, batch >= 0, let first = message.firstSeq, let last = message.lastSeq,
              first >= 0, last >= first, let note = message.checkpointNote,
              let signed = try? SignedNote(parsing: note), let checkpoint = try? Checkpoint(parsing: signed.text),
              checkpoint.origin == origin, checkpoint.size == UInt64(last) + 1 else {
            throw LineageError.storage("the log head \(head.hex.prefix(12)) does not state its batch number, record range and signed checkpoint consistently; nothing was written (run `lineage verify`)")
        }
        return LogTip(commit: head, batches: batch + 1, size: checkpoint.size, root: checkpoint.rootHash)
    }

    /// The same facts as the index holds them.
    func indexedTip() throws -> LogTip {
        let (range, records, batches, head) = try index.facts()
        // A missing or extra row makes the comparison fail whatever the log says.
        return LogTip(commit: head, batches: batches, size: UInt64(records) == range.size ? range.size : UInt64.max, root: range.root)
    }

    /// Makes sure the index agrees with the log before a batch is built on it: a writer takes the next
    /// position, batch number and Merkle state from the index, so an index that disagrees would make
    /// it sign a false checkpoint. One that disagrees is rebuilt from the log (said on stderr); one
    /// that still disagrees is refused. The caller holds the write lock.
    func ensureIndexAgrees(with tip: LogTip) throws {
        let indexed = try indexedTip()
        guard indexed != tip else { return }
        notice("the index disagreed with the log (index: \(Self.describe(indexed)); log: \(Self.describe(tip))); rebuilding it from the log")
        try rebuildIndex()
        let rebuilt = try indexedTip()
        guard rebuilt == tip else {
            throw LineageError.storage("the index still disagrees with the log after a rebuild (index: \(Self.describe(rebuilt)); log: \(Self.describe(tip))); nothing was written, run `lineage verify`")
        }
    }

    private static func describe(_ tip: LogTip) -> String {
        let size = tip.size == UInt64.max ? "rows missing or extra" : "\(tip.size) records"
        return "\(tip.batches) batches, \(size), head \(tip.commit.map { String($0.hex.prefix(12)) } ?? "none")"
    }
}
