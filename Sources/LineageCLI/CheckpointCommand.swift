import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage checkpoint`: the log's signed checkpoints, consistency proofs between them, and
    /// comparing two checkpoints without a store.
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            _superCommandName: "lineage",
            abstract: "Print the log's latest signed checkpoint, prove or compare checkpoints.",
            discussion: """
                Keep a checkpoint somewhere the store's owner cannot change (a ticket, an email, another system): \
                `lineage verify --against saved.txt` later proves the log only grew since. Two parties holding \
                checkpoints of one log can check, with no store, that they were shown one history: \
                `lineage checkpoint compare A B --key KEY [--proof PROOF]`.
                """,
            subcommands: [Show.self, Proof.self, Compare.self],
            defaultSubcommand: Show.self
        )

        /// `lineage checkpoint [show]`: prints the latest signed checkpoint.
        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the log's latest signed checkpoint (a C2SP signed note).")

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let view = try store.checkpointView()
                print(output.json ? view.json.prettyString() : view.note, terminator: output.json ? "\n" : "")
            }
        }

        /// `lineage checkpoint proof OLD`: a consistency proof from OLD to the latest checkpoint.
        struct Proof: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a consistency proof from an earlier checkpoint to the latest one (JSON).",
                discussion: "Hand it with the latest checkpoint to whoever holds the earlier one: `lineage checkpoint compare` checks it with no store."
            )

            @Argument(help: ArgumentHelp("The earlier signed checkpoint (a file, or - for standard input).", valueName: "old"))
            var old: String

            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let note = String(decoding: try FieldInput.readFile(old, what: "checkpoint"), as: UTF8.self)
                print(try store.consistencyProof(from: note).json.prettyString())
            }
        }

        /// `lineage checkpoint compare A B`: are two checkpoints of one log one history?
        struct Compare: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check, with no store, that two signed checkpoints of one log are one history.",
                discussion: """
                    Exits 0 when they are identical, or when --proof (from `lineage checkpoint proof`) shows the later \
                    extends the earlier; 1 when both are signed and hold the same number of records with different roots \
                    (a fork: the log's owner showed two histories), when the proof does not show consistency, or when \
                    the sizes differ and no proof is given (nothing is proven yet).
                    """
            )

            @Argument(help: ArgumentHelp("A signed checkpoint (a file).", valueName: "a"))
            var first: String

            @Argument(help: ArgumentHelp("Another signed checkpoint of the same log (a file).", valueName: "b"))
            var second: String

            @Option(help: ArgumentHelp("A consistency proof between them, from `lineage checkpoint proof`.", valueName: "file"))
            var proof: String?

            @OptionGroup var trustedKeys: TrustedKeyOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let trusted = try trustedKeys.parsed()
                let a = String(decoding: try FieldInput.readFile(first, what: "checkpoint"), as: UTF8.self)
                let b = String(decoding: try FieldInput.readFile(second, what: "checkpoint"), as: UTF8.self)
                let consistency = try proof.map { path in
                    try LineageError.catching { try ConsistencyProof(json: try FieldInput.json(String(decoding: try FieldInput.readFile(path, what: "proof"), as: UTF8.self), flag: "--proof")) }
                }
                let verdict = try CheckpointVerdict(a, b, proof: consistency, trusting: trusted)
                if output.json { print(verdict.json.prettyString()) } else if verdict.ok { print(verdict.summary) }
                if let reason = verdict.reason { throw LineageError(.verdict, reason) }
            }
        }
    }
}
