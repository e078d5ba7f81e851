import Foundation
import Testing

@Suite("lineage ingest")
struct IngestTests {
    /// A store with a model deployed to prod, ready for predictions.
    static func serving() throws -> Workspace {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/serve")
        try w.ok("record", "model", "--name", "fraud", "--digest", "sha256:" + String(repeating: "a", count: 64))
        try w.ok("record", "deployment", "--model", "model:fraud", "--environment", "prod")
        return w
    }

    static func prediction(_ i: Int, label: String = "ok") -> String {
        #"{"predictionId":"p-\#(i)","deployment":"deployment:fraud/prod","time":"2026-11-22T10:00:00.000Z","input":{"amount":\#(i)},"output":{"label":"\#(label)"}}"#
    }

    static func lines(_ range: Range<Int>) -> String { range.map { prediction($0) + "\n" }.joined() }

    static func batchCount(_ w: Workspace) throws -> Int {
        Int(try w.git("rev-list", "--count", "refs/lineage/log/example.com/serve").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("records land in batches; re-ingesting is idempotent; a rebuilt index equals the incremental one")
    func batchesAndIdempotency() throws {
        let w = try Self.serving()
        try w.write("p.ndjson", Self.lines(0..<250))
        let first = try w.ok("ingest", "p.ndjson", "--batch-size", "100", "--json")
        let report = try json(first)
        #expect(report["records"] as? Int == 250)
        #expect(report["batches"] as? Int == 3)
        #expect(try Self.batchCount(w) == 2 + 3)
        // Ingest leaves the index's write-ahead log empty, so the next command has nothing to recover.
        let wal = try FileManager.default.attributesOfItem(atPath: w.path + "/.lineage/index.sqlite-wal")
        #expect((wal[.size] as? NSNumber)?.intValue == 0)
        let again = try json(try w.ok("ingest", "p.ndjson", "--json"))
        #expect(again["records"] as? Int == 0)
        #expect(again["duplicates"] as? Int == 250)
        #expect(try Self.batchCount(w) == 5)
        #expect(try w.ok("trace", "p-249").contains("input: committed"))
        let before = try w.ok("log", "--json", "-n", "1000")
        try w.ok("reindex")
        #expect(try w.ok("log", "--json", "-n", "1000") == before)
        #expect(try w.ok("verify").hasPrefix("OK: 252 records in 5 batches"))
        try w.expectFsckClean()
    }

    @Test("lines already in canonical form land like any other: segments written ahead, the same records as the full path makes, duplicates found on re-ingest")
    func canonicalLines() throws {
        let w = try Self.serving()
        let deployment = try #require(try json(try w.ok("show", "deployment:fraud/prod", "--json"))["id"] as? String)
        let input = "sha256:" + String(repeating: "1", count: 64)
        func canonical(_ i: Int, stamped: Bool = true) -> String {
            (stamped ? #"{"actor":"svc","# : "{") + #""deployment":"\#(deployment)","input":"\#(input)","latencyMs":\#(i),"#
                + #""output":{"label":"ok","score":0.25},"predictionId":"c-\#(i)""# + (stamped ? #","time":"2026-11-22T10:00:00.000Z"}"# : "}")
        }
        // The record a stamped line makes: the line with kind and schemaVersion added in order.
        func record(_ i: Int) -> String {
            canonical(i).replacingOccurrences(of: #","latencyMs""#, with: #","kind":"prediction","latencyMs""#)
                .replacingOccurrences(of: #","time""#, with: #","schemaVersion":1,"time""#)
        }
        // The second thread prepares a few thousand lines before the writer has resolved the
        // deployment for it; later lines are built there without a tree, and their batches' segments
        // are written there too.
        let count = 12_000
        try w.write("c.ndjson", (0..<count).map { canonical($0) + "\n" }.joined())
        let report = try json(try w.ok("ingest", "c.ndjson", "--batch-size", "1000", "--json"))
        #expect(report["records"] as? Int == count && report["batches"] as? Int == 12)
        // Every guess landed: no blob was written for nothing.
        #expect(!(try w.git("fsck", "--dangling").stdout.contains("dangling")))
        for i in [0, 5_000, count - 1] { #expect(try w.ok("show", "c-\(i)", "--canonical") == record(i) + "\n") }
        #expect(try w.ok("verify").hasPrefix("OK: 12002 records in 14 batches"))
        // The same predictions written with spaces and members in another order: duplicates.
        func spaced(_ i: Int) -> String {
            #"{ "predictionId": "c-\#(i)", "time": "2026-11-22T10:00:00.000Z", "actor": "svc", "deployment": "\#(deployment)", "#
                + #""input": "\#(input)", "output": {"score": 0.250, "label": "ok"}, "latencyMs": \#(i) }"#
        }
        try w.write("s.ndjson", (0..<count).map { spaced($0) + "\n" }.joined())
        let again = try json(try w.ok("ingest", "s.ndjson", "--json"))
        #expect(again["records"] as? Int == 0 && again["duplicates"] as? Int == count)
        // Lines without time or actor get them filled in, and re-ingesting them later finds duplicates.
        try w.write("n.ndjson", (count..<(2 * count)).map { canonical($0, stamped: false) + "\n" }.joined())
        #expect(try json(try w.ok("ingest", "n.ndjson", "--json"))["records"] as? Int == count)
        let repeated = try json(try w.ok("ingest", "n.ndjson", "--json"))
        #expect(repeated["records"] as? Int == 0 && repeated["duplicates"] as? Int == count)
        try w.expectFsckClean()
    }

    @Test("when a batch does not land as guessed (a line repeats one before it), guessing stops: only the guesses already written are left unreferenced, and everything lands")
    func guessMissed() throws {
        let w = try Self.serving()
        let deployment = try #require(try json(try w.ok("show", "deployment:fraud/prod", "--json"))["id"] as? String)
        func line(_ i: Int) -> String {
            #"{"deployment":"\#(deployment)","latencyMs":\#(i),"predictionId":"g-\#(i)","time":"2026-11-22T10:00:00.000Z"}"#
        }
        // Line 20,001 repeats line 20,000, which landed with the batch before (by then lines are built
        // and batches guessed on the second thread): batch 11 lands 1,999 records, not the 2,000 guessed.
        let lines = (0..<20_000).map(line) + [line(19_999)] + (20_000..<40_000).map(line)
        try w.write("g.ndjson", lines.map { $0 + "\n" }.joined())
        let report = try json(try w.ok("ingest", "g.ndjson", "--batch-size", "2000", "--json"))
        #expect(report["records"] as? Int == 40_000 && report["duplicates"] as? Int == 1 && report["batches"] as? Int == 21)
        // Left unreferenced: the segments (8 or 9 a batch) of the guesses written before the writer gave
        // up; the preparing thread runs at most nine chunks of 1,024 lines (five batches here) ahead.
        // Had it gone on guessing, the other guesses after it (about 85 segments) would be too.
        let dangling = try w.git("fsck", "--dangling").stdout.split(separator: "\n").filter { $0.hasPrefix("dangling blob") }
        #expect(!dangling.isEmpty && dangling.count <= 6 * 9)
        #expect(try w.ok("verify").hasPrefix("OK: 40002 records in 23 batches"))
        try w.expectFsckClean()
    }

    @Test("the first bad line stops ingest: earlier batches landed, its own batch and everything after did not")
    func atomicity() throws {
        let w = try Self.serving()
        try w.write("p.ndjson", Self.lines(0..<150) + "{not json}\n" + Self.lines(150..<200))
        let outcome = try w.lineage("ingest", "p.ndjson", "--batch-size", "100")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("line 151: invalid JSON"))
        #expect(outcome.stderr.contains("100 records in 1 batches (input lines up to 100)"))
        #expect(try Self.batchCount(w) == 3)
        #expect(try w.lineage("show", "p-99").status == 0)
        #expect(try w.lineage("show", "p-100").status == 3)
        try w.expectFsckClean()
    }

    @Test("--skip-invalid writes bad lines with line numbers and reasons, and lands the rest")
    func rejects() throws {
        let w = try Self.serving()
        try w.write("p.ndjson", Self.lines(0..<3) + "[1,2]\n" + Self.lines(3..<5) + #"{"predictionId":"q","deployment":"deployment:fraud/prod","latencyMs":"slow"}"# + "\n")
        let report = try json(try w.ok("ingest", "p.ndjson", "--skip-invalid", "--json"))
        #expect(report["records"] as? Int == 5)
        #expect(report["rejected"] as? Int == 2)
        let rejected = try String(contentsOfFile: w.path + "/p.ndjson.rejects.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(rejected.count == 2)
        let firstReject = try json(String(rejected[0]))
        #expect(firstReject["line"] as? Int == 4)
        #expect(firstReject["reason"] as? String == "a line must hold one JSON object")
        #expect(try json(String(rejected[1]))["line"] as? Int == 7)
    }

    /// Ingesting `content` must fail with exit 2 naming `fragment`, leave the log head where it was,
    /// and leave the store clean for git fsck.
    static func expectRefused(_ content: [UInt8], mentioning fragment: String, extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let w = try serving()
        try Data(content).write(to: URL(fileURLWithPath: w.path + "/bad.ndjson"))
        let head = try w.logHead()
        let outcome = try w.run(Workspace.binary, ["ingest", "bad.ndjson"] + extra, in: nil, stdin: nil)
        #expect(outcome.status == 2, "\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.split(separator: "\n").count == 1, sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
        #expect(try w.logHead() == head, sourceLocation: sourceLocation)
        try w.expectFsckClean(sourceLocation: sourceLocation)
    }

    @Test("a truncated last line")
    func truncated() throws {
        try Self.expectRefused(Array((Self.lines(0..<2) + #"{"predictionId":"p-9","deployment":"#).utf8), mentioning: "line 3: the last line is cut off")
    }

    @Test("invalid JSON")
    func invalidJSON() throws {
        try Self.expectRefused(Array((Self.lines(0..<2) + "{\"predictionId\": \"x\",}\n").utf8), mentioning: "line 3: invalid JSON")
    }

    @Test("invalid UTF-8")
    func invalidUTF8() throws {
        try Self.expectRefused(Array(Self.lines(0..<1).utf8) + Array(#"{"predictionId":"caf"#.utf8) + [0xE9] + Array("\"}\n".utf8),
                               mentioning: "line 2: invalid JSON: invalid UTF-8")
    }

    @Test("a 100 MB line is refused without being loaded whole")
    func hugeLine() throws {
        var content = Array(Self.lines(0..<1).utf8) + Array(#"{"predictionId":"big","deployment":"deployment:fraud/prod","output":""#.utf8)
        content += [UInt8](repeating: UInt8(ascii: "x"), count: 100 << 20)
        content += Array("\"}\n".utf8)
        try Self.expectRefused(content, mentioning: "line 2: the line is 1048576")
    }

    @Test("fields of the wrong type")
    func wrongType() throws {
        try Self.expectRefused(Array(#"{"predictionId":"p","deployment":"deployment:fraud/prod","latencyMs":"fast"}"#.utf8 + [0x0A]),
                               mentioning: "line 1: field 'latencyMs' must be a number, not a string")
    }

    @Test("an unknown deployment id")
    func unknownDeployment() throws {
        try Self.expectRefused(Array(#"{"predictionId":"p","deployment":"deployment:ghost/prod"}"#.utf8 + [0x0A]),
                               mentioning: "line 1: links to 'deployment:ghost/prod', which no log here holds")
        try Self.expectRefused(Array(("{\"predictionId\":\"p\",\"deployment\":\"sha256:" + String(repeating: "0", count: 64) + "\"}\n").utf8),
                               mentioning: "which no log here holds")
        // The same lines in canonical form (members in order), which ingest reads without a tree.
        try Self.expectRefused(Array(#"{"deployment":"deployment:ghost/prod","predictionId":"p"}"#.utf8 + [0x0A]),
                               mentioning: "line 1: links to 'deployment:ghost/prod', which no log here holds")
        try Self.expectRefused(Array(("{\"deployment\":\"sha256:" + String(repeating: "0", count: 64) + "\",\"predictionId\":\"p\"}\n").utf8),
                               mentioning: "line 1: links to 'sha256:0000")
    }

    @Test("a prediction id reused with different content, in the input or against the store")
    func reusedID() throws {
        try Self.expectRefused(Array((Self.prediction(1) + "\n" + Self.prediction(1, label: "fraud") + "\n").utf8),
                               mentioning: "line 2: prediction id 'p-1' is reused with different content")
        let w = try Self.serving()
        try w.write("a.ndjson", Self.lines(0..<3))
        try w.ok("ingest", "a.ndjson")
        let head = try w.logHead()
        try w.write("b.ndjson", Self.prediction(2, label: "fraud") + "\n")
        let outcome = try w.lineage("ingest", "b.ndjson")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("prediction id 'p-2' is already recorded"))
        #expect(try w.logHead() == head)
        // With --skip-invalid the refused line goes to the reject file and the rest of its batch lands.
        try w.write("c.ndjson", Self.prediction(1) + "\n" + Self.prediction(2, label: "fraud") + "\n" + Self.lines(3..<5))
        let report = try json(try w.ok("ingest", "c.ndjson", "--skip-invalid", "--json"))
        #expect(report["records"] as? Int == 2)
        #expect(report["duplicates"] as? Int == 1)
        #expect(report["rejected"] as? Int == 1)
        let rejected = try String(contentsOfFile: w.path + "/c.ndjson.rejects.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(rejected.count == 1)
        #expect(try json(String(rejected[0]))["line"] as? Int == 2)
        #expect(try w.ok("show", "p-4").contains("p-4"))
    }

    @Test("standard input is read as a stream: lines are validated as they come, with the same checks")
    func fromStandardInput() throws {
        let w = try Self.serving()
        let landed = try w.lineage("ingest", "-", "--json", stdin: Self.lines(0..<30))
        #expect(landed.status == 0, "\(landed.stderr)")
        #expect(try json(landed.stdout)["records"] as? Int == 30)
        let head = try w.logHead()
        let refused = try w.lineage("ingest", "-", stdin: Self.lines(30..<32) + Self.prediction(3, label: "fraud") + "\n")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("line 3: prediction id 'p-3' is already recorded"))
        #expect(try w.logHead() == head)
    }
}
