import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage import dvc`: DVC pipeline stages from a dvc.lock.
    struct ImportDVC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dvc",
            _superCommandName: "lineage import",
            abstract: "Import the stages of a DVC pipeline (dvc.lock, schema 2.0) with their deps, params, outs, metrics and code version.",
            discussion: """
                Each stage becomes a run when it writes a model file (.pkl, .joblib, .onnx, .pt, .pth, .h5, .keras, \
                .model) or its name contains "train", else a transform. Data deps become its input datasets (the outs \
                of earlier stages, or source datasets). A stage with no data deps makes source data: its outs are \
                source datasets tagged dvc.stage. Script deps (.py, .sh, .R, .ipynb) are the stage's code: the git \
                commit and branch of the repository holding dvc.lock, and whether those scripts have uncommitted \
                changes. Metrics files (dvc.yaml's metrics) become the run's metrics; other outs become datasets \
                derived from the stage, or models produced by it. Datasets and models are named after their path \
                ('/' becomes '-'), and can be referred to by that path too (lineage trace data/raw.csv). \
                DVC's md5 is kept in externalDigests.md5; the SHA-256 is computed when the file is present, else it \
                is the SHA-256 of the DVC descriptor.

                The workspace must hold what dvc.lock says: a dep, out or param that differs (what `dvc status` \
                calls modified) is refused, naming each; run `dvc repro` or `dvc commit` first, or pass \
                --skip-stale to import only the stages that agree. Importing again adds only stages whose \
                dvc.lock entry changed (touching dvc.lock or a fresh checkout adds nothing).
                """
        )

        @Argument(help: ArgumentHelp("The dvc.lock file, or the directory holding it.", valueName: "path"))
        var path: String = "dvc.lock"

        @Flag(help: "Import the stages that agree with the workspace, and skip (naming them) those that do not and the stages downstream of them.")
        var skipStale = false

        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let pipeline = try DVCPipeline.load(path)
            let store = try storeOptions.open()
            let result = try store.importDVC(pipeline, skipStale: skipStale, actor: try writeOptions.resolvedActor())
            for (stage, why) in result.skipped {
                Terminal.standardError("lineage: skipped stage \(stage): \(why)\n")
            }
            print(writeOptions.json ? result.json.canonicalString : result.summary)
        }
    }
}
