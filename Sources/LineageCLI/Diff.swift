import ArgumentParser
import LineageCore
import LineageStore

extension Lineage {
    /// `lineage diff`: what changed between two model versions' lineage.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            _superCommandName: "lineage",
            abstract: "Show what changed between two model versions' lineage.",
            discussion: "Compares the upstream datasets (by digest), and the producing runs' params, code commit, environment and metrics."
        )

        @Argument(help: ArgumentHelp("The first model, e.g. model:fraud@2.", valueName: "model-a"))
        var first: String

        @Argument(help: ArgumentHelp("The second model, e.g. model:fraud@3.", valueName: "model-b"))
        var second: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        /// One difference: a path like `params.lr` with its value on each side (nil when absent).
        struct Change {
            let path: String
            let before: String?
            let after: String?
        }

        func run() throws {
            let store = try storeOptions.open()
            let a = try facts(store, first), b = try facts(store, second)
            let changes = Set(a.keys).union(b.keys).sorted().compactMap { key -> Change? in
                a[key] == b[key] ? nil : Change(path: key, before: a[key], after: b[key])
            }
            if output.json {
                print(JSONValue.array(changes.map { change in
                    .object(JSONObject([("path", .string(change.path)), ("before", change.before.map(JSONValue.string) ?? .null),
                                        ("after", change.after.map(JSONValue.string) ?? .null)]))
                }).prettyString())
                return
            }
            print("\(first) → \(second): \(changes.isEmpty ? "no differences in lineage" : "\(changes.count) differences")")
            for change in changes {
                switch (change.before, change.after) {
                case (nil, let after?): print("  + \(change.path): \(after)")
                case (let before?, nil): print("  - \(change.path): \(before)")
                default: print("  ~ \(change.path): \(change.before!) → \(change.after!)")
                }
            }
        }

        /// Flattened facts of a model's lineage: artifact, run params/metrics/code/environment, upstream datasets.
        func facts(_ store: Store, _ reference: String) throws -> [String: String] {
            let entry = try store.resolve(reference)
            guard entry.kind == .model else { throw LineageError.input("\(Names.printable(reference)) is a \(entry.kind), not a model") }
            let graph = try store.trace(from: entry)
            var facts: [String: String] = [:]
            let model = try store.read(entry)
            facts["model.digest"] = model["digest"]?.stringValue
            if let runID = model["producedBy"]?.stringValue.flatMap({ Digest($0) }), let run = graph.records[runID] {
                for field in ["params", "metrics", "environment", "code"] {
                    for member in run[field]?.objectValue ?? JSONObject() {
                        facts["\(field).\(member.key)"] = member.value.stringValue ?? member.value.canonicalString
                    }
                }
                facts["run"] = run.name
            }
            for id in graph.order {
                guard let record = graph.records[id], record.kind == .dataset, let name = record.name else { continue }
                facts["dataset.\(name)"] = "@\(record.version ?? 0) \(record["digest"]?.stringValue ?? "")"
            }
            return facts
        }
    }
}
