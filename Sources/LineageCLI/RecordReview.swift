import ArgumentParser
import LineageCore
import LineageEngine

extension Lineage {
    /// `lineage record review`.
    struct RecordReview: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            _superCommandName: "lineage record",
            abstract: "Record a human's confirmation or override of a prediction, with a reason."
        )

        @Option(help: ArgumentHelp("The prediction (its id or record id).", valueName: "prediction"))
        var prediction: String?

        @Option(help: "Who reviewed it.")
        var reviewer: String?

        @Option(help: "confirm or override.")
        var decision: String?

        @Option(help: "Why.")
        var reason: String?

        @Option(help: ArgumentHelp("The corrected output as JSON, for an override.", valueName: "json"))
        var output: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            var fields = try fromJSON.base(kind: "review")
            if let prediction { fields["prediction"] = .string(prediction) }
            if let reviewer { fields["reviewer"] = .string(reviewer) }
            if let decision { fields["decision"] = .string(decision) }
            if let reason { fields["reason"] = .string(reason) }
            if let output { fields["output"] = try FieldInput.json(output, flag: "--output") }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.review, fields: fields)
        }
    }
}
