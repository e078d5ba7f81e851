import ArgumentParser
import Foundation
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage init`: creates a store.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            _superCommandName: "lineage",
            abstract: "Create a lineage store (.lineage/) in the current directory.",
            discussion: """
                The store is a bare git repository holding the log, plus an erasable payload store and a \
                SQLite index. Other commands find it by walking up from the working directory, as git \
                does, or through --store / $LINEAGE_STORE.
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The log's origin, e.g. example.com/fraud (default: local/<random>).", valueName: "origin"))
        var origin: String?

        @Flag(name: .shortAndLong, help: "Print nothing on success.")
        var quiet = false

        func run() throws {
            let path = StoreLocation.forInit(explicit: storeOptions.store, variable: Environment.value("LINEAGE_STORE"),
                                             workingDirectory: Environment.workingDirectory)
            let store = try Store.create(at: path, origin: origin)
            if !quiet {
                print("Initialised an empty lineage store in \(store.path) (origin \(store.origin))")
            }
        }
    }
}
