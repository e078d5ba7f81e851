import Foundation
import GRDB
import LineageCore

/// Reads an MLflow tracking database (its sqlite backend): experiments' runs with params, latest
/// metrics, tags and dataset inputs, logged datasets, and registered model versions.
public struct MLflowDatabase {
    /// Alembic revisions of MLflow's schema that this reader knows, oldest first: every revision from
    /// 7f2a7d5fae7d (MLflow 2.4, which added the datasets and inputs tables) to f4a9b2c7d1e6 (MLflow
    /// 3.18). None of them drops or renames a column this reader uses (datasets, runs, params,
    /// latest_metrics, tags, inputs, model_versions); they widen columns or add tables and columns.
    /// Read from MLflow's own migrations (mlflow/store/db_migrations/versions), in their chain order.
    public static let knownSchemas = [
        "7f2a7d5fae7d", "2d6e25af4d3e", "acf3f17fdcc7", "867495a8f9d4", "5b0e9adcef9c", "4465047574b1",
        "f5a4f2784254", "0584bdc529eb", "400f98739977", "6953534de441", "bda7b8c39065", "cbc13b556ace",
        "770bee3ae1dd", "a1b2c3d4e5f6", "de4033877273", "1a0cddfcaa16", "534353b11cbc", "71994744cf8e",
        "3da73c924c2f", "bf29a5ff90ea", "1bd49d398cd23", "b7c8d9e0f1a2", "5d2d30f0abce", "c9d4e5f6a7b8",
        "2c33131f4dae", "d3e4f5a6b7c8", "d0e1f2a3b4c5", "c8d9e0f1a2b3", "1b5f0d9ad7c1", "e1f2a3b4c5d6",
        "76601a5f987d", "c3d6457b6d8a", "a5b4c3d2e1f0", "ae8bbe7743c9", "7d34483879f0", "da6fb0208061",
        "89d3d66ed43f", "b7e4c1a90f23", "a8b9c0d1e2f3", "c1d2e3f4a5b6", "c3d9e7f1a2b4", "6f8d9c3b2a1e",
        "1971f2d9a75b", "17e22815139b", "b7e2c1a4d9f3", "75868b020152", "dc11669786a5", "e7d1f4b2a9c6",
        "8b6ad64cb8f5", "f4a9b2c7d1e6"
    ]

    /// A dataset MLflow logged.
    public struct Dataset {
        /// MLflow's dataset id.
        public let uuid: String
        /// The dataset's name.
        public let name: String
        /// MLflow's digest of the dataset (not SHA-256).
        public let digest: String
        /// Where MLflow says it came from: local, s3, …
        public let sourceType: String
        /// MLflow's source descriptor (often a path or URI).
        public let source: String
    }

    /// An active MLflow run.
    public struct Run {
        /// MLflow's run id.
        public let id: String
        /// The run's name.
        public let name: String
        /// The user MLflow recorded.
        public let user: String
        /// FINISHED, FAILED, KILLED or RUNNING.
        public let status: String
        /// Start, milliseconds since 1970.
        public let start: Int64?
        /// End, milliseconds since 1970.
        public let end: Int64?
        /// Params as MLflow stores them (text), sorted by key.
        public let params: [(String, String)]
        /// Latest metric values, sorted by key.
        public let metrics: [(String, Double)]
        /// The run's tags, such as mlflow.source.git.commit.
        public let tags: [String: String]
        /// Ids of the datasets the run logged as inputs.
        public let inputs: [String]
    }

    /// A version of a registered model.
    public struct ModelVersion {
        /// The registered model's name.
        public let name: String
        /// MLflow's version number.
        public let version: Int
        /// Where the version's artifact is.
        public let source: String
        /// The run that produced it, when known.
        public let runID: String?
    }

    /// The database file.
    public let path: String
    /// Every logged dataset.
    public let datasets: [Dataset]
    /// Every active run, oldest first.
    public let runs: [Run]
    /// Every registered model version.
    public let modelVersions: [ModelVersion]

    /// Opens a tracking database read-only and reads everything; refuses unknown schemas. The URI
    /// is read as MLflow (SQLAlchemy) reads it: `sqlite:///mlflow.db` is relative to the working
    /// directory, `sqlite:////abs/mlflow.db` absolute, a `?query` is ignored; a plain path is taken as is.
    public init(trackingURI: String) throws {
        var path = trackingURI
        if path.hasPrefix("sqlite:///") {
            path = String(path.dropFirst("sqlite:///".count))
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        } else if path.contains("://") || path.hasPrefix("sqlite:") {
            throw LineageError.input("only sqlite tracking URIs are supported (sqlite:///mlflow.db, relative, or sqlite:////abs/path/mlflow.db), not \(Names.printable(trackingURI))")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            let absolute = !path.hasPrefix("/") && FileManager.default.fileExists(atPath: "/" + path)
                ? " (sqlite:/// is relative, as in MLflow; for /\(path) write four slashes: sqlite:////\(path))" : ""
            throw LineageError.input("there is no MLflow database at \(Names.printable(path))\(absolute); check --tracking-uri")
        }
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            (datasets, runs, modelVersions) = try queue.read { db in
                guard try db.tableExists("alembic_version"),
                      let revision = try String.fetchOne(db, sql: "SELECT version_num FROM alembic_version") else {
                    throw LineageError.input("\(Names.printable(path)) is not an MLflow database (no alembic_version table)")
                }
                guard MLflowDatabase.knownSchemas.contains(revision) else {
                    throw LineageError.input("the MLflow database \(Names.printable(path)) has schema revision \(revision), which this lineage does not know (it reads MLflow's revisions \(MLflowDatabase.knownSchemas.first!) of MLflow 2.4 to \(MLflowDatabase.knownSchemas.last!) of MLflow 3.18); bring the database up to date with `mlflow db upgrade`, or use a newer lineage")
                }
                let datasets = try Row.fetchAll(db, sql: "SELECT dataset_uuid, name, digest, dataset_source_type, dataset_source FROM datasets").map {
                    Dataset(uuid: $0[0], name: $0[1], digest: $0[2], sourceType: $0[3], source: $0[4])
                }
                let runs = try Row.fetchAll(db, sql: "SELECT run_uuid, name, user_id, status, start_time, end_time FROM runs WHERE lifecycle_stage = 'active' ORDER BY start_time, run_uuid").map { row in
                    let id: String = row[0]
                    return Run(
                        id: id, name: row[1] ?? id, user: row[2] ?? "", status: row[3] ?? "", start: row[4], end: row[5],
                        params: try Row.fetchAll(db, sql: "SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key", arguments: [id]).map { ($0[0], $0[1]) },
                        metrics: try Row.fetchAll(db, sql: "SELECT key, value FROM latest_metrics WHERE run_uuid = ? ORDER BY key", arguments: [id]).map { ($0[0], $0[1]) },
                        tags: Dictionary(try Row.fetchAll(db, sql: "SELECT key, value FROM tags WHERE run_uuid = ?", arguments: [id]).map { ($0[0], $0[1]) }) { a, _ in a },
                        inputs: try String.fetchAll(db, sql: "SELECT source_id FROM inputs WHERE destination_type = 'RUN' AND source_type = 'DATASET' AND destination_id = ? ORDER BY source_id", arguments: [id]))
                }
                let versions = try Row.fetchAll(db, sql: "SELECT name, version, source, run_id FROM model_versions ORDER BY name, version").map {
                    ModelVersion(name: $0[0], version: $0[1], source: $0[2] ?? "", runID: $0[3])
                }
                return (datasets, runs, versions)
            }
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.input("cannot read the MLflow database \(Names.printable(path)): \(error)")
        }
    }

    /// A local file an MLflow source names, resolved against the database's directory; nil if absent.
    public func localFile(_ source: String) -> String? {
        var candidate = source
        if candidate.hasPrefix("file://") { candidate = String(candidate.dropFirst("file://".count)) }
        if !candidate.hasPrefix("/") { candidate = (path as NSString).deletingLastPathComponent + "/" + candidate }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) ? candidate : nil
    }
}
