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
                without the store. See docs/evidence-bundle.md.
                """
        )

        @Argument(help: ArgumentHelp("A prediction id, record id, short id or name.", valueName: "ref"))
        var reference: String

        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let bundle = try store.prove(try store.resolve(reference))
            try access.log(store, "prove", records: bundle.entries.map(\.id))
            print(bundle.json.prettyString())
        }
    }
}
