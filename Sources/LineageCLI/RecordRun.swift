import ArgumentParser
import LineageCore
import LineageEngine

extension Lineage {
    /// `lineage record run`.
    struct RecordRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            _superCommandName: "lineage record",
            abstract: "Record a training run: hyperparameters, metrics, code, environment and input datasets.",
            discussion: "Register the model it produced with `lineage record model --file PATH --name NAME --run RUN`."
        )

        @OptionGroup var execution: ExecutionOptions

        @Option(help: ArgumentHelp("A metric KEY=VALUE, e.g. auc=0.93 (repeatable).", valueName: "key=value"))
        var metric: [String] = []

        @Option(help: "succeeded, failed or running.")
        var status: String?

        @Option(help: "Why the run failed.")
        var error: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            var fields = try fromJSON.base(kind: "run")
            try execution.apply(to: &fields)
            if !metric.isEmpty {
                var metrics = fields["metrics"]?.objectValue ?? JSONObject()
                for member in try FieldInput.pairs(metric, flag: "--metric") { metrics[member.key] = member.value }
                fields["metrics"] = .object(metrics)
            }
            if let status { fields["status"] = .string(status) }
            if let error { fields["error"] = .string(error) }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.run, fields: fields)
        }
    }
}
