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
        let first = try json(try w.ok("import", "mlflow", "--tracking-uri", "sqlite:///" + Self.fixture, "--json"))
        #expect(first["added"] as? Int == 4)
        let again = try json(try w.ok("import", "mlflow", "--tracking-uri", "sqlite:///" + Self.fixture, "--json"))
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
        for (uri, fragment) in [("sqlite:///" + copy, "schema revision ffff0000"), ("sqlite:///" + w.path + "/none.db", "there is no MLflow database"),
                                ("postgresql://db/mlflow", "only sqlite tracking URIs")] {
            let outcome = try w.lineage("import", "mlflow", "--tracking-uri", uri)
            #expect(outcome.status == 2, "\(uri): \(outcome.stderr)")
            #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
        }
        #expect(try w.logHead() == head)
    }

    @Test("every MLflow schema revision from 2.4 to 3.x whose imported tables are unchanged is read; an older one is refused naming it")
    func revisions() throws {
        let w = try Workspace()
        try w.ok("init")
        for (revision, accepted) in [("7f2a7d5fae7d", true), ("6953534de441", true), ("f4a9b2c7d1e6", true), ("3500859a5d39", false)] {
            let copy = w.path + "/\(revision).db"
            try FileManager.default.copyItem(atPath: Self.fixture, toPath: copy)
            #expect(try w.run("/usr/bin/env", ["sqlite3", copy, "UPDATE alembic_version SET version_num = '\(revision)'"], in: nil, stdin: nil).status == 0)
            let outcome = try w.lineage("import", "mlflow", "--tracking-uri", "sqlite:///\(revision).db")
            #expect(outcome.status == (accepted ? 0 : 2), "\(revision): \(outcome.stderr)")
            if !accepted { #expect(outcome.stderr.contains("schema revision \(revision)") && outcome.stderr.contains("mlflow db upgrade")) }
        }
    }

    @Test("the README's command as written: sqlite:///mlflow.db is relative, as in MLflow, and MLFLOW_TRACKING_URI is the default")
    func readmeCommand() throws {
        let w = try Workspace()
        try w.ok("init")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: w.path + "/mlflow.db")
        #expect(try w.ok("import", "mlflow", "--tracking-uri", "sqlite:///mlflow.db").hasPrefix("Imported"))
        w.environment["MLFLOW_TRACKING_URI"] = "sqlite:///mlflow.db?mode=ro"
        #expect(try w.ok("import", "mlflow").contains("0 new records"))
        w.environment["MLFLOW_TRACKING_URI"] = nil
        let missing = try w.lineage("import", "mlflow")
        #expect(missing.status == 2 && missing.stderr.contains("MLFLOW_TRACKING_URI"), "\(missing.stderr)")
    }
}

@Suite("lineage import dvc, from a dvc.lock made by the real DVC")
struct DVCImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/dvc").path

    @Test("stages become a transform and a run with deps, params and outs; md5 kept, SHA-256 computed; once")
    func importsPipeline() throws {
        let w = try Workspace()
        try w.ok("init")
        #expect(try json(try w.ok("import", "dvc", Self.fixture + "/dvc.lock", "--json"))["added"] as? Int == 6)
        #expect(try json(try w.ok("import", "dvc", Self.fixture, "--json"))["added"] as? Int == 0)
        let nodes = try #require(try json(try w.ok("trace", "model:model.pkl", "--json"))["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["ref"] as? String ?? "" } == ["model:model.pkl@1", "run:train", "dataset:data-prepared@1", "transform:prepare", "dataset:data-raw.csv@1"])
        let run = try #require(nodes[1]["record"] as? [String: Any])
        #expect((run["params"] as? [String: Any])?["train.lr"] as? Double == 0.1)
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double == 0.91)
        #expect((run["code"] as? [String: Any])?["path"] as? String == "train.py")
        let raw = try #require(nodes[4]["record"] as? [String: Any])
        let sums = try w.run("/bin/sh", ["-c", "cd '\(Self.fixture)' && md5sum data/raw.csv && sha256sum data/raw.csv"], in: nil, stdin: nil).stdout.split(separator: "\n")
        #expect((raw["externalDigests"] as? [String: Any])?["md5"] as? String == String(sums[0].prefix(32)))
        #expect(raw["digest"] as? String == "sha256:" + sums[1].prefix(64))
    }

    @Test("without the files beside it, digests come from the DVC descriptors")
    func filesAbsent() throws {
        let w = try Workspace()
        try w.ok("init")
        try FileManager.default.copyItem(atPath: Self.fixture + "/dvc.lock", toPath: w.path + "/dvc.lock")
        #expect(try json(try w.ok("import", "dvc", "--json"))["added"] as? Int == 6)
        let raw = try json(try w.ok("show", "dataset:data-raw.csv", "--json"))["record"] as? [String: Any]
        #expect((raw?["externalDigests"] as? [String: Any])?["md5"] as? String == "e6d280bb3f67705eb7c60d75d8282eff")
        #expect(raw?["files"] == nil)
    }

    @Test("a dvc.lock of an unsupported schema version: exit 2, nothing written")
    func unsupported() throws {
        let w = try Workspace()
        try w.ok("init")
        let head = try w.logHead()
        for (content, fragment) in [("schema: '3.0'\nstages: {}\n", "schema version 3.0 is not supported"),
                                    ("prepare:\n  cmd: python prepare.py\n", "DVC 1.x")] {
            try w.write("dvc.lock", content)
            let outcome = try w.lineage("import", "dvc", "dvc.lock")
            #expect(outcome.status == 2)
            #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
        }
        #expect(try w.logHead() == head)
    }
}
