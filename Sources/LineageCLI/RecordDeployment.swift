import ArgumentParser
import LineageCore
import LineageEngine

extension Lineage {
    /// `lineage record deployment`.
    struct RecordDeployment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deployment",
            _superCommandName: "lineage record",
            abstract: "Record that a model version was deployed to, rolled back in, or retired from an environment.",
            discussion: "It supersedes the current deployment of the same model name in that environment; name it deployment:MODEL/ENVIRONMENT."
        )

        @Option(help: ArgumentHelp("The model (id or name such as model:fraud@3).", valueName: "model"))
        var model: String?

        @Option(help: "The environment, e.g. prod or staging.")
        var environment: String?

        @Option(help: "The serving endpoint.")
        var endpoint: String?

        @Option(help: "deploy (default), rollback or retire.")
        var action: String?

        @Option(help: "Who approved the deployment.")
        var approver: String?

        @Option(help: ArgumentHelp("The approval record behind it (id).", valueName: "approval"))
        var approval: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            var fields = try fromJSON.base(kind: "deployment")
            if let model { fields["model"] = .string(model) }
            if let environment { fields["environment"] = .string(environment) }
            if let endpoint { fields["endpoint"] = .string(endpoint) }
            if let action { fields["action"] = .string(action) }
            if fields["action"] == nil { fields["action"] = .string("deploy") }
            if let approver { fields["approver"] = .string(approver) }
            if let approval { fields["approval"] = .string(approval) }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.deployment, fields: fields)
        }
    }
}
