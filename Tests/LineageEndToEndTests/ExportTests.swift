import Foundation
import Testing

@Suite("exports, checked by the real validators")
struct ExportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let validators = root.appendingPathComponent("Tests/validators").path
    static let schemas = root.deletingLastPathComponent().appendingPathComponent("shared/schemas/openlineage").path

    static func validate(_ w: Workspace, _ script: String, _ arguments: [String]) throws -> Outcome {
        try w.run("/usr/bin/env", ["python3", validators + "/" + script] + arguments, in: nil, stdin: nil)
    }

    @Test("OpenLineage RunEvents validate against the 2-0-2 schema and their facets' schemas, whole store and one trace")
    func openLineage() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        try w.write("all.ndjson", try w.ok("export", "--format", "openlineage"))
        let all = try Self.validate(w, "validate_openlineage.py", [Self.schemas, w.path + "/all.ndjson"])
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.hasPrefix("2 events valid"))
        let events = try String(contentsOfFile: w.path + "/all.ndjson", encoding: .utf8).split(separator: "\n").map { try json(String($0)) }
        let run = try #require(events.first { ($0["job"] as? [String: Any])?["name"] as? String == "train-fraud" })
        #expect((run["inputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["train"])
        #expect((run["outputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["model:fraud"])
        try w.write("trace.ndjson", try w.ok("export", "--format", "openlineage", "pred-8812"))
        #expect(try Self.validate(w, "validate_openlineage.py", [Self.schemas, w.path + "/trace.ndjson"]).status == 0)
        // The validator is strict: a broken event fails it.
        try w.write("broken.ndjson", try String(contentsOfFile: w.path + "/all.ndjson", encoding: .utf8)
            .replacingOccurrences(of: "\"eventTime\":\"", with: "\"eventTime\":\"not a time "))
        #expect(try Self.validate(w, "validate_openlineage.py", [Self.schemas, w.path + "/broken.ndjson"]).status == 1)
    }

    @Test("PROV-JSON loads with the prov package and validates against the schema it ships")
    func prov() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        try w.write("prov.json", try w.ok("export", "--format", "prov"))
        let outcome = try Self.validate(w, "validate_prov.py", [w.path + "/prov.json"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("6 entities, 2 activities, 1 agents"))
        try w.write("broken.json", "{\"entity\": {\"lineage:x\": 5}}")
        #expect(try Self.validate(w, "validate_prov.py", [w.path + "/broken.json"]).status == 1)
    }

    @Test("dot and mermaid graphs of the whole store")
    func graphs() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        let dot = try w.ok("export", "--format", "dot")
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 8)
        let mermaid = try w.ok("export", "--format", "mermaid")
        #expect(mermaid.hasPrefix("graph BT\n"))
        #expect(mermaid.contains("-->|producedBy|"))
        #expect(try w.lineage("export", "--format", "yaml").status == 2)
    }
}
