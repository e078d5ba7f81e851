import Foundation
import Testing

@Suite("trace, end to end")
struct TraceTests {
    /// The record headlines of a tree trace, without tree drawing: "relation → kind name".
    static func headlines(_ tree: String) -> [String] {
        tree.split(separator: "\n").compactMap { line in
            let text = line.drop { "│├└─ ".contains($0) }
            guard text.contains("  sha256:") else { return nil }
            return String(text.components(separatedBy: "  sha256:")[0]) + (text.hasSuffix("(shown above)") ? " (shown above)" : "")
        }
    }

    @Test("the demo chain traces from a prediction back to its source data, node by node")
    func treeTrace() throws {
        let workspace = try Workspace()
        let chain = try DemoChain(in: workspace, checkEachStep: true)
        let tree = try workspace.ok("trace", "pred-8812")
        #expect(Self.headlines(tree) == [
            "prediction pred-8812",
            "deployment → deployment fraud/prod",
            "model → model fraud@1",
            "producedBy → run train-fraud",
            "inputs → dataset train@1",
            "derivedFrom → transform clean",
            "inputs → dataset raw@1",
            "approval → approval " + "sha256:" + chain.ids["approval"]!.dropFirst(7).prefix(12),
            "model → model fraud@1 (shown above)",
        ])
        for detail in ["output: label=fraud, score=0.93", "input: committed sha256:", "(payload stored)",
                       "params: learning_rate=0.1, n_estimators=100", "metrics: auc=0.93",
                       "code: https://git.example/fraud.git @ deadbeefcafe", "status: succeeded",
                       "deploy, environment prod, endpoint https://api.example/fraud", "uri: s3://bank/raw.csv",
                       "source dataset"] {
            #expect(tree.contains(detail), "missing \(detail) in\n\(tree)")
        }
        // The same trace from the record id, a short id and a name.
        #expect(try workspace.ok("trace", chain.ids["prediction"]!) == tree)
        #expect(try workspace.ok("trace", String(chain.ids["prediction"]!.dropFirst(7).prefix(10))) == tree)
        #expect(try workspace.ok("trace", "prediction:pred-8812") == tree)
    }

    @Test("--json gives a graph whose nodes carry records and whose edges carry relations")
    func jsonTrace() throws {
        let workspace = try Workspace()
        let chain = try DemoChain(in: workspace)
        let output = try workspace.ok("trace", "pred-8812", "--json")
        let graph = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(graph["root"] as? String == chain.ids["prediction"])
        let nodes = try #require(graph["nodes"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0["id"] as! String, $0) })
        #expect(Set(byID.keys) == Set(chain.ids.values))
        let run = try #require(byID[chain.ids["run"]!]?["record"] as? [String: Any])
        #expect((run["params"] as? [String: Any])?["n_estimators"] as? Int == 100)
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double == 0.93)
        let prediction = try #require(byID[chain.ids["prediction"]!])
        #expect((prediction["payloads"] as? [String: String])?["input"] == "stored")
        let edges = try #require(graph["edges"] as? [[String: String]])
        let triples = Set(edges.map { "\($0["from"]!) \($0["relation"]!) \($0["to"]!)" })
        let i = chain.ids
        #expect(triples == [
            "\(i["prediction"]!) deployment \(i["deployment"]!)",
            "\(i["deployment"]!) model \(i["model"]!)",
            "\(i["deployment"]!) approval \(i["approval"]!)",
            "\(i["approval"]!) model \(i["model"]!)",
            "\(i["model"]!) producedBy \(i["run"]!)",
            "\(i["run"]!) inputs \(i["train"]!)",
            "\(i["train"]!) derivedFrom \(i["clean"]!)",
            "\(i["clean"]!) inputs \(i["raw"]!)",
        ])
    }

    @Test("--format dot gives a Graphviz digraph with one edge per link")
    func dotTrace() throws {
        let workspace = try Workspace()
        let chain = try DemoChain(in: workspace)
        let dot = try workspace.ok("trace", "pred-8812", "--format", "dot")
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 8)
        #expect(dot.contains("\"\(chain.ids["model"]!)\" -> \"\(chain.ids["run"]!)\" [label=\"producedBy\"]"))
    }

    @Test("raw prediction inputs stay out of git and live in the payload store")
    func payloadsStayOutOfGit() throws {
        let workspace = try Workspace()
        _ = try DemoChain(in: workspace)
        let objects = try workspace.git("cat-file", "--batch-all-objects", "--batch")
        #expect(objects.status == 0)
        #expect(objects.stdout.contains("pred-8812"))
        #expect(!objects.stdout.contains("Jane Roe"))
        // One sealed pack for the batch, owner-only; the raw bytes are nowhere on disk in clear,
        // and `payload export` gives them back.
        let packs = try FileManager.default.contentsOfDirectory(atPath: workspace.path + "/.lineage/payloads/packs")
        #expect(packs.count == 1 && packs[0].hasSuffix(".pack"))
        let pack = workspace.path + "/.lineage/payloads/packs/" + packs[0]
        #expect((try FileManager.default.attributesOfItem(atPath: pack)[.posixPermissions] as? Int) == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: workspace.path + "/.lineage/payloads")[.posixPermissions] as? Int) == 0o700)
        #expect(!(try Data(contentsOf: URL(fileURLWithPath: pack))).contains(Data("Jane Roe".utf8)))
        let exported = try JSONSerialization.jsonObject(with: Data(try workspace.ok("payload", "export", "pred-8812").utf8)) as? [String: Any]
        let payload = Data(base64Encoded: exported?["payload"] as? String ?? "") ?? Data()
        #expect(String(decoding: payload, as: UTF8.self).contains("Jane Roe"))
    }

    @Test("stock git log on the log ref shows one readable message per batch")
    func gitLog() throws {
        let workspace = try Workspace()
        _ = try DemoChain(in: workspace)
        let log = try workspace.git("log", "--format=%s", "refs/lineage/log/example.com/fraud")
        #expect(log.stdout.split(separator: "\n").first == "Record prediction pred-8812")
        #expect(log.stdout.contains("Record dataset raw@1"))
        #expect(log.stdout.contains("Record model fraud@1"))
        #expect(log.stdout.split(separator: "\n").count == 8)
        let body = try workspace.git("log", "-1", "--format=%b", "refs/lineage/log/example.com/fraud").stdout
        #expect(body.contains("Lineage-Origin: example.com/fraud"))
        #expect(body.contains("Lineage-Batch: 7"))
    }

    @Test("a rebuilt index answers exactly as the incremental one did")
    func reindex() throws {
        let workspace = try Workspace()
        _ = try DemoChain(in: workspace)
        let before = try workspace.ok("trace", "pred-8812", "--json")
        let logBefore = try workspace.ok("log", "--json", "-n", "100")
        #expect(try workspace.ok("reindex") == "Indexed 8 records in 8 batches\n")
        #expect(try workspace.ok("trace", "pred-8812", "--json") == before)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: workspace.path + "/.lineage/index.sqlite" + suffix)
        }
        #expect(try workspace.ok("log", "--json", "-n", "100") == logBefore)
        #expect(try workspace.ok("trace", "pred-8812", "--json") == before)
    }
}
