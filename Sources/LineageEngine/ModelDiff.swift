import LineageCore
import LineageStore

/// How the lineage of two model versions differs: artifact, the producing run's params, metrics,
/// code and environment, and the upstream datasets.
public struct ModelDiff: Sendable {
    /// One difference: a path like `params.lr` with its value on each side (nil when absent), as
    /// recorded: numbers stay numbers and booleans booleans.
    public struct Change: Sendable {
        public let path: String
        public let before: JSONValue?
        public let after: JSONValue?
    }

    public let changes: [Change]

    /// The `diff --json` shape: `[{"path", "before", "after"}]`, null for an absent side.
    public var json: JSONValue {
        .array(changes.map { change in
            .object(JSONObject([("path", .string(change.path)), ("before", change.before ?? .null), ("after", change.after ?? .null)]))
        })
    }
}

extension Store {
    /// The differences between the lineage of the models `first` and `second` name.
    public func diff(_ first: String, _ second: String) throws -> ModelDiff {
        let a = try lineageFacts(first), b = try lineageFacts(second)
        return ModelDiff(changes: Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key] ? nil : ModelDiff.Change(path: key, before: a[key], after: b[key])
        })
    }

    /// Flattened facts of a model's lineage: artifact, run params/metrics/code/environment, upstream datasets.
    private func lineageFacts(_ reference: String) throws -> [String: JSONValue] {
        let entry = try resolve(reference)
        guard entry.kind == .model else { throw LineageError.input("\(Names.printable(reference)) is a \(entry.kind), not a model") }
        let graph = try trace(from: entry)
        var facts: [String: JSONValue] = [:]
        let model = try read(entry)
        facts["model.digest"] = model["digest"]
        if let runID = model["producedBy"]?.stringValue.flatMap({ Digest($0) }), let run = graph.records[runID] {
            for field in ["params", "metrics", "environment", "code"] {
                for member in run[field]?.objectValue ?? JSONObject() {
                    facts["\(field).\(member.key)"] = member.value
                }
            }
            facts["run"] = run.name.map(JSONValue.string)
        }
        for id in graph.order {
            guard let record = graph.records[id], record.kind == .dataset, let name = record.name else { continue }
            facts["dataset.\(name)"] = .string("@\(record.version ?? 0) \(record["digest"]?.stringValue ?? "")")
        }
        return facts
    }
}
