import ArgumentParser

extension Lineage {
    /// `lineage add`: registers artifacts by content.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register data by content.",
            subcommands: [AddDataset.self]
        )
    }
}
