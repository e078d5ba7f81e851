import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage trace`: walks from a record back to its source data.
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace",
            _superCommandName: "lineage",
            abstract: "Show the whole upstream lineage of a prediction or any record.",
            discussion: """
                Walks every link upstream: prediction → deployment → model → run (hyperparameters, metrics, \
                code) → datasets → transforms → source datasets. The default output is an indented tree; \
                --json gives a graph of nodes (with their records) and edges (with their relation); \
                --format dot gives Graphviz. Links into other origins' logs this store pulled are followed \
                there (their records are marked with their origin); a link into a log not pulled is shown as such.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case tree, json, dot
        }

        @Argument(help: ArgumentHelp("A prediction id, record id, short id or name.", valueName: "ref"))
        var reference: String

        @Option(help: "tree (default), json or dot.")
        var format: Format = .tree

        @OptionGroup var output: OutputOptions
        @OptionGroup var pager: PagerOptions
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let graph = try store.trace(reference)
            try access.log(store, "trace", records: graph.order)
            pager.start()
            switch output.json ? .json : format {
            case .json: print(graph.json(payloadStates: store.payloadStates(in: graph)).prettyString())
            case .dot: print(TraceRendering.dot(graph), terminator: "")
            case .tree: print(TraceRendering.tree(graph, payloadStates: store.payloadStates(in: graph)), terminator: "")
            }
        }
    }
}
