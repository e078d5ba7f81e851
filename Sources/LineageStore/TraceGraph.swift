import LineageCore

/// The upstream lineage of one record: every record it links to, directly or through others.
public struct TraceGraph: Sendable {
    /// An edge from a record to one it links to.
    public struct Edge: Sendable, Hashable {
        /// The linking record.
        public let from: Digest
        /// The record linked to.
        public let to: Digest
        /// The field the link sits in.
        public let relation: String
    }

    /// The record the trace started from.
    public let root: Digest
    /// Records in the order they were reached (breadth first from the root).
    public let order: [Digest]
    /// Every record reached, by id.
    public let records: [Digest: Record]
    /// Their index entries, by id.
    public let entries: [Digest: IndexedRecord]
    /// Every link between them.
    public let edges: [Edge]

    /// Links out of `id`, in schema order.
    public func edges(from id: Digest) -> [Edge] { edges.filter { $0.from == id } }
}

extension Store {
    /// Walks every link upstream of `start` and returns the graph.
    public func trace(from start: IndexedRecord) throws -> TraceGraph {
        var order: [Digest] = [start.id]
        var records: [Digest: Record] = [:]
        var entries: [Digest: IndexedRecord] = [start.id: start]
        var edges: [TraceGraph.Edge] = []
        var queue = [start]
        var position = 0
        while position < queue.count {
            let entry = queue[position]
            position += 1
            let record = try read(entry)
            records[entry.id] = record
            for link in record.links {
                edges.append(TraceGraph.Edge(from: entry.id, to: link.target, relation: link.relation))
                if entries[link.target] == nil {
                    guard let target = try index.record(id: link.target) else {
                        throw LineageError.storage("\(entry.id) links to \(link.target), which is missing from the store; run `lineage reindex`")
                    }
                    entries[link.target] = target
                    order.append(link.target)
                    queue.append(target)
                }
            }
        }
        return TraceGraph(root: start.id, order: order, records: records, entries: entries, edges: edges)
    }
}

extension Store {
    /// Every record in the log as one graph, in log order (for whole-store exports).
    public func fullGraph() throws -> TraceGraph {
        var order: [Digest] = []
        var records: [Digest: Record] = [:]
        var entries: [Digest: IndexedRecord] = [:]
        var edges: [TraceGraph.Edge] = []
        try query(RecordQuery()) { entry in
            let record = try read(entry)
            order.append(entry.id)
            records[entry.id] = record
            entries[entry.id] = entry
            edges += record.links.map { TraceGraph.Edge(from: entry.id, to: $0.target, relation: $0.relation) }
            return true
        }
        return TraceGraph(root: order.first ?? Digest(hashing: []), order: order, records: records, entries: entries, edges: edges)
    }
}
