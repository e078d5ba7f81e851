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

@Suite("lineage import dvc, on pipelines made by the real DVC and scikit-learn")
struct DVCImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/dvc").path

    /// The fixture's git repositories (see make_fixture.sh), unpacked into the workspace.
    static func unpack(_ w: Workspace) throws {
        let tar = try w.run("/usr/bin/env", ["tar", "xzf", fixture + "/pipelines.tar.gz"], in: nil, stdin: nil)
        #expect(tar.status == 0, "\(tar.stderr)")
    }

    static func record(_ w: Workspace, _ reference: String) throws -> [String: Any] {
        try #require(try json(try w.ok("show", reference, "--json"))["record"] as? [String: Any])
    }

    @Test("a committed pipeline: source stage, transform and run with code version, params, metrics; the gate passes")
    func committedPipeline() throws {
        let w = try Workspace()
        try w.ok("init")
        try Self.unpack(w)
        #expect(try json(try w.ok("import", "dvc", "committed/dvc.lock", "--json"))["added"] as? Int == 6)
        let nodes = try #require(try json(try w.ok("trace", "model:model.pkl", "--json"))["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["ref"] as? String ?? "" } == ["model:model.pkl@1", "run:train", "dataset:data-prepared@1", "transform:split", "dataset:data-raw.csv@1"])
        let head = try w.run("/usr/bin/env", ["git", "-C", w.path + "/committed", "rev-parse", "HEAD"], in: nil, stdin: nil).stdout
        for reference in ["run:train", "transform:split", "transform:prepare"] {
            let code = try #require(try Self.record(w, reference)["code"] as? [String: Any])
            #expect(code["commit"] as? String == head.trimmingCharacters(in: .whitespacesAndNewlines), "\(reference)")
            #expect(code["branch"] as? String == "main" && code["dirty"] as? Bool == false, "\(code)")
        }
        let run = try Self.record(w, "run:train")
        #expect((run["code"] as? [String: Any])?["path"] as? String == "train.py")
        #expect((run["params"] as? [String: Any])?["train.n_estimators"] as? Double == 20)
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double == 0.9368)
        // metrics.json is the run's metrics, not a dataset; scripts are code, not datasets.
        for missing in ["dataset:metrics.json", "dataset:train.py", "dataset:prepare.py"] {
            #expect(try w.lineage("show", missing).status == 3, "\(missing)")
        }
        // prepare has no data deps: its out is a source dataset, tagged with the stage that made it.
        let raw = try Self.record(w, "dataset:data-raw.csv")
        #expect(raw["derivedFrom"] == nil && (raw["tags"] as? [String: Any])?["dvc.stage"] as? String == "prepare")
        let sums = try w.run("/bin/sh", ["-c", "md5sum committed/data/raw.csv && sha256sum committed/data/raw.csv"], in: nil, stdin: nil).stdout.split(separator: "\n")
        #expect((raw["externalDigests"] as? [String: Any])?["md5"] as? String == String(sums[0].prefix(32)))
        #expect(raw["digest"] as? String == "sha256:" + sums[1].prefix(64))
        let gate = try w.lineage("gate", "model:model.pkl")
        #expect(gate.status == 0 && gate.stdout.contains("PASSED"), "\(gate.stdout)\(gate.stderr)")
        // Datasets and models answer to the path they were imported from.
        #expect(try w.ok("impact", "data/raw.csv").contains("model model.pkl@1"))
        #expect(try w.ok("show", "data/prepared").hasPrefix("dataset data-prepared@1"))
        #expect(try w.ok("trace", "model.pkl").hasPrefix("model model.pkl@1"))
    }

    @Test("a workspace retrained by hand is refused, naming each file and both digests; --skip-stale skips that stage")
    func staleWorkspace() throws {
        let w = try Workspace()
        try w.ok("init")
        try Self.unpack(w)
        let head = try w.logHead()
        let refused = try w.lineage("import", "dvc", "stale")
        #expect(refused.status == 2)
        let md5 = { (file: String) in
            String(try w.run("/usr/bin/env", ["md5sum", "stale/" + file], in: nil, stdin: nil).stdout.prefix(32))
        }
        for fragment in ["'model.pkl' is md5 \(try md5("model.pkl")) in the workspace but e80f0590759ef5116ef3effe54bea1de in dvc.lock",
                         "'metrics.json' is md5 \(try md5("metrics.json"))", "train.n_estimators = 60 where dvc.lock has 20",
                         "dvc repro", "--skip-stale"] {
            #expect(refused.stderr.contains(fragment), "\(fragment): \(refused.stderr)")
        }
        #expect(try w.logHead() == head)
        let skipped = try w.lineage("import", "dvc", "stale", "--skip-stale", "--json")
        #expect(skipped.status == 0 && skipped.stderr.contains("skipped stage train"), "\(skipped.stderr)")
        #expect(try json(skipped.stdout)["added"] as? Int == 4)
        #expect(try w.lineage("show", "run:train").status == 3)
        #expect(try w.lineage("show", "model:model.pkl").status == 3)
    }

    @Test("re-import adds nothing after touch dvc.lock or a fresh checkout; a param change reuses the unchanged upstream")
    func reimport() throws {
        let w = try Workspace()
        try w.ok("init")
        try Self.unpack(w)
        #expect(try json(try w.ok("import", "dvc", "committed", "--json"))["added"] as? Int == 6)
        #expect(try w.run("/usr/bin/env", ["touch", "committed/dvc.lock"], in: nil, stdin: nil).status == 0)
        #expect(try json(try w.ok("import", "dvc", "committed", "--json"))["added"] as? Int == 0)
        // A fresh clone holds no DVC-tracked data (not pulled), then gets it back (as `dvc checkout` would).
        #expect(try w.run("/usr/bin/env", ["git", "clone", "-q", "committed", "clone"], in: nil, stdin: nil).status == 0)
        #expect(try json(try w.ok("import", "dvc", "clone", "--json"))["added"] as? Int == 0)
        #expect(try w.run("/bin/sh", ["-c", "cp -r committed/data committed/model.pkl clone/"], in: nil, stdin: nil).status == 0)
        #expect(try json(try w.ok("import", "dvc", "clone", "--json"))["added"] as? Int == 0)
        // `dvc repro` after train.n_estimators changed: a new run and model version, the same datasets.
        #expect(try json(try w.ok("import", "dvc", "changed", "--json"))["added"] as? Int == 2)
        let first = try #require(try json(try w.ok("trace", "model:model.pkl@1", "--json"))["nodes"] as? [[String: Any]])
        let second = try #require(try json(try w.ok("trace", "model:model.pkl@2", "--json"))["nodes"] as? [[String: Any]])
        #expect(first.count == 5 && second.count == 5)
        #expect(first[2]["id"] as? String == second[2]["id"] as? String && first[4]["id"] as? String == second[4]["id"] as? String)
        #expect(first[1]["id"] as? String != second[1]["id"] as? String)
        #expect(try w.ok("log", "--kind", "dataset").split(separator: "\n").count == 2)
    }

    @Test("scripts never committed: no code version, so the gate refuses")
    func untracked() throws {
        let w = try Workspace()
        try w.ok("init")
        try Self.unpack(w)
        try w.ok("import", "dvc", "untracked")
        let code = try #require(try Self.record(w, "run:train")["code"] as? [String: Any])
        #expect(code["commit"] == nil && code["dirty"] as? Bool == true)
        let gate = try w.lineage("gate", "model:model.pkl")
        #expect(gate.status == 1 && gate.stdout.contains("run train recorded no code version"), "\(gate.stdout)")
    }

    @Test("without the files beside it, digests come from the DVC descriptors")
    func filesAbsent() throws {
        let w = try Workspace()
        try w.ok("init")
        try Self.unpack(w)
        try FileManager.default.copyItem(atPath: w.path + "/committed/dvc.lock", toPath: w.path + "/dvc.lock")
        #expect(try json(try w.ok("import", "dvc", "--json"))["added"] as? Int == 6)
        let raw = try Self.record(w, "dataset:data-raw.csv")
        #expect((raw["externalDigests"] as? [String: Any])?["md5"] as? String == "eee760601575e6fe3b4b77c0c222cc06")
        #expect(raw["files"] == nil)
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
