import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage add dataset`: hashes files or directories and records a dataset version.
    struct AddDataset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dataset",
            _superCommandName: "lineage add",
            abstract: "Hash files or directories and record them as a version of a dataset.",
            discussion: """
                Files are streamed through SHA-256, never loaded whole. A directory (or several paths) \
                gets the digest of its manifest: one line "<sha256>  <path>" per file, sorted by path, \
                as sha256sum prints it. Adding content already registered under the name prints the \
                existing version. Prints the id and dataset:NAME@VERSION.
                """
        )

        @Argument(help: ArgumentHelp("Files or directories holding the data.", valueName: "path"))
        var paths: [String]

        @Option(help: "The dataset's name.")
        var name: String

        @Option(help: "Where the data lives (s3://…, https://…, a path).")
        var uri: String?

        @Option(name: .customLong("from"), help: ArgumentHelp("The transform or run that produced this data (id or name).", valueName: "transform"))
        var from: String?

        @Option(help: "The data format, e.g. csv or parquet.")
        var format: String?

        @Option(help: "The data's licence, e.g. CC-BY-4.0.")
        var license: String?

        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            do { try Names.validate(name, what: "dataset name") } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            let digest = try ArtifactDigest.compute(paths: paths, progress: Terminal.progress("hashing"))
            var fields = JSONObject()
            fields["name"] = .string(name)
            fields["digest"] = .string(digest.digest.description)
            fields["size"] = .number(Double(digest.size))
            fields["files"] = .number(Double(digest.files))
            fields["uri"] = uri.map(JSONValue.string)
            fields["derivedFrom"] = from.map(JSONValue.string)
            fields["format"] = format.map(JSONValue.string)
            fields["license"] = license.map(JSONValue.string)
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.dataset, fields: fields)
        }
    }
}
