import GitStore
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
    /// against the latest checkpoint witnesses cosigned that holds the record (with their
    /// cosignatures), else the latest signed checkpoint. Upstream records in other origins' logs
    /// held here are proven the same way against their own log's checkpoint (`otherLogs`).
    public func prove(_ entry: IndexedRecord) throws -> EvidenceBundle {
        let graph = try trace(from: entry)
        if let missing = graph.unresolved.sorted(by: { $0.description < $1.description }).first {
            throw LineageError.notFound("the lineage of \(entry.id) reaches \(missing), a record of a log not held here: pull that log (`lineage pull REMOTE`) before proving it")
        }
        let (note, entries) = try provenEntries(graph.order.filter { graph.origins[$0] == nil }, of: graph)
        // The erasures of the records' payloads, proven too, within the same checkpoint.
        let checkpoint = try LineageError.catching { try Checkpoint(parsing: SignedNote(parsing: note).text) }
        let tree = StoreTree(store: self)
        var erasures: [EvidenceBundle.Entry] = []
        for id in graph.order where graph.origins[id] == nil {
            guard let indexed = graph.entries[id], let record = graph.records[id], !record.commitments.isEmpty else { continue }
            for dependent in try index.dependents(of: indexed.seq) where dependent.record.kind == .erasure
                && UInt64(dependent.record.seq) < checkpoint.size && !erasures.contains(where: { $0.id == dependent.record.id }) {
                let erasure = try read(dependent.record)
                guard !erasure.erasedCommitments.isDisjoint(with: record.commitments.map(\.digest)) else { continue }
                let proof = try Merkle.inclusionProof(tree, index: UInt64(dependent.record.seq), size: checkpoint.size)
                erasures.append(EvidenceBundle.Entry(id: erasure.id, leafIndex: UInt64(dependent.record.seq),
                                                     canonicalBytes: erasure.canonicalBytes, inclusionProof: proof))
            }
        }
        var otherLogs: [EvidenceBundle.LogPart] = []
        for origin in Set(graph.origins.values).sorted() {
            guard let store = try familyMember(origin) else { throw LineageError.storage("the log \(origin) vanished while proving") }
            let (partNote, partEntries) = try store.provenEntries(graph.order.filter { graph.origins[$0] == origin }, of: graph)
            otherLogs.append(EvidenceBundle.LogPart(checkpoint: partNote, entries: partEntries))
        }
        return EvidenceBundle(subject: entry.id, checkpoint: note, entries: entries, erasures: erasures, otherLogs: otherLogs)
    }

    /// The records `ids` of `graph` that this log holds, each with its inclusion proof, and the
    /// checkpoint they are proven against: the latest cosigned one holding them all, else the
    /// latest signed one.
    private func provenEntries(_ ids: [Digest], of graph: TraceGraph) throws -> (note: String, entries: [EvidenceBundle.Entry]) {
        var (note, checkpoint) = try indexedCheckpoint()
        let tree = StoreTree(store: self)
        let highest = ids.compactMap { graph.entries[$0]?.seq }.max() ?? 0
        if let size = cosignedSizes().last(where: { $0 <= checkpoint.size && $0 > UInt64(highest) }), let witnessed = try cosigned(size: size),
           try Merkle.rangeHash(tree, 0, size) == witnessed.checkpoint.rootHash {
            (note, checkpoint) = (witnessed.note, witnessed.checkpoint)
        }
        let entries = try ids.map { id -> EvidenceBundle.Entry in
            guard let indexed = graph.entries[id], let record = graph.records[id] else {
                throw LineageError.storage("record \(id) vanished while proving")
            }
            let proof = try Merkle.inclusionProof(tree, index: UInt64(indexed.seq), size: checkpoint.size)
            return EvidenceBundle.Entry(id: id, leafIndex: UInt64(indexed.seq), canonicalBytes: record.canonicalBytes, inclusionProof: proof)
        }
        return (note, entries)
    }
}

extension Store {
    /// A consistency proof from an earlier signed checkpoint of this log to its latest one.
    public func consistencyProof(from oldNote: String) throws -> ConsistencyProof {
        let old: Checkpoint
        do { old = try Checkpoint(parsing: SignedNote(parsing: oldNote).text) } catch {
            throw LineageError.input("the earlier checkpoint cannot be read: \(error)")
        }
        guard old.origin == origin else { throw LineageError.input("the earlier checkpoint is of the log \(old.origin), not \(origin)") }
        let (note, new) = try indexedCheckpoint()
        guard old.size <= new.size else {
            throw LineageError(.verdict, "the earlier checkpoint holds \(old.size) records, more than the \(new.size) of the log now: it was truncated or rolled back")
        }
        guard try Merkle.rangeHash(StoreTree(store: self), 0, old.size) == old.rootHash else {
            throw LineageError(.verdict, "the log does not extend the earlier checkpoint (size \(old.size)): its first \(old.size) records have another root; its history was rewritten since")
        }
        let hashes = try Merkle.consistencyProof(StoreTree(store: self), oldSize: old.size, newSize: new.size)
        return ConsistencyProof(old: oldNote, new: note, hashes: hashes)
    }
}

extension Store {
    /// The signed checkpoint of the last batch the index holds (read from that batch's commit), which
    /// proofs are made against. Not the live head: a writer (another thread of `lineage serve`, another
    /// process) may have moved the head and not yet indexed its batch, and a proof against the head
    /// would need rows the index does not hold yet. The index's facts are read in one statement, so
    /// the commit and the record count belong together.
    func indexedCheckpoint() throws -> (note: String, checkpoint: Checkpoint) {
        let facts = try index.facts()
        guard let head = facts.head else { throw LineageError.notFound("the log is empty") }
        let commit: CommitInfo
        do { commit = try repository.readCommit(head) } catch { throw LineageError.wrap(error, context: "cannot read the indexed batch \(head.hex.prefix(12))") }
        guard let note = BatchMessage.parse(commit.message, origin: origin).checkpointNote else {
            throw LineageError.storage("the batch \(head.hex.prefix(12)) carries no signed checkpoint; run `lineage verify`")
        }
        let checkpoint = try LineageError.catching { try Checkpoint(parsing: SignedNote(parsing: note).text) }
        guard checkpoint.size == UInt64(facts.records) else {
            throw LineageError.storage("the index does not match its batch's checkpoint (\(facts.records) rows, checkpoint of \(checkpoint.size)); run `lineage reindex`")
        }
        return (note, checkpoint)
    }
}
