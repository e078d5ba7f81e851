import GitStore
import LineageCore

extension Store {
    /// Brings the index up to the log head: indexes batches it has not seen, and rebuilds it from
    /// scratch when the log no longer extends what it indexed. Takes the store lock to do so unless
    /// the caller already holds it.
    func syncIndex(holdingLock: Bool = false) throws {
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
        if cursor == nil {
            try index.clear()
        }
        for commit in chain.reversed() {
            try indexBatch(commit)
        }
    }

    /// Rebuilds the index from the log; returns the number of records indexed.
    @discardableResult
    public func reindex() throws -> Int64 {
        let lock = try WriteLock(path: path + "/lock")
        defer { withExtendedLifetime(lock) {} }
        try index.clear()
        try syncIndex(holdingLock: true)
        return try index.recordCount()
    }

    private func indexBatch(_ commit: CommitInfo) throws {
        let number = try index.batchCount()
        let segmentID: ObjectID
        do {
            guard let entry = try repository.readTree(commit.tree).first(where: { $0.name == Segment.fileName }) else {
                throw LineageError.storage("batch commit \(commit.id) has no \(Segment.fileName); the log was altered")
            }
            segmentID = entry.id
        } catch {
            throw LineageError.wrap(error, context: "cannot read batch \(number)")
        }
        let bytes = try segmentBytes(segmentID)
        let ranges = Segment.ranges(of: bytes)
        let transaction = WriteTransaction(store: self)
        var records: [Record] = []
        for (offset, length) in ranges {
            let record: Record
            do {
                record = try Record(canonicalBytes: Array(bytes[offset..<(offset + length)]))
            } catch {
                throw LineageError.storage("batch \(number) (commit \(commit.id)) holds an unreadable record at byte \(offset): \(error)")
            }
            _ = try transaction.add(record)
            records.append(record)
        }
        let info = BatchInfo(number: number, commit: commit.id, segment: segmentID,
                             firstSeq: try index.recordCount(), count: Int64(records.count))
        try addToIndex(batch: info, records: records, ranges: ranges, transaction: transaction)
    }

    func addToIndex(batch: BatchInfo, records: [Record], ranges: [(Int, Int)], transaction: WriteTransaction) throws {
        var rows: [(IndexedRecord, [Record.Link], String?)] = []
        for (i, record) in records.enumerated() {
            let entry = IndexedRecord(
                seq: batch.firstSeq + Int64(i), id: record.id, kind: record.kind,
                name: try transaction.indexName(of: record), version: record.version,
                timeMilliseconds: record.timeMilliseconds, batch: batch.number,
                offset: ranges[i].0, length: ranges[i].1,
                digest: record["digest"]?.stringValue.flatMap { Digest($0) })
            rows.append((entry, record.links, record.predictionID))
        }
        var range = try index.compactRange()
        var nodes: [(Int, UInt64, [UInt8])] = []
        for record in records {
            range.append(Merkle.leafHash(record.canonicalBytes)) { level, index, hash in
                if level >= Index.storedNodeLevel { nodes.append((level, index, hash)) }
            }
        }
        do {
            try index.add(batch: batch, records: rows, head: batch.commit, range: range, nodes: nodes)
        } catch {
            throw LineageError.wrap(error, context: "cannot update the index (run `lineage reindex`)")
        }
    }
}
