import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage record prediction`.
    struct RecordPrediction: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prediction",
            _superCommandName: "lineage record",
            abstract: "Record one prediction: its id, the deployment or model that made it, its input and output.",
            discussion: """
                The raw input (--input-json or --input-file) never enters the log: the record keeps a \
                salted SHA-256 commitment, and the input and its salt go to the erasable payload store. \
                Prediction ids are unique in a store.
                """
        )

        @Option(name: .customLong("id"), help: ArgumentHelp("The caller's unique prediction id.", valueName: "prediction-id"))
        var predictionID: String?

        @Option(help: ArgumentHelp("The deployment that served it (id or deployment:MODEL/ENV).", valueName: "deployment"))
        var deployment: String?

        @Option(help: ArgumentHelp("The model, when there is no deployment (id or model:NAME@N).", valueName: "model"))
        var model: String?

        @Option(name: .customLong("input-json"), help: ArgumentHelp("The raw input as JSON; kept as a payload.", valueName: "json"))
        var inputJSON: String?

        @Option(name: .customLong("input-file"), help: ArgumentHelp("A file with the raw input; kept as a payload.", valueName: "path"))
        var inputFile: String?

        @Option(name: .customLong("input-commitment"), help: ArgumentHelp("A commitment the caller computed, sha256:<hex>.", valueName: "digest"))
        var inputCommitment: String?

        @Option(help: ArgumentHelp("The output as JSON, e.g. {\"label\":\"fraud\",\"score\":0.93}.", valueName: "json"))
        var output: String?

        @Option(name: .customLong("output-payload-file"), help: ArgumentHelp("A generated response to keep as a payload.", valueName: "path"))
        var outputPayloadFile: String?

        @Option(help: ArgumentHelp("Feature attributions as a JSON object, e.g. SHAP values.", valueName: "json"))
        var explanation: String?

        @Option(name: .customLong("latency-ms"), parsing: .unconditional, help: "Latency in milliseconds.")
        var latencyMs: Double?

        @Option(help: "Who asked for the prediction.")
        var caller: String?

        @Option(help: "Session id.")
        var session: String?

        @Option(help: ArgumentHelp("The data subject (customer or user id); the log keeps only its keyed hash.", valueName: "subject"))
        var subject: String?

        @Option(help: "Request id.")
        var request: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let latencyMs, !(latencyMs.isFinite && latencyMs >= 0) {
                throw ValidationError("--latency-ms must be a number of milliseconds, 0 or more, not \(latencyMs)")
            }
            if [inputJSON, inputFile, inputCommitment].compactMap({ $0 }).count > 1 {
                throw ValidationError("give only one of --input-json, --input-file and --input-commitment")
            }
        }

        func run() throws {
            var fields = try fromJSON.base(kind: "prediction")
            if let predictionID { fields["predictionId"] = .string(predictionID) }
            if let deployment { fields["deployment"] = .string(deployment) }
            if let model { fields["model"] = .string(model) }
            var payloads: [RecordWriter.Payload] = []
            if let inputJSON {
                let value = try FieldInput.json(inputJSON, flag: "--input-json")
                payloads.append(.init(field: "input", bytes: value.canonicalBytes))
            }
            if let inputFile {
                payloads.append(.init(field: "input", bytes: try FieldInput.readFile(inputFile, what: "input file")))
            }
            if let inputCommitment { fields["input"] = .string(inputCommitment) }
            if let outputPayloadFile {
                payloads.append(.init(field: "outputPayload", bytes: try FieldInput.readFile(outputPayloadFile, what: "output payload file")))
            }
            if let output { fields["output"] = try FieldInput.json(output, flag: "--output") }
            if let explanation { fields["explanation"] = try FieldInput.json(explanation, flag: "--explanation") }
            if let latencyMs { fields["latencyMs"] = .number(latencyMs) }
            if let caller { fields["caller"] = .string(caller) }
            if let session { fields["session"] = .string(session) }
            if let request { fields["request"] = .string(request) }
            if let subject { fields["subject"] = .string(subject) }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.prediction, fields: fields, payloads: payloads)
        }
    }
}
