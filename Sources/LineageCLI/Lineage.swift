import ArgumentParser

/// The `lineage` command.
public struct Lineage: ParsableCommand {
    /// The version `lineage --version` prints.
    public static let version = "0.1.0"

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
        subcommands: [Init.self, Add.self, RecordCommand.self, Ingest.self, Show.self, Log.self, Trace.self, Verify.self,
                      Run.self, Metric.self, Gate.self, Prove.self, VerifyProof.self, CheckpointCommand.self, Key.self, Query.self, Impact.self, Diff.self, Export.self, Import.self, Reindex.self, Session.self]
    )

    /// Creates the root command (ArgumentParser needs it).
    public init() {}
}
