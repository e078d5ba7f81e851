import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage record KIND`: appends one record.
    struct RecordCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a transform, run, model, deployment, approval, prediction or review.",
            discussion: """
                Each kind takes flags for its fields, or --from-json FILE|- for a whole record (flags \
                then override its fields). Links may be given as ids, short ids or names such as \
                model:fraud@3; a link to a record that is not in the store is refused and nothing is \
                written. Prints the new record's id. See docs/records.md for every field.
                """,
            subcommands: [RecordTransform.self, RecordRun.self, RecordModel.self, RecordDeployment.self,
                          RecordApproval.self, RecordPrediction.self, RecordReview.self]
        )
    }
}

/// `--from-json`, shared by every `record` subcommand.
struct FromJSONOption: ParsableArguments {
    @Option(name: .customLong("from-json"), help: ArgumentHelp("Read the record's fields from a JSON object in FILE, or - for standard input.", valueName: "file"))
    var fromJSON: String?

    /// The fields read from `--from-json`, minus `kind` (checked against `kind`).
    func base(kind: String) throws -> JSONObject {
        guard let path = fromJSON else { return JSONObject() }
        var object = try FieldInput.jsonObject(file: path, what: "--from-json input")
        if let given = object["kind"]?.stringValue, given != kind {
            throw LineageError.input("--from-json holds a \(given) record, but this command records a \(kind)")
        }
        object["kind"] = nil
        return object
    }
}
