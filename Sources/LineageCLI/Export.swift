import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage export`: lineage in standard formats.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            _superCommandName: "lineage",
            abstract: "Export lineage as OpenLineage events, W3C PROV-JSON, Graphviz dot or Mermaid.",
            discussion: """
                Exports the whole store, or with REF the trace of one record. openlineage prints one RunEvent per \
                line (NDJSON), one per transform and run, with the datasets it read and the datasets and models it \
                produced (OpenLineage 2-0-2). prov prints one PROV-JSON document. dot and mermaid print a graph \
                whose edges are labelled with their relation.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case openlineage, prov, dot, mermaid
        }

        @Option(help: "openlineage, prov, dot or mermaid.")
        var format: Format

        @Argument(help: ArgumentHelp("Export only the trace of this record.", valueName: "ref"))
        var reference: String?

        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let graph = try reference.map { try store.trace(from: try store.resolve($0)) } ?? store.fullGraph()
            try access.log(store, "export", records: reference == nil ? [] : graph.order,
                           query: "format=\(format.rawValue)" + (reference == nil ? " (the whole store)" : ""))
            switch format {
            case .openlineage:
                for event in OpenLineageExport.events(graph, origin: store.origin) { print(event.canonicalString) }
            case .prov:
                print(ProvExport.document(graph, origin: store.origin).prettyString())
            case .dot:
                print(TraceRendering.dot(graph), terminator: "")
            case .mermaid:
                print(TraceRendering.mermaid(graph), terminator: "")
            }
        }
    }
}
