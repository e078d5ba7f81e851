import Foundation
import Testing
import LineageCore

@Suite("tamper matrix: verify catches every alteration and names it")
struct TamperTests {
    @Test("an untouched store verifies")
    func clean() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        let out = try w.ok("verify")
        #expect(out.hasPrefix("OK: 8 records in 8 batches"))
        #expect(out.contains("8 checkpoint and 8 commit signatures verified; 8 index rows match the log"))
    }

    @Test("a record's bytes edited")
    func recordEdited() throws {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        let commits = try history.commits()
        let segment = try history.segment(commits[3])
        #expect(segment.contains("\"auc\":0.93"))
        raws[3] = History.replacingTree(raws[3], with: try history.tree(segment: segment.replacingOccurrences(of: "\"auc\":0.93", with: "\"auc\":0.99"), firstSeq: 3))
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 3")
        try w.expectVerifyFails(mentioning: "do not match its signed checkpoint")
        try w.expectVerifyFails(mentioning: "was recorded as \(chain.ids["run"]!)")
    }

    @Test("a record deleted")
    func recordDeleted() throws {
        let w = try Workspace.withDatasets(5)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        raws.remove(at: 2)
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 2")
        try w.expectVerifyFails(mentioning: "batches were removed, inserted or reordered")
    }

    @Test("an upstream record missing from the log")
    func upstreamMissing() throws {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        let history = History(workspace: w)
        let commits = try history.commits()
        // Drop the raw dataset, which the cleaning transform links to, and renumber the segments
        // of the batches after it so that their names fit their new positions.
        let raws = try commits.dropFirst().enumerated().map { position, commit in
            History.replacingTree(try history.raw(commit), with: try history.tree(segment: history.segment(commit), firstSeq: position))
        }
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "links through 'inputs' to \(chain.ids["raw"]!), which is not earlier in the log: an upstream record is missing")
    }

    @Test("two records reordered")
    func recordsReordered() throws {
        let w = try Workspace.withDatasets(5)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        raws.swapAt(1, 2)
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 1")
    }

    @Test("two records swapped inside one segment, trailers intact")
    func recordsSwappedInSegment() throws {
        let w = try Workspace.withDatasets(3)
        let history = History(workspace: w)
        let commits = try history.commits()
        var raws = try commits.map(history.raw)
        // Merge batches 1 and 2 into one segment in the wrong order, under batch 1's message.
        let merged = try history.segment(commits[2]) + history.segment(commits[1])
        raws[1] = History.replacingTree(raws[1], with: try history.tree(segment: merged, firstSeq: 1))
        raws.remove(at: 2)
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 1")
    }

    @Test("a record inserted in the middle")
    func recordInserted() throws {
        let w = try Workspace.withDatasets(4)
        let other = try Workspace.withDatasets(1)
        let history = History(workspace: w)
        let foreign = History(workspace: other)
        var raws = try history.commits().map(history.raw)
        let inserted = History.replacingTree(raws[2], with: try history.tree(segment: try foreign.segment(foreign.commits()[0]), firstSeq: 2))
        raws.insert(inserted, at: 2)
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 2")
    }

    @Test("the log truncated and re-extended with other records: caught by --against")
    func truncatedAndReextended() throws {
        let w = try Workspace.withDatasets(5)
        try w.write("saved.txt", try w.ok("checkpoint"))
        let history = History(workspace: w)
        try w.git("update-ref", try history.ref, try history.commits()[1])
        try w.ok("reindex", "--accept-rewrite")
        try w.addDatasets(4, file: "x", name: "x", content: "other")
        // Everything in the new log is consistent and signed by the store's key...
        #expect(try w.ok("verify").hasPrefix("OK: 6 records"))
        // ...but it does not extend what was published before.
        try w.expectVerifyFails(["--against", "saved.txt"], mentioning: "not an append-only extension of the earlier checkpoint (size 5)")
    }

    @Test("history rewritten and re-signed with the store's own key: caught by --against an older checkpoint")
    func rewrittenAndResigned() throws {
        let w = try Workspace.withDatasets(3)
        try w.write("saved.txt", try w.ok("checkpoint"))
        let history = History(workspace: w)
        try w.git("update-ref", "-d", try history.ref)
        try w.ok("reindex", "--accept-rewrite")
        try w.addDatasets(5, file: "y", name: "d", content: "forged")
        #expect(try w.ok("verify").hasPrefix("OK: 5 records"))
        try w.expectVerifyFails(["--against", "saved.txt"], mentioning: "history was rewritten")
    }

    @Test("the log ref force-moved back to an older commit (rollback)")
    func rollback() throws {
        let w = try Workspace.withDatasets(4)
        try w.write("saved.txt", try w.ok("checkpoint"))
        let history = History(workspace: w)
        try w.git("update-ref", try history.ref, try history.commits()[1])
        try w.expectVerifyFails(mentioning: "rolled back or rewritten")
        // Every other command refuses the rolled-back log until the rewrite is accepted on purpose.
        for arguments in [["show", "dataset:d0"], ["reindex"], ["add", "dataset", "d0.csv", "--name", "again"]] {
            let refused = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(refused.status == 1 && refused.stderr.contains("fewer than the 4 of the last checkpoint this store wrote or verified"),
                    "\(arguments): \(refused.stderr)")
        }
        let accepted = try w.lineage("reindex", "--accept-rewrite")
        #expect(accepted.status == 0 && accepted.stderr.contains("accepted a rewritten log: remembered size 4"), "\(accepted.stderr)")
        #expect(try String(contentsOfFile: w.path + "/.lineage/checkpoints/example.com/audit.accepted", encoding: .utf8).contains("remembered size 4"))
        #expect(try w.ok("verify").hasPrefix("OK: 2 records"))
        try w.expectVerifyFails(["--against", "saved.txt"], mentioning: "holds 2 records, fewer than the 4 of the earlier checkpoint")
    }

    @Test("a batch commit whose message was edited")
    func messageEdited() throws {
        let w = try Workspace.withDatasets(3)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        #expect(raws[1].contains("Record dataset d1@1"))
        raws[1] = raws[1].replacingOccurrences(of: "Record dataset d1@1", with: "Record dataset innocuous@1")
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "batch 1")
        try w.expectVerifyFails(mentioning: "git commit signature fails")
    }

    @Test("an index row that disagrees with the log")
    func indexRowEdited() throws {
        let w = try Workspace.withDatasets(3)
        let sqlite = try w.run("/usr/bin/env", ["sqlite3", w.path + "/.lineage/index.sqlite", "UPDATE record SET name = 'renamed' WHERE seq = 1"], in: nil, stdin: nil)
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        try w.expectVerifyFails(mentioning: "the index row for record 1")
        try w.ok("reindex")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records"))
    }

    @Test("an index key that disagrees with the log: missing, extra or altered", arguments: [
        ("DELETE FROM record_key WHERE seq = 1; DELETE FROM record_key_new WHERE seq = 1", "keys for batch 1"),
        ("INSERT INTO record_key_new VALUES (42, 2)", "keys for batch 2"),
        ("UPDATE record_key_new SET key = key + 1 WHERE seq = 0; UPDATE record_key SET key = key + 1 WHERE seq = 0", "keys for batch 0"),
        ("INSERT INTO prediction_new VALUES (42, 99)", "for log positions that no indexed record has"),
    ])
    func indexKeyEdited(sql: String, message: String) throws {
        let w = try Workspace.withDatasets(3)
        let sqlite = try w.run("/usr/bin/env", ["sqlite3", w.path + "/.lineage/index.sqlite", sql], in: nil, stdin: nil)
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        try w.expectVerifyFails(mentioning: message)
        try w.ok("reindex")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records"))
    }

    @Test("a checkpoint in the log signed by an unknown key")
    func logCheckpointUnknownKey() throws {
        let w = try Workspace.withDatasets(2)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        let stranger = try SigningKey(generatingFor: "example.com/audit")
        let note = raws[1].components(separatedBy: "\n\nexample.com/audit\n")[1]
        let text = "example.com/audit\n" + note.components(separatedBy: "\n\n")[0] + "\n"
        let forged = try SignedNote.sign(text, with: [stranger])
        raws[1] = raws[1].components(separatedBy: "\n\nexample.com/audit\n")[0] + "\n\n" + forged
        try history.rechain(raws)
        try w.expectVerifyFails(mentioning: "checkpoint signature fails: the note is not signed by a trusted key")
    }
}
