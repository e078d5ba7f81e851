import Foundation
import Testing

/// Many writers: a training store and an inference store each write their own log, share them
/// through one bare git repository, and link, trace, count and verify across the two logs.
@Suite("many writers: other origins' logs")
struct OriginsTests {
    /// The training store (the workspace's own, origin example.com/train: a dataset, a run and the
    /// model fraud@1 made from it) pushed to `hub.git`, and an empty inference store in `infer/`
    /// (origin example.com/infer) with the same remote.
    static func twoStores() throws -> Workspace {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/train")
        try w.write("raw.csv", "a,b\n1,2\n")
        try w.write("model.bin", "weights\n")
        try w.ok("add", "dataset", "raw.csv", "--name", "raw")
        try w.ok("record", "run", "--name", "train", "--input", "dataset:raw")
        try w.ok("record", "model", "--name", "fraud", "--file", "model.bin", "--format", "bin", "--run", "run:train")
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/hub.git"], in: nil, stdin: nil)
        try w.ok("remote", "add", "hub", "hub.git")
        try w.ok("push", "hub")
        try FileManager.default.createDirectory(atPath: w.path + "/infer", withIntermediateDirectories: true)
        #expect(try on(w, "infer", "init", "--origin", "example.com/infer").status == 0)
        #expect(try on(w, "infer", "remote", "add", "hub", w.path + "/hub.git").status == 0)
        return w
    }

    /// Runs lineage on the store in `directory` of the workspace, as user bob.
    static func on(_ w: Workspace, _ directory: String, _ arguments: String...) throws -> Outcome {
        var environment = w.environment
        environment["LINEAGE_ACTOR"] = "bob@example.com"
        let saved = w.environment
        w.environment = environment
        defer { w.environment = saved }
        return try w.run(Workspace.binary, arguments + ["--store", w.path + "/" + directory + "/.lineage"], in: nil, stdin: nil)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("an inference store links to the training store's model after a pull; trace, impact and verify span both logs")
    func linkTraceImpactVerify() throws {
        let w = try OriginsTests.twoStores()
        // Before the pull the model is in no log the inference store holds: refused, nothing written.
        let early = try OriginsTests.on(w, "infer", "record", "deployment", "--model", "model:fraud@1", "--environment", "prod")
        #expect(early.status == 3 && early.stderr.contains("no model 'fraud' version 1") && early.stderr.contains("lineage pull"), "\(early.stderr)")
        let modelID = try #require(try OriginsTests.json(try w.ok("show", "model:fraud@1", "--json"))["id"] as? String)
        let byID = try OriginsTests.on(w, "infer", "record", "prediction", "--id", "p0", "--model", modelID, "--output", "{\"label\":\"ok\"}")
        #expect(byID.status == 3 && byID.stderr.contains("which no log here holds (example.com/infer)") && byID.stderr.contains("lineage pull"), "\(byID.stderr)")
        #expect(try SyncTests.head(w, "infer") == "")

        // The pull copies the training log (keys on first use, said loudly) beside the store's own.
        let pull = try OriginsTests.on(w, "infer", "pull", "hub")
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout.contains("hub holds no log of example.com/infer")
                && pull.stdout.contains("Pulled 3 batches of the log example.com/train from hub"), "\(pull.stdout)")
        #expect(pull.stderr.contains("TRUST ON FIRST USE: the keys of the log example.com/train")
                && pull.stderr.contains("lineage pull hub --origin example.com/train --key-fingerprint"), "\(pull.stderr)")
        #expect(FileManager.default.fileExists(atPath: w.path + "/infer/.lineage/origins/example.com%2Ftrain/config"))

        // Now the name resolves into the training log, and predictions go to the deployment.
        #expect(try OriginsTests.on(w, "infer", "record", "deployment", "--model", "model:fraud@1", "--environment", "prod").status == 0)
        try w.write("p.ndjson", (0..<5).map { "{\"predictionId\":\"p\($0)\",\"deployment\":\"deployment:fraud/prod\",\"output\":{\"label\":\"ok\"}}\n" }.joined())
        let ingest = try OriginsTests.on(w, "infer", "ingest", w.path + "/p.ndjson")
        #expect(ingest.status == 0, "\(ingest.stderr)")

        // The trace walks from the inference log into the training log, down to the raw data.
        let tree = try OriginsTests.on(w, "infer", "trace", "p3").stdout
        #expect(tree.contains("model fraud@1") && tree.contains("[log example.com/train]") && tree.contains("dataset raw@1"), "\(tree)")
        let graph = try OriginsTests.json(try OriginsTests.on(w, "infer", "trace", "p3", "--json").stdout)
        let nodes = try #require(graph["nodes"] as? [[String: Any]])
        #expect(graph["origin"] as? String == "example.com/infer" && nodes.count == 5, "\(graph)")
        #expect(Set(nodes.compactMap { $0["origin"] as? String }) == ["example.com/infer", "example.com/train"])
        #expect(nodes.first { $0["kind"] as? String == "dataset" }?["origin"] as? String == "example.com/train")
        #expect((graph["unresolved"] as? [Any])?.isEmpty == true)
        // show resolves into the copy; a bundle proves the upstream in each log against that log's checkpoint.
        #expect(try OriginsTests.on(w, "infer", "show", "model:fraud@1").stdout.contains("of the log example.com/train, pulled"))
        let prove = try OriginsTests.on(w, "infer", "prove", "p3")
        #expect(prove.status == 0, "\(prove.stderr)")
        try w.write("p3.json", prove.stdout)
        let bundle = try OriginsTests.json(prove.stdout)
        let logs = try #require(bundle["logs"] as? [[String: Any]])
        #expect(logs.count == 1 && (logs[0]["records"] as? [Any])?.count == 3 && (bundle["records"] as? [Any])?.count == 2)
        #expect((logs[0]["checkpoint"] as? String)?.hasPrefix("example.com/train\n") == true)
        try w.write("train.pub", try w.ok("key", "show"))
        try w.write("infer.pub", try OriginsTests.on(w, "infer", "key", "show").stdout)
        let checked = try w.lineage("verify-proof", "p3.json", "--key", "infer.pub", "--key", "train.pub", "--json")
        #expect(checked.status == 0, "\(checked.stderr)")
        let verdict = try OriginsTests.json(checked.stdout)
        #expect(verdict["records"] as? Int == 5 && (verdict["logs"] as? [[String: Any]])?.first?["origin"] as? String == "example.com/train", "\(verdict)")
        // Without the training log's key, or with its part altered, the bundle does not verify.
        let oneKey = try w.lineage("verify-proof", "p3.json", "--key", "infer.pub")
        #expect(oneKey.status == 1 && oneKey.stderr.contains("give that log's key with another --key"), "\(oneKey.stderr)")
        let model = try #require((logs[0]["records"] as? [[String: Any]])?.first?["canonical"] as? String)
        let altered = Data(try #require(Data(base64Encoded: model))).map { $0 == UInt8(ascii: "1") ? UInt8(ascii: "2") : $0 }
        try w.write("forged.json", prove.stdout.replacingOccurrences(of: model, with: Data(altered).base64EncodedString()))
        #expect(try w.lineage("verify-proof", "forged.json", "--key", "infer.pub", "--key", "train.pub").status == 1)
        // A crafted bundle: the other log given twice, or a part with a member the format does not define.
        var twice = bundle
        twice["logs"] = logs + logs
        try w.write("twice.json", String(decoding: try JSONSerialization.data(withJSONObject: twice), as: UTF8.self))
        let doubled = try w.lineage("verify-proof", "twice.json", "--key", "infer.pub", "--key", "train.pub")
        #expect(doubled.status == 1 && doubled.stderr.contains("which the bundle already holds"), "\(doubled.stderr)")
        var extra = bundle
        extra["logs"] = [logs[0].merging(["note": "x"]) { a, _ in a }]
        try w.write("extra.json", String(decoding: try JSONSerialization.data(withJSONObject: extra), as: UTF8.self))
        let unknown = try w.lineage("verify-proof", "extra.json", "--key", "infer.pub", "--key", "train.pub")
        #expect(unknown.status == 2 && unknown.stderr.contains("bundle log 0 is malformed"), "\(unknown.stderr)")

        // verify checks both logs and the links between them.
        let verify = try OriginsTests.on(w, "infer", "verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("OK: 6 records in 2 batches of example.com/infer")
                && verify.stdout.contains("Links from example.com/infer reach 1 record of other logs held here")
                && verify.stdout.contains("OK: the copy of the log example.com/train (pulled): 3 records"), "\(verify.stdout)")
        let verified = try OriginsTests.json(try OriginsTests.on(w, "infer", "verify", "--json").stdout)
        #expect(verified["foreignLinks"] as? Int == 1 && (verified["origins"] as? [[String: Any]])?.first?["origin"] as? String == "example.com/train")

        // The training store pulls the inference log back: impact counts the predictions made there.
        #expect(try OriginsTests.on(w, "infer", "push", "hub").status == 0)
        let back = try w.lineage("pull", "hub")
        #expect(back.status == 0 && back.stdout.contains("Pulled 2 batches of the log example.com/infer"), "\(back.stdout)\(back.stderr)")
        let impact = try OriginsTests.json(try w.ok("impact", "dataset:raw", "--json"))
        let deployments = try #require(impact["deployments"] as? [[String: Any]])
        #expect(deployments.count == 1 && deployments[0]["predictions"] as? Int == 5 && deployments[0]["origin"] as? String == "example.com/infer"
                && deployments[0]["ref"] as? String == "deployment:fraud/prod", "\(impact)")
        #expect(try w.ok("impact", "model:fraud@1").contains("deployment fraud/prod"))
        // query lists the training log's own records, then the inference log's that reach the model.
        let listed = try w.ok("query", "--model", "model:fraud@1", "--json").split(separator: "\n").map { try OriginsTests.json(String($0)) }
        #expect(listed.count == 7 && listed[0]["origin"] == nil && listed.dropFirst().allSatisfy { $0["origin"] as? String == "example.com/infer" }, "\(listed)")
        #expect(try w.ok("query", "--kind", "prediction").split(separator: "\n").count == 5)
        #expect(try w.ok("trace", "p1").contains("dataset raw@1"))
        #expect(try w.ok("verify").contains("OK: the copy of the log example.com/infer (pulled): 6 records"))
        try w.expectFsckClean()

        // The inference index's number for the training log's model, pointed at another id: verify names it.
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
        let sql = try w.run("/usr/bin/env", ["python3", "-c", script, w.path + "/infer/.lineage/index.sqlite",
                                             "UPDATE foreign_record SET id = zeroblob(32)"], in: nil, stdin: nil)
        #expect(sql.status == 0, "\(sql.stderr)")
        let tampered = try OriginsTests.on(w, "infer", "verify")
        #expect(tampered.status == 1 && tampered.stderr.contains("run `lineage reindex`"), "\(tampered.stdout)\(tampered.stderr)")
        #expect(try OriginsTests.on(w, "infer", "reindex").status == 0)
        #expect(try OriginsTests.on(w, "infer", "verify").status == 0)
        #expect(try OriginsTests.on(w, "infer", "query", "--linked-to", "deployment:fraud/prod").stdout.split(separator: "\n").count == 5)
    }

    @Test("a copy of another origin's log refuses a rewritten history; an auditor's clone holds both logs; a log not pulled stays unresolved")
    func forkCloneUnresolved() throws {
        let w = try OriginsTests.twoStores()
        #expect(try OriginsTests.on(w, "infer", "pull", "hub").status == 0)
        #expect(try OriginsTests.on(w, "infer", "record", "deployment", "--model", "model:fraud@1", "--environment", "prod").status == 0)
        #expect(try OriginsTests.on(w, "infer", "record", "prediction", "--id", "p0", "--deployment", "deployment:fraud/prod",
                                    "--output", "{\"label\":\"ok\"}").status == 0)
        #expect(try OriginsTests.on(w, "infer", "push", "hub").status == 0)

        // An auditor clones the inference log: the training log comes with it, and everything verifies.
        let clone = try w.lineage("clone", "file://" + w.path + "/hub.git", "audit", "--origin", "example.com/infer")
        #expect(clone.status == 0 && clone.stdout.contains("Also copied the log example.com/train: 3 records"), "\(clone.stdout)\(clone.stderr)")
        #expect(try OriginsTests.on(w, "audit", "verify").stdout.contains("reach 1 record of other logs held here"))
        #expect(try OriginsTests.on(w, "audit", "trace", "p0").stdout.contains("dataset raw@1"))

        // Someone replaces the training log on the hub with another history under the same origin.
        let impostor = w.path + "/impostor"
        try FileManager.default.createDirectory(atPath: impostor, withIntermediateDirectories: true)
        #expect(try OriginsTests.on(w, "impostor", "init", "--origin", "example.com/train").status == 0)
        try w.write("other.csv", "x\n")
        #expect(try OriginsTests.on(w, "impostor", "add", "dataset", w.path + "/other.csv", "--name", "other").status == 0)
        let forced = try w.run("/usr/bin/env", ["git", "--git-dir", impostor + "/.lineage", "push", "--quiet", "--force", w.path + "/hub.git",
                                                "refs/lineage/log/example.com/train", "refs/lineage/keys/example.com/train"], in: nil, stdin: nil)
        #expect(forced.status == 0, "\(forced.stderr)")
        let copy = "infer/.lineage/origins/example.com%2Ftrain"
        let before = try w.run("/usr/bin/env", ["git", "--git-dir", w.path + "/" + copy, "rev-parse", "refs/lineage/log/example.com/train"], in: nil, stdin: nil).stdout
        let refused = try OriginsTests.on(w, "infer", "pull", "hub")
        #expect(refused.status != 0 && refused.stderr.contains("the log example.com/train from hub"), "\(refused.stdout)\(refused.stderr)")
        let after = try w.run("/usr/bin/env", ["git", "--git-dir", w.path + "/" + copy, "rev-parse", "refs/lineage/log/example.com/train"], in: nil, stdin: nil).stdout
        #expect(before == after && !before.isEmpty)
        #expect(try OriginsTests.on(w, "infer", "verify").status == 0)

        // A hub that holds only the inference log: its clone verifies, and says what it could not check.
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/solo.git"], in: nil, stdin: nil)
        #expect(try OriginsTests.on(w, "infer", "remote", "add", "solo", w.path + "/solo.git").status == 0)
        #expect(try OriginsTests.on(w, "infer", "push", "solo").status == 0)
        #expect(try w.lineage("clone", "file://" + w.path + "/solo.git", "lone").status == 0)
        let lone = try OriginsTests.on(w, "lone", "verify")
        #expect(lone.status == 0 && lone.stdout.contains("reach 1 record of logs not held here"), "\(lone.stdout)\(lone.stderr)")
        let tree = try OriginsTests.on(w, "lone", "trace", "p0").stdout
        #expect(tree.contains("in a log not pulled here"), "\(tree)")
        // A remote's logs not pulled (here: pulled with --origin of another) are named when a link needs one.
        try FileManager.default.createDirectory(atPath: w.path + "/third", withIntermediateDirectories: true)
        #expect(try OriginsTests.on(w, "third", "init", "--origin", "example.com/third").status == 0)
        #expect(try OriginsTests.on(w, "third", "remote", "add", "hub", w.path + "/hub.git").status == 0)
        let only = try OriginsTests.on(w, "third", "pull", "hub", "--origin", "example.com/infer")
        #expect(only.status == 0 && !FileManager.default.fileExists(atPath: w.path + "/third/.lineage/origins/example.com%2Ftrain"), "\(only.stderr)")
        let needs = try OriginsTests.on(w, "third", "record", "prediction", "--id", "z", "--model", "sha256:" + String(repeating: "1", count: 64), "--output", "{}")
        #expect(needs.status != 0 && needs.stderr.contains("`lineage pull hub --origin example.com/train`"), "\(needs.stderr)")
        let pin = try OriginsTests.on(w, "lone", "pull", "--key-fingerprint", "SHA256:x")
        #expect(pin.status == 2 && pin.stderr.contains("name that origin once with --origin"), "\(pin.stderr)")
    }
}
