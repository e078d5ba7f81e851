import ArgumentParser
import LineageCore
import LineageEngine
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

        /// One difference: a path like `params.lr` with its value on each side (nil when absent),
        /// as recorded: numbers stay numbers and booleans booleans in `--json`.
        struct Change {
            let path: String
            let before: JSONValue?
            let after: JSONValue?
        }

        /// A value as text: strings bare, anything else as canonical JSON.
        static func text(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalString }

        func run() throws {
            let store = try storeOptions.open()
            let a = try facts(store, first), b = try facts(store, second)
            let changes = Set(a.keys).union(b.keys).sorted().compactMap { key -> Change? in
                a[key] == b[key] ? nil : Change(path: key, before: a[key], after: b[key])
            }
            if output.json {
                print(JSONValue.array(changes.map { change in
                    .object(JSONObject([("path", .string(change.path)), ("before", change.before ?? .null), ("after", change.after ?? .null)]))
                }).prettyString())
                return
            }
            print("\(first) → \(second): \(changes.isEmpty ? "no differences in lineage" : "\(changes.count) differences")")
            for change in changes {
                switch (change.before, change.after) {
                case (nil, let after?): print("  + \(change.path): \(Self.text(after))")
                case (let before?, nil): print("  - \(change.path): \(Self.text(before))")
                default: print("  ~ \(change.path): \(Self.text(change.before!)) → \(Self.text(change.after!))")
                }
            }
        }

        /// Flattened facts of a model's lineage: artifact, run params/metrics/code/environment, upstream datasets.
        func facts(_ store: Store, _ reference: String) throws -> [String: JSONValue] {
            let entry = try store.resolve(reference)
            guard entry.kind == .model else { throw LineageError.input("\(Names.printable(reference)) is a \(entry.kind), not a model") }
            let graph = try store.trace(from: entry)
            var facts: [String: JSONValue] = [:]
            let model = try store.read(entry)
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
}
