import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage import mlflow`: runs, params, metrics, datasets and registered models from MLflow.
    struct ImportMLflow: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mlflow",
            _superCommandName: "lineage import",
            abstract: "Import MLflow runs, params, metrics, datasets and registered model versions.",
            discussion: """
                Reads an MLflow tracking database (sqlite backend) and records, in one batch: each logged dataset \
                (its SHA-256 computed when its source file is present, else the SHA-256 of its MLflow descriptor; \
                MLflow's digest kept in externalDigests.mlflow), each active run (params, latest metrics, git \
                commit and source tags, status, start and end, dataset inputs) and each registered model version \
                (produced by its run). Importing again adds nothing new.
                """
        )

        @Option(name: .customLong("tracking-uri"), help: ArgumentHelp("The MLflow tracking database, as MLflow reads it: sqlite:///mlflow.db (relative) or sqlite:////abs/mlflow.db (default: $MLFLOW_TRACKING_URI).", valueName: "uri"))
        var trackingURI: String?

        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            guard let uri = trackingURI ?? Environment.value("MLFLOW_TRACKING_URI"), !uri.isEmpty else {
                throw LineageError.input("give the tracking database with --tracking-uri sqlite:///mlflow.db, or set MLFLOW_TRACKING_URI as for MLflow")
            }
            let mlflow = try MLflowDatabase(trackingURI: uri)
            let store = try storeOptions.open()
            let result = try store.importMLflow(mlflow, actor: try writeOptions.resolvedActor())
            print(writeOptions.json ? result.json.canonicalString : result.summary)
        }
    }
}
