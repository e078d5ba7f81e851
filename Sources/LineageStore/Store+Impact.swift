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
    }

    /// A deployment reached, with its state and the predictions it served.
    public struct Deployment: Sendable {
        /// The deployment.
        public let entry: IndexedRecord
        /// False when a later deployment superseded it, or when it was a retirement.
        public let current: Bool
        /// Predictions it served.
        public let predictions: Int64
    }

    /// The record the walk started from.
    public let root: IndexedRecord
    /// Everything reached, breadth first.
    public let items: [Item]
    /// Deployments reached, with their state.
    public let deployments: [Deployment]
    /// Predictions that name a reached model directly, without a deployment.
    public let predictionsWithoutDeployment: Int64
}

extension Store {
    /// Walks every link downstream of `root`: transforms, derived datasets, runs, models, approvals,
    /// deployments. Predictions are counted per deployment, never loaded one by one.
    public func impact(of root: IndexedRecord) throws -> ImpactReport {
        var items: [ImpactReport.Item] = []
        var seen: Set<Digest> = [root.id]
        var queue = [root]
        var position = 0
        var deployments: [ImpactReport.Deployment] = []
        var direct: Int64 = 0
        while position < queue.count {
            let entry = queue[position]
            position += 1
            for (relation, dependent) in try index.dependents(of: entry.seq) where !seen.contains(dependent.id) {
                seen.insert(dependent.id)
                items.append(.init(entry: dependent, relation: relation, from: entry.id))
                queue.append(dependent)
            }
            switch entry.kind {
            case .deployment:
                let superseded = try index.dependents(of: entry.seq)
                    .contains { $0.relation == "supersedes" && $0.record.kind == .deployment }
                let retired = try read(entry)["action"]?.stringValue == "retire"
                deployments.append(.init(entry: entry, current: !superseded && !retired,
                                         predictions: try index.count(linkingTo: entry.seq, kind: .prediction)))
            case .model:
                direct += try index.count(linkingTo: entry.seq, kind: .prediction)
            default:
                break
            }
        }
        return ImpactReport(root: root, items: items, deployments: deployments, predictionsWithoutDeployment: direct)
    }
}
