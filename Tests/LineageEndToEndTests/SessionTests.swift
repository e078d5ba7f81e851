import Foundation
import Testing

@Suite("lineage session: many commands in one process")
struct SessionTests {
    static func replies(_ outcome: Outcome) throws -> [[String: Any]] {
        try outcome.stdout.split(separator: "\n").map { try json(String($0)) }
    }

    @Test("each line runs one command and gets one reply, with the exit code and message it has alone")
    func commands() throws {
        let w = try Workspace()
        try w.ok("init", "-q")
        try w.write("x.csv", "a,b\n1,2\n")
        try w.ok("reindex") // leaves the index's write-ahead log empty
        let input = [
            #"["add","dataset","x.csv","--name","x","--json"]"#,
            #"["show","dataset:nope"]"#,
            #""not an array""#,
            #"["record","run","--name","r1","--param","lr=0.1","--metric","auc=0.9","--json"]"#,
            #"["session"]"#,
            #"["ingest","-"]"#,
            #"["log","--help"]"#,
            #"["log","--kind","run"]"#,
        ].joined(separator: "\n") + "\n"
        let outcome = try w.lineage("session", stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // The session's writes stay in a long write-ahead log, emptied when the session ends, so the
        // next command has none to read.
        let wal = try FileManager.default.attributesOfItem(atPath: w.path + "/.lineage/index.sqlite-wal")
        #expect((wal[.size] as? NSNumber)?.intValue == 0)
        let replies = try Self.replies(outcome)
        try #require(replies.count == 8)
        #expect(replies.map { $0["exit"] as? Int } == [0, 3, 2, 0, 2, 2, 0, 0])
        let added = try json(try #require(replies[0]["stdout"] as? String))
        #expect(added["id"] as? String == (try json(try w.ok("show", "dataset:x", "--json")))["id"] as? String)
        #expect((replies[1]["error"] as? String)?.contains("nope") == true)
        #expect((replies[2]["error"] as? String)?.contains("JSON array of strings") == true)
        #expect((replies[4]["error"] as? String)?.contains("cannot start another session") == true)
        #expect((replies[5]["error"] as? String)?.contains("cannot read standard input") == true)
        #expect((replies[6]["stdout"] as? String)?.contains("USAGE: lineage log") == true)
        #expect((replies[7]["stdout"] as? String)?.contains("run:r1") == true)
        #expect(try w.ok("log", "--kind", "run").contains("run:r1"))
        // Each reply holds only its own command's output, whatever came before it.
        #expect(replies[1]["stdout"] as? String == "")
        #expect(replies[7]["stdout"] as? String == (try w.ok("log", "--kind", "run")))
        try w.expectFsckClean()
    }
}
