import Foundation
import Testing

@Suite("audit queries: query, impact, diff")
struct AuditTests {
    /// The demo chain plus a second model version deployed to prod, which serves one more prediction.
    static func twoVersions() throws -> (Workspace, DemoChain) {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        try w.write("model2.pkl", "version two\n")
        try w.ok("record", "model", "--name", "fraud", "--file", "model2.pkl", "--run", "run:train-fraud")
        try w.ok("record", "deployment", "--model", "model:fraud@2", "--environment", "prod")
        try w.ok("record", "prediction", "--id", "pred-9000", "--deployment", "deployment:fraud/prod", "--output", #"{"label":"legit"}"#)
        return (w, chain)
    }

    static func refs(_ ndjson: String) throws -> [String] {
        try ndjson.split(separator: "\n").map { try json(String($0))["ref"] as? String ?? "" }
    }

    @Test("predictions served by a model, through its deployments")
    func servedByModel() throws {
        let (w, _) = try Self.twoVersions()
        #expect(try Self.refs(try w.ok("query", "--kind", "prediction", "--model", "model:fraud@1", "--json")) == ["pred-8812"])
        #expect(try Self.refs(try w.ok("query", "--kind", "prediction", "--model", "model:fraud@2", "--json")) == ["pred-9000"])
        #expect(try Self.refs(try w.ok("query", "--kind", "prediction", "--deployment", "deployment:fraud/prod", "--json")) == ["pred-9000"])
        // Without a version: every version, with the versions' own records, approvals and deployments.
        #expect(try Self.refs(try w.ok("query", "--kind", "prediction", "--model", "model:fraud", "--json")) == ["pred-8812", "pred-9000"])
        let everything = try Self.refs(try w.ok("query", "--model", "model:fraud", "--json"))
        #expect(everything.contains("model:fraud@1") && everything.contains("model:fraud@2"))
        #expect(everything.contains("pred-8812") && everything.contains("pred-9000"))
        #expect(everything.filter { $0.hasPrefix("deployment:") }.count == 2, "\(everything)")
        #expect(try Self.refs(try w.ok("query", "--kind", "model", "--model", "model:fraud@2", "--json")) == ["model:fraud@2"])
    }

    @Test("filters by kind, name, actor, time window and record field; table, NDJSON and CSV")
    func filters() throws {
        let (w, _) = try Self.twoVersions()
        #expect(try Self.refs(try w.ok("query", "--kind", "model", "--name", "fraud", "--json")) == ["model:fraud@1", "model:fraud@2"])
        #expect(try w.ok("query", "--actor", "nobody@example.com").isEmpty)
        #expect(try w.ok("query", "--kind", "dataset", "--since", "1d").split(separator: "\n").count == 2)
        #expect(try w.ok("query", "--kind", "dataset", "--until", "2000-01-01").isEmpty)
        #expect(try Self.refs(try w.ok("query", "--kind", "prediction", "--where", #"output={"label":"fraud","score":0.93}"#, "--json")) == ["pred-8812"])
        let csv = try w.ok("query", "--kind", "model", "--csv").split(separator: "\n")
        #expect(csv.first == "id,seq,time,kind,ref,actor,record")
        #expect(csv.count == 3)
        #expect(csv[1].contains("\"{\"\"actor\"\""))
        #expect(try w.ok("query", "-n", "2").split(separator: "\n").count == 2)
    }

    @Test("bad filters: a malformed duration or an unknown field is refused with exit 2")
    func badFilters() throws {
        let (w, _) = try Self.twoVersions()
        for arguments in [["query", "--since", "yesterday"], ["query", "--until", "90x"], ["query", "--where", "colour=red"],
                          ["query", "--kind", "run", "--where", "predictionId=x"]] {
            let outcome = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("impact lists everything downstream of a source dataset and counts predictions per deployment")
    func impact() throws {
        let (w, chain) = try Self.twoVersions()
        let report = try json(try w.ok("impact", "dataset:raw", "--json"))
        let kinds = (report["records"] as? [[String: Any]] ?? []).map { $0["ref"] as? String ?? "" }
        for expected in ["transform:clean", "dataset:train@1", "run:train-fraud", "model:fraud@1", "model:fraud@2"] {
            #expect(kinds.contains(expected), "\(kinds) lacks \(expected)")
        }
        let deployments = try #require(report["deployments"] as? [[String: Any]])
        #expect(deployments.count == 2)
        let old = try #require(deployments.first { $0["id"] as? String == chain.ids["deployment"] })
        #expect(old["current"] as? Bool == false)
        #expect(old["predictions"] as? Int == 1)
        let current = try #require(deployments.first { $0["id"] as? String != chain.ids["deployment"] })
        #expect(current["current"] as? Bool == true)
        #expect(current["predictions"] as? Int == 1)
        #expect(!kinds.contains("pred-8812"))
        #expect(try w.ok("impact", "dataset:raw").contains("past, 1 prediction"))
    }

    @Test("diff shows what changed between two model versions' lineage")
    func diff() throws {
        let (w, _) = try Self.twoVersions()
        try w.write("data/clean/train.csv", "id,amount,label\n1,10,0\n2,999,1\n4,7,0\n")
        try w.ok("add", "dataset", "data/clean", "--name", "train", "--from", "transform:clean")
        try w.ok("record", "run", "--name", "retrain", "--input", "dataset:train@2", "--param", "learning_rate=0.2",
                 "--param", "n_estimators=100", "--metric", "auc=0.95", "--code-commit", "feedface")
        try w.write("model3.pkl", "version three\n")
        try w.ok("record", "model", "--name", "fraud", "--file", "model3.pkl", "--run", "run:retrain")
        let changes = try #require(try JSONSerialization.jsonObject(with: Data(try w.ok("diff", "model:fraud@1", "model:fraud@3", "--json").utf8)) as? [[String: Any]])
        let paths = Dictionary(uniqueKeysWithValues: changes.map { ($0["path"] as! String, $0) })
        // JSON types are kept: numbers stay numbers.
        #expect(paths["params.learning_rate"]?["before"] as? Double == 0.1)
        #expect(paths["params.learning_rate"]?["after"] as? Double == 0.2)
        #expect(paths["metrics.auc"]?["after"] as? Double == 0.95)
        #expect(!(paths["metrics.auc"]?["after"] is String))
        #expect(paths["code.commit"]?["after"] as? String == "feedface")
        #expect((paths["dataset.train"]?["after"] as? String)?.hasPrefix("@2 sha256:") == true)
        #expect(paths["params.n_estimators"] == nil)
        #expect(try w.ok("diff", "model:fraud@1", "model:fraud@3").contains("~ params.learning_rate: 0.1 → 0.2"))
        #expect(try w.ok("diff", "model:fraud@1", "model:fraud@1").contains("no differences"))
        #expect(try w.lineage("diff", "model:fraud@1", "dataset:raw").status == 2)
    }

    @Test("which model version served a deployment at a time: show deployment:NAME/ENV --at T")
    func servedAt() throws {
        let w = try Workspace()
        try w.ok("init")
        for version in 1...2 {
            try w.write("m\(version).pkl", "weights \(version)\n")
            try w.ok("record", "model", "--name", "fraud", "--file", "m\(version).pkl")
        }
        let first = Workspace.id(try w.ok("record", "deployment", "--model", "model:fraud@1", "--environment", "prod", "--time", "2026-10-01T00:00:00Z"))
        let second = Workspace.id(try w.ok("record", "deployment", "--model", "model:fraud@2", "--environment", "prod", "--time", "2026-11-01T00:00:00Z"))
        let model1 = Workspace.id(try w.ok("record", "model", "--name", "fraud", "--file", "m1.pkl"))
        #expect(try w.ok("show", "deployment:fraud/prod", "--at", "2026-10-15T12:00:00Z").contains("id: \(first)"))
        #expect(try w.ok("show", "deployment:fraud/prod", "--at", "2026-10-15").contains("model: \(model1)"))
        #expect(try w.ok("show", "deployment:fraud/prod", "--at", "2026-11-02T00:00:00+01:00").contains("id: \(second)"))
        #expect(try w.ok("show", "deployment:fraud/prod").contains("id: \(second)"))
        let before = try w.lineage("show", "deployment:fraud/prod", "--at", "2026-09-01")
        #expect(before.status == 3 && before.stderr.contains("was recorded at 2026-09-01T00:00:00.000Z"), "\(before.stderr)")
        #expect(try w.lineage("show", "deployment:fraud/prod", "--at", "yesterday").status == 2)
    }
}

@Suite("access records of CLI reads")
struct CLIAccessLogTests {
    @Test("off by default; once on, every read command logs the records it showed, the actor and the purpose, before showing them")
    func cliReadsLogged() throws {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        func accessRecords() throws -> [[String: Any]] {
            try w.ok("query", "--kind", "access", "--json").split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["record"] as! [String: Any]
            }
        }
        #expect(try w.ok("config", "access-log") == "off\n")
        try w.ok("show", "pred-8812")
        #expect(try accessRecords().isEmpty, "reads are not logged by default")

        #expect(try w.ok("config", "access-log", "on") == "on\n")
        let prediction = Workspace.id(try w.ok("query", "--kind", "prediction", "--csv").split(separator: "\n")[1].replacingOccurrences(of: ",", with: " "))
        try w.ok("show", "pred-8812", "--purpose", "customer dispute 8812")
        try w.ok("trace", "pred-8812")
        try w.ok("prove", "pred-8812")
        try w.ok("payload", "export", "pred-8812")
        try w.ok("query", "--kind", "model", "--since", "7d")
        let logged = try accessRecords()
        let byAction = Dictionary(grouping: logged) { $0["action"] as! String }
        let show = try #require(byAction["show"]?.first)
        #expect(show["interface"] as? String == "cli" && show["actor"] as? String == "alice@example.com")
        #expect(show["purpose"] as? String == "customer dispute 8812")
        #expect(show["records"] as? [String] == [prediction])
        #expect(Set(byAction["trace"]?.first?["records"] as? [String] ?? []) == Set(chain.ids.values))
        #expect(Set(byAction["prove"]?.first?["records"] as? [String] ?? []) == Set(chain.ids.values))
        #expect(byAction["payload"]?.first?["records"] as? [String] == [prediction])
        #expect(byAction["query"]?.contains { $0["query"] as? String == "kind=model since=7d" } == true)
        try w.ok("verify")

        #expect(try w.ok("config", "access-log", "off") == "off\n")
        let count = try accessRecords().count
        try w.ok("show", "pred-8812")
        #expect(try accessRecords().count == count, "a read logged after the access log was turned off")
    }
}
