import ArgumentParser
import LineageCore
import LineageEngine

extension Lineage {
    /// `lineage record transform`.
    struct RecordTransform: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transform",
            _superCommandName: "lineage record",
            abstract: "Record a data transformation: its command, code, parameters and input datasets.",
            discussion: "Register its output with `lineage add dataset PATH --name NAME --from TRANSFORM`."
        )

        @OptionGroup var execution: ExecutionOptions
        @OptionGroup var fromJSON: FromJSONOption
        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            var fields = try fromJSON.base(kind: "transform")
            try execution.apply(to: &fields)
            try RecordWriter(options: writeOptions, storeOptions: storeOptions).write(.transform, fields: fields)
        }
    }
}
