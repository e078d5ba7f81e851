import Foundation
import GitStore
import LineageCore

extension Store {
    /// Brings the index up to the log head: indexes batches it has not seen, and rebuilds it from
    /// scratch when the log no longer extends what it indexed. Takes the store lock to do so unless
    /// the caller already holds it.
    func syncIndex(holdingLock: Bool = false, progress: ((Int64) -> Void)? = nil) throws {
        do {
            try syncIndexOnce(holdingLock: holdingLock, progress: progress)
        } catch where Index.isDamage(error) {
            // The index is derived data: a damaged file is replaced and built again from the log.
            let lock = holdingLock ? nil : try WriteLock(path: path + "/lock")
            defer { withExtendedLifetime(lock) {} }
            notice("the index file is damaged (\(error)); rebuilding it from the log")
            try replaceIndexFile()
            try syncIndexOnce(holdingLock: true, progress: progress)
        }
    }

    private func syncIndexOnce(holdingLock: Bool, progress: ((Int64) -> Void)?) throws {
        if try head() == index.indexedHead() { return }
        if index.readOnly {
            throw LineageError.storage("the index is behind the log and this store is read-only for you; ask its owner to run any lineage command, or read a copy of the store")
        }
        let lock = holdingLock ? nil : try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let logHead = try head()
        let indexed = try index.indexedHead()
        if logHead == indexed { return }
        var chain: [CommitInfo] = []
        var cursor = logHead
        var seen = Set<ObjectID>()
        do {
            while let id = cursor, id != indexed {
                guard seen.insert(id).inserted else { throw Store.cycle(at: id) }
                let commit = try repository.readCommit(id)
                chain.append(commit)
                cursor = commit.parents.first
            }
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.wrap(error, context: "cannot read the log")
        }
        // Each batch's records are parsed on another thread while the one before is written to the index.
        func indexChain() throws {
            var number = try index.batchCount(), firstSeq = try index.recordCount()
            var previous: LoadedBatch?
            for commit in chain.reversed() {
                let loaded = try loadBatch(commit, number: number, firstSeq: firstSeq)
                number += 1
                firstSeq += loaded.count
                if let previous {
                    try indexLoaded(previous)
                    progress?(previous.firstSeq + previous.count)
                }
                previous = loaded
            }
            if let previous {
                try indexLoaded(previous)
                progress?(previous.firstSeq + previous.count)
            }
        }
        guard cursor == nil else {
            try indexChain()
            return
        }
        // From scratch: keys are inserted sorted at the end, and the index gets its head only then.
        try index.prepareForBulkWrites()
        try index.clear()
        try index.beginRebuild()
        do {
            try indexChain()
            try index.finishRebuild(head: logHead)
        } catch {
            try? index.finishRebuild(head: nil)
            throw error
        }
    }

    /// Brings the index up to date with the log, for a store kept open while others may write.
    public func syncIndexWithLog() throws {
        try syncIndex()
        try checkHistory()
    }

    /// Rebuilds the index from the log and checks the log against the remembered checkpoint (see
    /// `checkHistory`); with `acceptingRewrite` (an actor), a log that does not extend it is accepted
    /// and the acceptance recorded. Returns the number of records indexed, and the acceptance line.
    @discardableResult
    public func reindex(acceptingRewrite actor: String? = nil, progress: ((Int64) -> Void)? = nil) throws -> (records: Int64, accepted: String?) {
        let lock = try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        try removeStaleLeftovers()
        try rebuildIndex(progress: progress)
        // The monitoring columns are derived from the log too: read again from it when next needed.
        try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent("columns"))
        var accepted: String?
        if let actor { accepted = try acceptRewrite(actor: actor) } else { try checkHistory(holdingLock: true) }
        return (try index.recordCount(), accepted)
    }

    /// Empties the index and indexes the whole log again, whatever the index file holds: a file
    /// SQLite finds damaged is replaced by a new one. The caller holds the write lock.
    func rebuildIndex(progress: ((Int64) -> Void)? = nil) throws {
        do {
            try index.clear()
        } catch where Index.isDamage(error) {
            notice("the index file is damaged (\(error)); replacing it")
            try replaceIndexFile()
        } catch {
            throw LineageError.wrap(error, context: "cannot empty the index for a rebuild")
        }
        try syncIndex(holdingLock: true, progress: progress)
    }

    /// The error for a log whose first-parent walk comes back to a commit it already passed.
    static func cycle(at commit: ObjectID) -> LineageError {
        LineageError.storage("the log is damaged: commit \(commit.hex.prefix(12)) is reached twice walking back from the head (a commit cannot be its own ancestor); run `lineage verify` and restore the store from a copy")
    }

    /// A batch read from git whose records are being parsed on another thread.
    private struct LoadedBatch {
        let commit: CommitInfo
        let number: Int64
        let firstSeq: Int64
        let parts: [(ObjectID, Segment.Part)]
        let parsing: ParallelParse.Task
        var count: Int64 { Int64(parts.reduce(0) { $0 + $1.1.ranges.count }) }
    }

    /// Reads a batch's segments and starts parsing them.
    private func loadBatch(_ commit: CommitInfo, number: Int64, firstSeq: Int64) throws -> LoadedBatch {
        let parts: [(ObjectID, Segment.Part)]
        do {
            parts = try Segment.read(tree: try repository.readTree(commit.tree), firstSeq: UInt64(firstSeq)) { try repository.readBlob($0) }
        } catch let error as Segment.LayoutError {
            throw LineageError.storage("batch \(number) (commit \(commit.id.hex.prefix(12))) is malformed: \(error); run `lineage verify`")
        } catch {
            throw LineageError.wrap(error, context: "cannot read batch \(number)")
        }
        return LoadedBatch(commit: commit, number: number, firstSeq: firstSeq, parts: parts,
                           parsing: ParallelParse.Task(parts.map(\.1), firstSeq: firstSeq))
    }

    /// Adds a loaded batch to the index once its records are parsed.
    private func indexLoaded(_ batch: LoadedBatch) throws {
        let parsed: ParallelParse.Parsed
        do {
            parsed = try batch.parsing.result()
        } catch {
            throw LineageError.storage("batch \(batch.number) (commit \(batch.commit.id.hex.prefix(12))) holds an unreadable record: \(error.error); run `lineage verify`")
        }
        // Only deployments need a lookup for their index name (their model's name).
        let transaction = WriteTransaction(store: self)
        var rows = parsed.rows
        for (i, record) in parsed.upstream {
            try transaction.remember(record)
            if record.kind == .deployment { rows[i] = IndexRow(record, seq: rows[i].seq, name: try transaction.indexName(of: record)) }
        }
        let info = BatchInfo(number: batch.number, commit: batch.commit.id, segment: batch.parts[0].0, firstSeq: batch.firstSeq,
                             count: Int64(rows.count))
        let (range, nodes) = try extendedRange(by: parsed.leaves)
        try addToIndex(batch: info, parts: batch.parts, rows: rows, range: range, nodes: nodes)
        // An erasure that landed without its payloads destroyed (the writer was killed or could not
        // write, or it came from elsewhere) is made true now; a store this user may only read is left
        // as it is (`verify` counts those payloads as awaiting erasure).
        _ = try? applyErasures(parsed.upstream.map(\.1).filter { $0.kind == .erasure })
    }

    /// Adds an appended batch to the index: its records, and the log's compact range after it with
    /// the Merkle nodes it completed.
    func addToIndex(batch: BatchInfo, parts: [(ObjectID, Segment.Part)], records: [Record], transaction: WriteTransaction,
                    range: CompactRange, nodes: [(Int, UInt64, [UInt8])]) throws {
        let rows = try records.enumerated().map { i, record in
            IndexRow(record, seq: batch.firstSeq + Int64(i), name: try transaction.indexName(of: record))
        }
        // The payloads a landed erasure names are destroyed before the batch is indexed: if that
        // fails or the process dies first, the batch is still unindexed, and the next command that
        // indexes it destroys them (below, in `indexLoaded`).
        try applyErasures(records.filter { $0.kind == .erasure })
        try addToIndex(batch: batch, parts: parts, rows: rows, range: range, nodes: nodes)
    }

    /// The log's compact range once `leaves` are appended to what the index holds, with the Merkle
    /// nodes they complete that the index keeps.
    func extendedRange(by leaves: [[UInt8]]) throws -> (CompactRange, [(Int, UInt64, [UInt8])]) {
        var range = try index.compactRange()
        var nodes: [(Int, UInt64, [UInt8])] = []
        for leaf in leaves {
            range.append(leaf) { level, index, hash in
                if level >= Index.storedNodeLevel { nodes.append((level, index, hash)) }
            }
        }
        return (range, nodes)
    }

    private func addToIndex(batch: BatchInfo, parts: [(ObjectID, Segment.Part)], rows: [IndexRow], range: CompactRange,
                            nodes: [(Int, UInt64, [UInt8])]) throws {
        do {
            let segments = parts.map { (firstSeq: $0.1.firstSeq, blob: $0.0, count: $0.1.ranges.count) }
            try index.add(batch: batch, segments: segments, rows: rows, head: batch.commit, range: range, nodes: nodes)
        } catch {
            throw LineageError.wrap(error, context: "cannot update the index (run `lineage reindex`)")
        }
    }
}

extension Store {
    /// Readies the index for many writes in a row (ingest, a session): a long WAL, emptied when the
    /// store is closed.
    public func prepareForBulkWrites() throws { try index.prepareForBulkWrites() }

    /// True once `prepareForBulkWrites` was called.
    public var isPreparedForBulkWrites: Bool { index.isPreparedForBulkWrites }

    /// The number of batches in the log, as indexed.
    public func batchCount() throws -> Int64 { try index.batchCount() }
}
