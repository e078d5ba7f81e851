import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage record model`.
    struct RecordModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            _superCommandName: "lineage record",
            abstract: "Register a model artifact as the next version of a model name.",
            discussion: "Registering the same artifact digest under the same name again prints the existing version."
        )

        @Option(help: "The model's name.")
        var name: String?

        @Option(help: ArgumentHelp("The model artifact to hash.", valueName: "path"))
        var file: String?

        @Option(help: ArgumentHelp("The artifact's digest, sha256:<hex>, when the file is not at hand.", valueName: "digest"))
        var digest: String?

        @Option(name: .customLong("run"), help: ArgumentHelp("The run that produced it (id or name such as run:train).", valueName: "run"))
        var producedBy: String?

        @Option(help: "The artifact format, e.g. pickle, onnx.")
        var format: String?

        @Option(help: "Where the artifact is kept.")
        var uri: String?

        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if file != nil && digest != nil { throw ValidationError("give --file or --digest, not both") }
        }

        func run() throws {
            var fields = try fromJSON.base(kind: "model")
            if let name { fields["name"] = .string(name) }
            if let file {
                let artifact = try ArtifactDigest.compute(paths: [file], progress: Terminal.progress("hashing"))
                fields["digest"] = .string(artifact.digest.description)
                fields["size"] = .number(Double(artifact.size))
            }
            if let digest { fields["digest"] = .string(digest) }
            if fields["digest"] == nil {
                throw LineageError.input("a model needs its artifact: give --file PATH (or --digest sha256:<hex>)")
            }
            if let producedBy { fields["producedBy"] = .string(producedBy) }
            if let format { fields["format"] = .string(format) }
            if let uri { fields["uri"] = .string(uri) }
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.model, fields: fields)
        }
    }
}
