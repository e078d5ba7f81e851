import Foundation
import LineageCore
import LineageStore

/// What importing an MLflow tracking database did.
public struct MLflowImportResult: Sendable {
    public let datasets: Int
    public let runs: Int
    public let modelVersions: Int
    public let added: Int
    public let existing: Int

    /// The `import mlflow --json` shape: `{"added", "existing"}`.
    public var json: JSONValue {
        .object(JSONObject([("added", .number(Double(added))), ("existing", .number(Double(existing)))]))
    }

    public var summary: String {
        "Imported from MLflow: \(datasets) datasets, \(runs) runs, \(modelVersions) model versions (\(added) new records, \(existing) already recorded)"
    }
}

extension Store {
    /// Records an MLflow tracking database's logged datasets, runs and registered model versions in
    /// one batch; what an earlier import recorded is found, not added again.
    public func importMLflow(_ mlflow: MLflowDatabase, actor: String) throws -> MLflowImportResult {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var datasetFields: [String: JSONObject] = [:]
        for dataset in mlflow.datasets {
            let descriptor = JSONValue.object(JSONObject([("digest", .string(dataset.digest)), ("source", .string(dataset.source)),
                                                          ("sourceType", .string(dataset.sourceType))]))
            var fields = try ImportedArtifact.contentFields(localFile: mlflow.localFile(dataset.source), descriptor: descriptor, countFiles: false)
            fields["name"] = .string(try ImportedArtifact.name(dataset.name, what: "MLflow dataset"))
            fields["uri"] = .string(dataset.source)
            fields["externalDigests"] = .object(JSONObject([("mlflow", .string(dataset.digest))]))
            fields["tags"] = .object(JSONObject([("mlflow.dataset_uuid", .string(dataset.uuid))]))
            datasetFields[dataset.uuid] = fields
        }
        let (counts, _) = try write(actor: actor) { tx in
            var added = 0, existing = 0
            func count(_ outcome: WriteTransaction.Outcome) -> Digest {
                if case .added = outcome { added += 1 } else { existing += 1 }
                return outcome.id
            }
            var datasetIDs: [String: Digest] = [:]
            for dataset in mlflow.datasets {
                datasetIDs[dataset.uuid] = count(try tx.register(.dataset, fields: datasetFields[dataset.uuid]!, timeMilliseconds: now, actor: actor))
            }
            var runIDs: [String: Digest] = [:]
            for run in mlflow.runs {
                var fields = JSONObject()
                fields["name"] = .string(try ImportedArtifact.name(run.name, what: "MLflow run"))
                if !run.params.isEmpty { fields["params"] = .object(JSONObject(run.params.map { ($0.0, FieldInput.typedValue($0.1)) })) }
                if !run.metrics.isEmpty { fields["metrics"] = .object(JSONObject(run.metrics.map { ($0.0, JSONValue.number($0.1)) })) }
                var code = JSONObject()
                code["commit"] = run.tags["mlflow.source.git.commit"].map(JSONValue.string)
                code["path"] = run.tags["mlflow.source.name"].map(JSONValue.string)
                code["repo"] = run.tags["mlflow.source.git.repoURL"].map(JSONValue.string)
                if !code.isEmpty { fields["code"] = .object(code) }
                fields["status"] = .string(["FINISHED": "succeeded", "FAILED": "failed", "KILLED": "failed"][run.status] ?? "running")
                fields["startedAt"] = run.start.map { .string(RecordTime.format(milliseconds: $0)) }
                fields["endedAt"] = run.end.map { .string(RecordTime.format(milliseconds: $0)) }
                fields["inputs"] = .array(run.inputs.compactMap { datasetIDs[$0] }.map { .string($0.description) })
                fields["tags"] = .object(JSONObject([("mlflow.run_id", .string(run.id))]))
                let author = run.user.isEmpty ? actor : "mlflow:" + run.user
                runIDs[run.id] = count(try tx.register(.run, fields: fields, timeMilliseconds: run.end ?? run.start ?? now, actor: author))
            }
            for version in mlflow.modelVersions {
                var fields = try ImportedArtifact.contentFields(
                    localFile: mlflow.localFile(version.source),
                    descriptor: .object(JSONObject([("source", .string(version.source))])), countFiles: false)
                fields["name"] = .string(try ImportedArtifact.name(version.name, what: "MLflow model"))
                fields["uri"] = .string(version.source)
                fields["producedBy"] = version.runID.flatMap { runIDs[$0] }.map { .string($0.description) }
                fields["tags"] = .object(JSONObject([("mlflow.registered_model", .string(version.name)),
                                                     ("mlflow.version", .string(String(version.version)))]))
                _ = count(try tx.register(.model, fields: fields, timeMilliseconds: now, actor: actor))
            }
            return (added, existing)
        }
        return MLflowImportResult(datasets: mlflow.datasets.count, runs: mlflow.runs.count, modelVersions: mlflow.modelVersions.count,
                                  added: counts.0, existing: counts.1)
    }
}
