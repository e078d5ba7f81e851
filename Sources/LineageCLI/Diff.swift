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
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        /// A value as text: strings bare, anything else as canonical JSON.
        static func text(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalString }

        func run() throws {
            let store = try storeOptions.open()
            let diff = try store.diff(first, second)
            try access.log(store, "diff", query: "a=\(first) b=\(second)")
            if output.json {
                print(diff.json.prettyString())
                return
            }
            let changes = diff.changes
            print("\(first) → \(second): \(changes.isEmpty ? "no differences in lineage" : "\(changes.count) differences")")
            for change in changes {
                switch (change.before, change.after) {
                case (nil, let after?): print("  + \(change.path): \(Self.text(after))")
                case (let before?, nil): print("  - \(change.path): \(Self.text(before))")
                default: print("  ~ \(change.path): \(Self.text(change.before!)) → \(Self.text(change.after!))")
                }
            }
        }
    }
}
