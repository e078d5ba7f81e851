import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage export`: lineage in standard formats, or the log as tiles.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            _superCommandName: "lineage",
            abstract: "Export lineage as OpenLineage events, W3C PROV-JSON, Graphviz dot or Mermaid, or the log as C2SP tlog-tiles.",
            discussion: """
                `lineage export --format FORMAT [REF]` (the graph subcommand, the default) exports lineage; \
                `lineage export tiles DIR` writes the log as static tlog-tiles.
                """,
            subcommands: [Graph.self, TilesCommand.self],
            defaultSubcommand: Graph.self
        )
    }

    /// `lineage export [graph]`.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            _superCommandName: "lineage export",
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
            let graph = try reference.map { try store.trace($0) } ?? store.fullGraph()
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

    /// `lineage export tiles`.
    struct TilesCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tiles",
            _superCommandName: "lineage export",
            abstract: "Write the log as C2SP tlog-tiles: checkpoint, Merkle tiles and entry bundles, for static serving.",
            discussion: """
                Writes, under DIR, the latest signed checkpoint (`checkpoint`), the Merkle tree as tiles of 256 \
                hashes (`tile/<L>/<N>`, partial tiles `.p/<W>` at the right edge) and the records' canonical bytes as \
                entry bundles (`tile/entries/<N>`), as c2sp.org/tlog-tiles defines them: any tlog-tiles client, mirror \
                or witness can compute roots and proofs from them alone. Serve DIR as static files.
                """
        )

        @Argument(help: ArgumentHelp("The directory to write the tiles in (created if missing).", valueName: "dir"))
        var directory: String

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let progress = Terminal.counter("writing tiles", unit: "records")
            defer { progress?.finish() }
            let size = try store.exportTiles(to: directory) { progress?.update(UInt64($0)) }
            print("Wrote the log of \(store.origin) (size \(size)) as tlog-tiles in \(directory)")
        }
    }
}
