import Foundation
import Testing

@Suite("comparing checkpoints with no store: one history or a fork")
struct CheckpointTests {
    @Test("identical, proven consistent, unproven, forked, and a wrong proof that accuses no one")
    func compare() throws {
        let w = try Workspace.withDatasets(3)
        try w.write("a.txt", try w.ok("checkpoint"))
        try w.write("key.pub", try w.ok("key", "show"))
        try w.addDatasets(2, file: "e", name: "e", content: "more")
        try w.write("b.txt", try w.ok("checkpoint", "show"))
        try w.write("proof.json", try w.ok("checkpoint", "proof", "a.txt"))
        // The parties hold only their checkpoints, the key and the proof.
        let elsewhere = try Workspace()
        for file in ["a.txt", "b.txt", "key.pub", "proof.json"] {
            try elsewhere.write(file, try String(contentsOfFile: w.path + "/" + file, encoding: .utf8))
        }
        #expect(try elsewhere.ok("checkpoint", "compare", "a.txt", "a.txt", "--key", "key.pub").contains("both checkpoints are the log at size 3"))
        #expect(try elsewhere.ok("checkpoint", "compare", "a.txt", "b.txt", "--key", "key.pub", "--proof", "proof.json")
            .contains("the checkpoint of size 5 extends the one of size 3"))
        let unproven = try elsewhere.lineage("checkpoint", "compare", "a.txt", "b.txt", "--key", "key.pub")
        #expect(unproven.status == 1 && unproven.stderr.contains("nothing is proven without a consistency proof"))
        // A proof with a hash changed: not proven, and nobody is called a forger.
        let proof = try String(contentsOfFile: elsewhere.path + "/proof.json", encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(proof.utf8)) as? [String: Any])
        var hashes = try #require(object["proof"] as? [String])
        hashes[0] = Data(repeating: 7, count: 32).base64EncodedString()
        var altered = object
        altered["proof"] = hashes
        try Data(try JSONSerialization.data(withJSONObject: altered)).write(to: URL(fileURLWithPath: elsewhere.path + "/bad.json"))
        let bad = try elsewhere.lineage("checkpoint", "compare", "a.txt", "b.txt", "--key", "key.pub", "--proof", "bad.json")
        #expect(bad.status == 1 && bad.stderr.contains("either the proof is wrong or the log forked") && !bad.stderr.contains("FORK"), "\(bad.stderr)")
        // The owner rolls back and re-signs other records at the same size: a fork, shown by the two checkpoints alone.
        let history = History(workspace: w)
        try w.git("update-ref", try history.ref, try history.commits()[2])
        try w.ok("reindex", "--accept-rewrite")
        try w.addDatasets(2, file: "f", name: "f", content: "forged")
        try elsewhere.write("c.txt", try w.ok("checkpoint"))
        let fork = try elsewhere.lineage("checkpoint", "compare", "b.txt", "c.txt", "--key", "key.pub", "--json")
        #expect(fork.status == 1 && fork.stderr.contains("FORK: both hold 5 records but their roots differ"), "\(fork.stderr)")
        #expect(fork.stdout.contains("\"status\": \"fork\""))
        // The store itself will not prove what it does not extend.
        try w.write("b.txt", try String(contentsOfFile: elsewhere.path + "/b.txt", encoding: .utf8))
        let refused = try w.lineage("checkpoint", "proof", "b.txt")
        #expect(refused.status == 1 && refused.stderr.contains("does not extend the earlier checkpoint (size 5)"), "\(refused.stderr)")
    }

    @Test("--json commands print a JSON result also when the verdict is negative or the command fails")
    func jsonOnFailure() throws {
        let w = try Workspace.withDatasets(3)
        try w.write("key.pub", try w.ok("key", "show"))
        func result(_ arguments: String...) throws -> (Int32, [String: Any]) {
            let outcome = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            return (outcome.status, object ?? [:])
        }
        let (gateStatus, gate) = try result("gate", "nosuch.pkl", "--json")
        #expect(gateStatus == 2 && gate["ok"] as? Bool == false && gate["exitCode"] as? Int == 2 && gate["reason"] is String)
        try w.write("junk.json", "{}")
        let (proofStatus, proof) = try result("verify-proof", "junk.json", "--key", "key.pub", "--json")
        #expect(proofStatus == 2 && proof["status"] as? String == "error")
        let history = History(workspace: w)
        try w.git("update-ref", try history.ref, try history.commits()[1])
        let (verifyStatus, verify) = try result("verify", "--json")
        #expect(verifyStatus == 1 && verify["status"] as? String == "failed" && (verify["reason"] as? String)?.contains("rolled back") == true)
    }
}
