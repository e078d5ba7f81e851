import LineageCore

/// The log's Merkle tree read through the index: stored nodes for large perfect subtrees,
/// records' bytes for small ones.
struct StoreTree: SubtreeHashes {
    let store: Store

    func hash(start: UInt64, size: UInt64) throws -> [UInt8] {
        let level = size.trailingZeroBitCount
        if level >= Index.storedNodeLevel, let node = try store.index.node(level: level, index: start >> UInt64(level)) {
            return node
        }
        if level < Index.storedNodeLevel {
            // The leaves of a small subtree lie in one segment (segments are cut at multiples of 256).
            let leaves = try (start..<(start + size)).map { Merkle.leafHash(try store.canonicalBytes(seq: Int64($0))) }
            return InMemoryTree(leaves: leaves).hash(start: 0, size: size)
        }
        return Merkle.nodeHash(try hash(start: start, size: size / 2), try hash(start: start + size / 2, size: size / 2))
    }
}

extension Store {
    /// An evidence bundle for `entry`: it and every upstream record, each with an inclusion proof
    /// against the latest signed checkpoint.
    public func prove(_ entry: IndexedRecord) throws -> EvidenceBundle {
        guard let note = try latestCheckpoint() else { throw LineageError.notFound("the log is empty") }
        let checkpoint = try LineageError.catching { try Checkpoint(parsing: SignedNote(parsing: note).text) }
        guard checkpoint.size == UInt64(try index.recordCount()) else {
            throw LineageError.storage("the index does not match the latest checkpoint; run `lineage reindex`")
        }
        let graph = try trace(from: entry)
        let tree = StoreTree(store: self)
        let entries = try graph.order.map { id -> EvidenceBundle.Entry in
            guard let indexed = graph.entries[id], let record = graph.records[id] else {
                throw LineageError.storage("record \(id) vanished while proving")
            }
            let proof = try Merkle.inclusionProof(tree, index: UInt64(indexed.seq), size: checkpoint.size)
            return EvidenceBundle.Entry(id: id, leafIndex: UInt64(indexed.seq), canonicalBytes: record.canonicalBytes, inclusionProof: proof)
        }
        return EvidenceBundle(subject: entry.id, checkpoint: note, entries: entries)
    }
}
