import ArgumentParser

extension Lineage {
    /// `lineage import`: lineage from other tools.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import lineage recorded by other tools.",
            subcommands: [ImportMLflow.self, ImportDVC.self]
        )
    }
}
