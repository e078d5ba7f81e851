import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage remote`: the repositories a store pushes to and pulls from.
    struct RemoteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote",
            _superCommandName: "lineage",
            abstract: "Add, list or remove the remotes a store pushes to and pulls from.",
            discussion: """
                Remotes are kept as git keeps them (remote.NAME.url in the store's config). A clone has one \
                named origin. See docs/sync.md.
                """,
            subcommands: [Add.self, List.self, Remove.self],
            defaultSubcommand: List.self
        )

        /// `lineage remote add`.
        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add", _superCommandName: "lineage remote",
                abstract: "Add a remote: a lineage store or a git repository (e.g. made with `git init --bare`).")

            @Argument(help: ArgumentHelp("Its name (letters, digits, '.', '_', '-').", valueName: "name"))
            var name: String
            @Argument(help: ArgumentHelp("Its URL: ssh://, https://, git://, file:// or a path.", valueName: "url"))
            var url: String
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                try storeOptions.open().addRemote(name: name, url: Store.absolute(remoteURL: url, workingDirectory: Environment.workingDirectory))
            }
        }

        /// `lineage remote list`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", _superCommandName: "lineage remote", abstract: "List the remotes.")

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let remotes = try storeOptions.open().remotes()
                if output.json {
                    print(JSONValue.array(remotes.map(\.json)).prettyString())
                } else {
                    for remote in remotes { print("\(remote.name)\t\(remote.url)") }
                }
            }
        }

        /// `lineage remote remove`.
        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "remove", _superCommandName: "lineage remote", abstract: "Remove a remote.")

            @Argument(help: ArgumentHelp("Its name.", valueName: "name"))
            var name: String
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                try storeOptions.open().removeRemote(name: name)
            }
        }
    }
}
