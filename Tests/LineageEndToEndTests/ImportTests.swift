import Foundation
import Testing

@Suite("lineage import mlflow, from a fixture made by the real MLflow")
struct ImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/mlflow/mlflow.db").path

    @Test("runs, params, metrics, datasets and the registered model version become records, once")
    func importsOnce() throws {
        let w = try Workspace()
        try w.ok("init")
        let first = try json(try w.ok("import", "mlflow", "--tracking-uri", "sqlite://" + Self.fixture, "--json"))
        #expect(first["added"] as? Int == 4)
        let again = try json(try w.ok("import", "mlflow", "--tracking-uri", "sqlite://" + Self.fixture, "--json"))
        #expect(again["added"] as? Int == 0)
        #expect(again["existing"] as? Int == 4)
        let graph = try json(try w.ok("trace", "model:fraud-model", "--json"))
        let nodes = try #require(graph["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["ref"] as? String ?? "" } == ["model:fraud-model@1", "run:train-fraud-2", "dataset:train@1"])
        let run = try #require(nodes[1]["record"] as? [String: Any])
        #expect((run["params"] as? [String: Any])?["learning_rate"] as? Double == 0.05)
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double == 0.94)
        #expect((run["code"] as? [String: Any])?["commit"] as? String == "4f2a9c11")
        #expect(run["status"] as? String == "succeeded")
        #expect(run["startedAt"] as? String == "2026-01-01T01:00:00.000Z")
        let dataset = try #require(nodes[2]["record"] as? [String: Any])
        #expect((dataset["externalDigests"] as? [String: Any])?["mlflow"] as? String == "d1e2f3a4")
        // The dataset's file is beside the database, so its SHA-256 is of the content itself.
        let csv = try w.run("/bin/sh", ["-c", "sha256sum '\(URL(fileURLWithPath: Self.fixture).deletingLastPathComponent().path)/train.csv'"], in: nil, stdin: nil)
        #expect(dataset["digest"] as? String == "sha256:" + csv.stdout.prefix(64))
        #expect(try w.ok("query", "--kind", "run").split(separator: "\n").count == 2)
    }

    @Test("an MLflow database with an unknown schema, a missing database, or another backend: exit 2, nothing written")
    func refused() throws {
        let w = try Workspace()
        try w.ok("init")
        let copy = w.path + "/unknown.db"
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: copy)
        #expect(try w.run("/usr/bin/env", ["sqlite3", copy, "UPDATE alembic_version SET version_num = 'ffff0000'"], in: nil, stdin: nil).status == 0)
        let head = try w.logHead()
        for (uri, fragment) in [("sqlite://" + copy, "schema revision ffff0000"), ("sqlite://" + w.path + "/none.db", "there is no MLflow database"),
                                ("postgresql://db/mlflow", "only sqlite tracking URIs")] {
            let outcome = try w.lineage("import", "mlflow", "--tracking-uri", uri)
            #expect(outcome.status == 2, "\(uri): \(outcome.stderr)")
            #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
        }
        #expect(try w.logHead() == head)
    }
}
