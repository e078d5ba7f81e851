import GitStore
import LineageCore

extension Store {
    /// Brings the index up to the log head: indexes batches it has not seen, and rebuilds it from
    /// scratch when the log no longer extends what it indexed. Takes the store lock to do so unless
    /// the caller already holds it.
    func syncIndex(holdingLock: Bool = false, progress: ((Int64) -> Void)? = nil) throws {
        if try head() == index.indexedHead() { return }
        let lock = holdingLock ? nil : try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let logHead = try head()
        let indexed = try index.indexedHead()
        if logHead == indexed { return }
        var chain: [CommitInfo] = []
        var cursor = logHead
        do {
            while let id = cursor, id != indexed {
                let commit = try repository.readCommit(id)
                chain.append(commit)
                cursor = commit.parents.first
            }
        } catch {
            throw LineageError.wrap(error, context: "cannot read the log")
        }
        func indexChain() throws {
            for commit in chain.reversed() {
                try indexBatch(commit)
                try progress?(index.recordCount())
            }
        }
        guard cursor == nil else {
            try indexChain()
            return
        }
        // From scratch: keys are inserted sorted at the end, and the index gets its head only then.
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
    }

    /// Rebuilds the index from the log; returns the number of records indexed.
    @discardableResult
    public func reindex(progress: ((Int64) -> Void)? = nil) throws -> Int64 {
        let lock = try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        try index.clear()
        try syncIndex(holdingLock: true, progress: progress)
        return try index.recordCount()
    }

    private func indexBatch(_ commit: CommitInfo) throws {
        let number = try index.batchCount()
        let firstSeq = try index.recordCount()
        let parts: [(ObjectID, Segment.Part)]
        do {
            parts = try Segment.read(tree: try repository.readTree(commit.tree), firstSeq: UInt64(firstSeq), blob: segmentBytes)
        } catch let error as Segment.LayoutError {
            throw LineageError.storage("batch \(number) (commit \(commit.id.hex.prefix(12))) is malformed: \(error); run `lineage verify`")
        } catch {
            throw LineageError.wrap(error, context: "cannot read batch \(number)")
        }
        let transaction = WriteTransaction(store: self)
        let records: [Record]
        do {
            records = try ParallelParse.records(of: parts.map(\.1), validating: false)
        } catch {
            throw LineageError.storage("batch \(number) (commit \(commit.id.hex.prefix(12))) holds an unreadable record: \(error.error); run `lineage verify`")
        }
        for record in records { try transaction.remember(record) }
        let info = BatchInfo(number: number, commit: commit.id, segment: parts[0].0, firstSeq: firstSeq, count: Int64(records.count))
        try addToIndex(batch: info, parts: parts, records: records, transaction: transaction)
    }

    func addToIndex(batch: BatchInfo, parts: [(ObjectID, Segment.Part)], records: [Record], transaction: WriteTransaction) throws {
        var rows: [IndexRow] = []
        rows.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            rows.append(IndexRow(
                seq: batch.firstSeq + Int64(i), id: record.id, kind: record.kind,
                name: try transaction.indexName(of: record), version: record.version,
                timeMilliseconds: record.timeMilliseconds,
                digest: record["digest"]?.stringValue.flatMap { Digest($0) }, links: record.links))
        }
        var range = try index.compactRange()
        var nodes: [(Int, UInt64, [UInt8])] = []
        for record in records {
            range.append(Merkle.leafHash(record.canonicalBytes)) { level, index, hash in
                if level >= Index.storedNodeLevel { nodes.append((level, index, hash)) }
            }
        }
        do {
            let segments = parts.map { (firstSeq: $0.1.firstSeq, blob: $0.0, count: $0.1.ranges.count) }
            try index.add(batch: batch, segments: segments, rows: rows, head: batch.commit, range: range, nodes: nodes)
        } catch {
            throw LineageError.wrap(error, context: "cannot update the index (run `lineage reindex`)")
        }
    }
}
