import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

/// The `lineage` command.
public struct Lineage: ParsableCommand {
    /// The version `lineage --version` prints.
    public static let version = LineageVersion.description

    /// The command tree and its help.
    public static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Record and trace the lineage of machine-learning data, models and predictions.",
        discussion: """
            Records live in a git object store (.lineage/), each one content-addressed by the SHA-256 of \
            its canonical JSON. Exit codes: 0 success, 1 negative verdict, 2 bad usage or input, \
            3 not found, 4 store or I/O error. See docs/commands.md.
            """,
        version: version,
        subcommands: [Init.self, Add.self, RecordCommand.self, Ingest.self, Show.self, Log.self, Trace.self, Verify.self, Serve.self, Token.self,
                      Run.self, Metric.self, Gate.self, Prove.self, VerifyProof.self, CheckpointCommand.self, Key.self, Payload.self, Erase.self, HoldCommand.self, RetentionCommand.self, Query.self, Config.self, Impact.self, Diff.self, Export.self, Import.self, Reindex.self, Session.self, Clone.self, RemoteCommand.self, Push.self, Pull.self, WitnessCommand.self, Cosign.self, Monitor.self, AlertCommand.self]
    )

    /// Creates the root command (ArgumentParser needs it).
    public init() {}
}

extension Lineage {
    /// Parses `arguments` into the command they name. A plain leaf command (`record run …`) is parsed
    /// from the leaf: parsing from the root builds the argument sets of every command in the tree,
    /// about 1 ms per call. Help, version and any parse error go through the root, so what the user
    /// sees is exactly ArgumentParser's.
    ///
    /// Every leaf command's configuration names its parents as `_superCommandName` ("lineage record").
    /// ArgumentParser shows that name only in the help of a command parsed as the root, which never
    /// happens here, and skips, for a command that has one, its check for a completion-script request:
    /// it built the argument sets of two more commands, another ~1 ms of every command (those requests
    /// go through the root, like help).
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        var arguments = arguments
        if arguments.first == "--no-pager" { // git's form: `lineage --no-pager log`
            Pager.disabledByRoot = true
            arguments.removeFirst()
        }
        if arguments.first == "help" { try checkHelpTopic(Array(arguments.dropFirst())) }
        var type: ParsableCommand.Type = Lineage.self
        var depth = 0
        while depth < arguments.count,
              let next = subcommand(arguments[depth], of: type) {
            type = next
            depth += 1
        }
        let rest = arguments[depth...]
        let special = rest.contains { $0 == "-h" || $0 == "--help" || $0 == "--version" || $0.hasPrefix("--generate-") || $0.hasPrefix("--experimental-") }
        if depth > 0, type.configuration.subcommands.isEmpty, !special, let command = try? type.parseAsRoot(Array(rest)) {
            return command
        }
        do {
            return try parseAsRoot(arguments)
        } catch where exitCode(for: error) != .success {
            // A mistyped subcommand (`lineage trac pred-8812`) reads better as that than as
            // "unexpected arguments".
            if let word = rest.first, !type.configuration.subcommands.isEmpty,
               let unknown = CommandSuggestion.unknownSubcommand(word, of: type, path: ["lineage"] + arguments[..<depth]) {
                throw unknown
            }
            throw error
        }
    }

    /// `lineage help TOPIC…` names commands only: an unknown one is bad usage (exit 2), not the
    /// root's help.
    private static func checkHelpTopic(_ words: [String]) throws {
        var type: ParsableCommand.Type = Lineage.self
        var path = ["lineage"]
        for word in words where !word.hasPrefix("-") {
            guard let next = subcommand(word, of: type) else {
                throw CommandSuggestion.unknownSubcommand(word, of: type, path: path)
                    ?? LineageError.input("\(Names.printable(word)) is not a \(path.joined(separator: " ")) command (see lineage --help)")
            }
            type = next
            path.append(word)
        }
    }

    /// The command whose help `arguments` asked for (`lineage help record run`, `lineage record run
    /// --help`), as its path of names from "lineage".
    static func helpPath(_ arguments: [String]) -> [String] {
        var type: ParsableCommand.Type = Lineage.self
        var path = ["lineage"]
        for word in arguments.drop(while: { $0 == "help" || $0 == "--no-pager" }) {
            guard let next = subcommand(word, of: type) else { break }
            type = next
            path.append(word)
        }
        return path
    }

    /// The subcommand of `type` called `name`, if there is one.
    static func subcommand(_ name: String, of type: ParsableCommand.Type) -> ParsableCommand.Type? {
        type.configuration.subcommands.first { $0._commandName == name }
    }
}
