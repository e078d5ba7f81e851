import LineageCore

/// Everything downstream of one record.
public struct ImpactReport: Sendable {
    /// A downstream record and how it was reached.
    public struct Item: Sendable {
        /// The record reached.
        public let entry: IndexedRecord
        /// The field through which it links to `from`.
        public let relation: String
        /// The record it links to on the way down.
        public let from: Digest
        /// The origin of the log holding it.
        public let origin: String
    }

    /// A deployment reached, with its state and the predictions it served.
    public struct Deployment: Sendable {
        /// The deployment.
        public let entry: IndexedRecord
        /// False when a later deployment superseded it, or when it was a retirement.
        public let current: Bool
        /// Predictions it served, in every log held here.
        public let predictions: Int64
        /// The origin of the log holding it.
        public let origin: String
    }

    /// The record the walk started from.
    public let root: IndexedRecord
    /// Everything reached, breadth first.
    public let items: [Item]
    /// Deployments reached, with their state.
    public let deployments: [Deployment]
    /// Predictions that name a reached model directly, without a deployment.
    public let predictionsWithoutDeployment: Int64
    /// The origin of the root's log.
    public let origin: String
}

extension Store {
    /// Walks every link downstream of `root`: transforms, derived datasets, runs, models, approvals,
    /// deployments, in this log and in the other origins' logs held here (see Store+Origins).
    /// Predictions are counted per deployment, never loaded one by one.
    public func impact(of root: IndexedRecord) throws -> ImpactReport {
        let family = try self.family()
        var items: [ImpactReport.Item] = []
        var seen: Set<Digest> = [root.id]
        var queue: [(Store, IndexedRecord)] = [(self, root)]
        var position = 0
        var deployments: [ImpactReport.Deployment] = []
        var direct: Int64 = 0
        // Where each log keeps the record: its position in its own log, a foreign number in the others.
        func positions(of entry: IndexedRecord, in holder: Store) throws -> [(Store, Int64)] {
            try family.compactMap { store in
                if store === holder { return (store, entry.seq) }
                return try store.index.foreignPosition(of: entry.id).map { (store, $0) }
            }
        }
        while position < queue.count {
            let (holder, entry) = queue[position]
            position += 1
            let places = try positions(of: entry, in: holder)
            var dependents: [(relation: String, store: Store, record: IndexedRecord)] = []
            for (store, seq) in places {
                dependents += try store.index.dependents(of: seq).map { ($0.relation, store, $0.record) }
            }
            for dependent in dependents where !seen.contains(dependent.record.id) {
                seen.insert(dependent.record.id)
                items.append(.init(entry: dependent.record, relation: dependent.relation, from: entry.id, origin: dependent.store.origin))
                queue.append((dependent.store, dependent.record))
            }
            func predictions() throws -> Int64 {
                try places.reduce(0) { $0 + (try $1.0.index.count(linkingTo: $1.1, kind: .prediction)) }
            }
            switch entry.kind {
            case .deployment:
                let superseded = dependents.contains { $0.relation == "supersedes" && $0.record.kind == .deployment }
                let retired = try holder.read(entry)["action"]?.stringValue == "retire"
                deployments.append(.init(entry: entry, current: !superseded && !retired, predictions: try predictions(), origin: holder.origin))
            case .model:
                direct += try predictions()
            default:
                break
            }
        }
        return ImpactReport(root: root, items: items, deployments: deployments, predictionsWithoutDeployment: direct, origin: origin)
    }

    /// Everything downstream of what `reference` names, in whichever log held here records it.
    public func impact(_ reference: String) throws -> ImpactReport {
        let (store, entry) = try resolveInFamily(reference)
        return try store.impact(of: entry)
    }
}
