import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage prove`: writes an evidence bundle.
    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prove",
            _superCommandName: "lineage",
            abstract: "Write an evidence bundle for a record and its whole upstream, to check offline.",
            discussion: """
                The bundle (JSON, on stdout) holds the record and every upstream record as exact canonical bytes, \
                each with an RFC 6962 inclusion proof against the log's latest signed checkpoint. Anyone with the \
                store's public key (`lineage key show`) checks it with `lineage verify-proof BUNDLE --key KEY`, \
                without the store. With --format tlog-proof it writes the record alone as a C2SP tlog-proof \
                (c2sp.org/tlog-proof@v1, text; the record's canonical bytes in its extra line), which verify-proof \
                also checks. See docs/evidence-bundle.md.
                """
        )

        /// The two forms of evidence.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case bundle
            case tlogProof = "tlog-proof"
        }

        @Argument(help: ArgumentHelp("A prediction id, record id, short id or name.", valueName: "ref"))
        var reference: String

        @Option(help: "bundle (JSON: the record and its whole upstream) or tlog-proof (C2SP: the record alone).")
        var format: Format = .bundle

        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let (holder, entry) = try store.resolveInFamily(reference)
            let bundle = try holder.prove(entry)
            switch format {
            case .bundle:
                try access.log(store, "prove", records: bundle.entries.map(\.id))
                print(bundle.json.prettyString())
            case .tlogProof:
                try access.log(store, "prove", records: [bundle.subject], query: "format=tlog-proof")
                print(try LineageError.catching { try TlogProof(subjectOf: bundle) }.text, terminator: "")
            }
        }
    }
}
