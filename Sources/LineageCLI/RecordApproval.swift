import ArgumentParser
import LineageCore
import LineageEngine

extension Lineage {
    /// `lineage record approval`.
    struct RecordApproval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approval",
            _superCommandName: "lineage record",
            abstract: "Record that someone approved a model for a purpose, with a reason."
        )

        @Option(help: ArgumentHelp("The model (id or name such as model:fraud@3).", valueName: "model"))
        var model: String?

        @Option(help: "Who approved.")
        var approver: String?

        @Option(help: "What it is approved for, e.g. production.")
        var purpose: String?

        @Option(help: "Why.")
        var reason: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            var fields = try fromJSON.base(kind: "approval")
            if let model { fields["model"] = .string(model) }
            if let approver { fields["approver"] = .string(approver) }
            if let purpose { fields["purpose"] = .string(purpose) }
            if let reason { fields["reason"] = .string(reason) }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.approval, fields: fields)
        }
    }
}
