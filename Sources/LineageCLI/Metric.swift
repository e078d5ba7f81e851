import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage metric`: reports metrics from inside `lineage run`.
    struct Metric: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metric",
            _superCommandName: "lineage",
            abstract: "Report metrics from a command started by `lineage run` (KEY=VALUE ...).",
            discussion: "Writes to $LINEAGE_METRICS_FILE, which `lineage run` sets; the run records them when the command ends."
        )

        @Argument(help: ArgumentHelp("Metrics as KEY=VALUE, e.g. auc=0.93.", valueName: "key=value"))
        var metrics: [String]

        func run() throws {
            guard let path = Environment.value("LINEAGE_METRICS_FILE"), !path.isEmpty else {
                throw LineageError.input("`lineage metric` reports to a run: call it from a command started by `lineage run`")
            }
            let object = try FieldInput.pairs(metrics, flag: "metric")
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw LineageError.storage("cannot write the run's metrics file \(path)")
            }
            defer { try? handle.close() }
            handle.seekToEndOfFile()
            handle.write(Data((JSONValue.object(object).canonicalString + "\n").utf8))
        }
    }
}
