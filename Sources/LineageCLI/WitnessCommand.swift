import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage witness`: run a witness, or list the witnesses a store asks.
    struct WitnessCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "witness",
            _superCommandName: "lineage",
            abstract: "Run a transparency-log witness, or list the witnesses that cosign this store's checkpoints.",
            discussion: """
                A witness (C2SP tlog-witness) cosigns a log's checkpoint only when it is consistent with the last \
                one it cosigned, so the log's owner cannot show two histories to two parties that each require the \
                witness's cosignature (`lineage verify-proof --witness-key`). See docs/witnesses.md.
                """,
            subcommands: [Init.self, Serve.self, Add.self, List.self, Remove.self]
        )

        /// `lineage witness init`.
        struct Init: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "init", _superCommandName: "lineage witness",
                abstract: "Create a witness: its directory and key; prints its public key for the logs it will witness.")

            @Argument(help: ArgumentHelp("The witness's directory (its key and state).", valueName: "directory"))
            var directory: String
            @Option(help: ArgumentHelp("The witness's name, a schema-less URL (e.g. witness.example.org/w1).", valueName: "name"))
            var name: String

            func run() throws {
                try Store.validate(origin: name)
                print(try Witness.create(at: directory, name: name).text)
            }
        }

        /// `lineage witness serve`.
        struct Serve: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "serve", _superCommandName: "lineage witness",
                abstract: "Serve the witness over HTTP (POST /add-checkpoint) for the logs whose keys are given.")

            @Argument(help: ArgumentHelp("The witness's directory, made by `lineage witness init`.", valueName: "directory"))
            var directory: String
            @Option(name: .customLong("log"), help: ArgumentHelp("The key of a log to witness, as `lineage key show` prints it on its store (its name is the log's origin); repeatable.", valueName: "key"))
            var logs: [String] = []
            @Option(help: ArgumentHelp("The address to listen on, HOST:PORT (port 0: any free port, printed).", valueName: "host:port"))
            var listen = "127.0.0.1:8471"

            func validate() throws {
                if logs.isEmpty { throw ValidationError("give the key of at least one log to witness with --log") }
                if ServerProgram.address(listen) == nil { throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8471)") }
            }

            func run() throws {
                let keys = try logs.map { try VerifierKeyArgument.parse($0) }
                guard FileManager.default.fileExists(atPath: directory + "/witness.key") else {
                    throw LineageError.notFound("\(directory) holds no witness; create one with `lineage witness init \(directory) --name NAME`")
                }
                let (host, port) = ServerProgram.address(listen)!
                try ServerProgram.exec(["--witness", URL(fileURLWithPath: directory).path, "--host", host, "--port", port]
                                       + keys.flatMap { ["--log", $0.text] })
            }
        }

        /// `lineage witness add`.
        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add", _superCommandName: "lineage witness",
                abstract: "Ask a witness to cosign this store's checkpoints (`lineage cosign`).")

            @Argument(help: ArgumentHelp("The witness's URL (its submission prefix, http:// or https://).", valueName: "url"))
            var url: String
            @Option(help: ArgumentHelp("The witness's public key, as `lineage witness init` printed it (or a file holding it).", valueName: "key"))
            var key: String
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                try storeOptions.open().addWitness(url: url, key: try VerifierKeyArgument.parse(key, cosigner: true))
            }
        }

        /// `lineage witness list`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", _superCommandName: "lineage witness", abstract: "List the witnesses this store asks to cosign.")

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let witnesses = try storeOptions.open().witnesses()
                if output.json {
                    print(JSONValue.array(witnesses.map(\.json)).prettyString())
                } else {
                    for witness in witnesses { print("\(witness.name)\t\(witness.url)\t\(witness.key.text)") }
                }
            }
        }

        /// `lineage witness remove`.
        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "remove", _superCommandName: "lineage witness", abstract: "Stop asking a witness.")

            @Argument(help: ArgumentHelp("The witness's name.", valueName: "name"))
            var name: String
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                try storeOptions.open().removeWitness(name: name)
            }
        }
    }

    /// `lineage cosign`.
    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cosign",
            _superCommandName: "lineage",
            abstract: "Ask the store's witnesses to cosign its latest checkpoint, and keep their cosignatures.",
            discussion: """
                Each witness gets the checkpoint and a consistency proof from the last checkpoint it cosigned \
                (C2SP tlog-witness add-checkpoint). Their cosignatures are kept with the checkpoint, and \
                `lineage prove` puts them in evidence bundles. Exit 0 when every witness cosigned, 1 when one \
                refused (another history, a bad proof, a key it does not trust), 4 when one could not be reached. \
                See docs/witnesses.md.
                """
        )

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            _ = try store.witnessRequest(oldSize: 0)  // an empty log: said here, before anything is asked
            try ServerProgram.exec(["--cosign", "--store", store.path] + (output.json ? ["--json"] : []))
        }
    }
}
