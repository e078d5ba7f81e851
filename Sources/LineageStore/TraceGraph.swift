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
    /// The origin of the log the trace started in.
    public var origin: String = ""
    /// Records reached in other origins' logs held by the store, by id: their origin. (Their
    /// `entries` give positions in those logs.)
    public var origins: [Digest: String] = [:]
    /// Records linked to that no log held here contains (an origin not pulled yet), by id.
    public var unresolved: Set<Digest> = []

    /// The origin of the log holding a reached record.
    public func origin(of id: Digest) -> String { origins[id] ?? origin }

    /// Links out of `id`, in schema order.
    public func edges(from id: Digest) -> [Edge] { edges.filter { $0.from == id } }
}

extension Store {
    /// Walks every link upstream of `start` and returns the graph. Links into other origins' logs
    /// held here (see Store+Origins) are followed there; a link into a log not held is kept in
    /// `unresolved`.
    public func trace(from start: IndexedRecord) throws -> TraceGraph {
        var order: [Digest] = [start.id]
        var records: [Digest: Record] = [:]
        var entries: [Digest: IndexedRecord] = [start.id: start]
        var edges: [TraceGraph.Edge] = []
        var origins: [Digest: String] = [:], unresolved: Set<Digest> = []
        var queue: [(Store, IndexedRecord)] = [(self, start)]
        var position = 0
        while position < queue.count {
            let (store, entry) = queue[position]
            position += 1
            let record = try store.read(entry)
            records[entry.id] = record
            for link in record.links {
                edges.append(TraceGraph.Edge(from: entry.id, to: link.target, relation: link.relation))
                guard entries[link.target] == nil, !unresolved.contains(link.target) else { continue }
                let found: (store: Store, entry: IndexedRecord)
                if let here = try store.index.record(id: link.target) {
                    found = (store, here)
                } else if let elsewhere = try store.recordElsewhere(id: link.target) {
                    found = elsewhere
                } else {
                    guard try store.index.foreignPosition(of: link.target) != nil else {
                        throw LineageError.storage("\(entry.id) links to \(link.target), which is missing from the store; run `lineage reindex`")
                    }
                    unresolved.insert(link.target)
                    continue
                }
                entries[link.target] = found.entry
                if found.store !== self { origins[link.target] = found.store.origin }
                order.append(link.target)
                queue.append(found)
            }
        }
        var graph = TraceGraph(root: start.id, order: order, records: records, entries: entries, edges: edges)
        (graph.origin, graph.origins, graph.unresolved) = (origin, origins, unresolved)
        return graph
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
