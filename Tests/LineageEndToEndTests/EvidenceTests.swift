import Foundation
import Testing
import LineageCore

@Suite("evidence bundles, keys and commit signatures")
struct EvidenceTests {
    /// A demo store, its bundle for pred-8812 (parsed) and the store's public key in pub.txt.
    static func proven() throws -> (Workspace, DemoChain, [String: Any]) {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        let bundle = try w.ok("prove", "pred-8812")
        try w.write("bundle.json", bundle)
        try w.write("pub.txt", try w.ok("key", "show"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bundle.utf8)) as? [String: Any])
        return (w, chain, json)
    }

    static func save(_ bundle: [String: Any], in w: Workspace) throws {
        try Data(try JSONSerialization.data(withJSONObject: bundle)).write(to: URL(fileURLWithPath: w.path + "/tampered.json"))
    }

    static func expectRejected(_ w: Workspace, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let outcome = try w.lineage("verify-proof", "tampered.json", "--key", "pub.txt")
        #expect(outcome.status == 1, "exit \(outcome.status): \(outcome.stdout) \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
    }

    static func records(_ bundle: [String: Any]) -> [[String: Any]] { bundle["records"] as! [[String: Any]] }

    @Test("a bundle holds the record and its whole upstream, and verifies with no store present")
    func offline() throws {
        let (w, chain, bundle) = try Self.proven()
        #expect(bundle["format"] as? String == "lineage-evidence-bundle/1")
        #expect(bundle["subject"] as? String == chain.ids["prediction"])
        #expect(Set(Self.records(bundle).map { $0["id"] as! String }) == Set(chain.ids.values))
        // Move the bundle and key away from the store entirely.
        let elsewhere = try Workspace()
        try elsewhere.write("bundle.json", try String(contentsOfFile: w.path + "/bundle.json", encoding: .utf8))
        try elsewhere.write("pub.txt", try String(contentsOfFile: w.path + "/pub.txt", encoding: .utf8))
        try FileManager.default.removeItem(atPath: w.path + "/.lineage")
        let out = try elsewhere.ok("verify-proof", "bundle.json", "--key", "pub.txt")
        #expect(out.hasPrefix("OK: \(chain.ids["prediction"]!) and its 7 upstream records are in the log example.com/fraud of size 8"))
        // Each record's canonical bytes decode to the record and hash to its id.
        for record in Self.records(bundle) {
            let bytes = try #require(Data(base64Encoded: record["canonical"] as! String))
            #expect(Digest(hashing: [UInt8](bytes)).description == record["id"] as? String)
        }
    }

    @Test("the proof for record A attached to record B")
    func proofSwapped() throws {
        let (w, _, bundle) = try Self.proven()
        var tampered = bundle
        var records = Self.records(bundle)
        let a = records[1], b = records[2]
        records[2]["inclusionProof"] = a["inclusionProof"]
        records[2]["leafIndex"] = a["leafIndex"]
        tampered["records"] = records
        try Self.save(tampered, in: w)
        try Self.expectRejected(w, mentioning: "bundle record \(b["id"] as! String) is not proven")
    }

    @Test("one bit flipped in an inclusion proof")
    func bitFlipped() throws {
        let (w, _, bundle) = try Self.proven()
        var tampered = bundle
        var records = Self.records(bundle)
        var proof = records[0]["inclusionProof"] as! [String]
        var hash = [UInt8](Data(base64Encoded: proof[0])!)
        hash[5] ^= 0x04
        proof[0] = Data(hash).base64EncodedString()
        records[0]["inclusionProof"] = proof
        tampered["records"] = records
        try Self.save(tampered, in: w)
        try Self.expectRejected(w, mentioning: "leads to a different root")
    }

    @Test("a record's bytes edited inside the bundle")
    func bytesEdited() throws {
        let (w, _, bundle) = try Self.proven()
        var tampered = bundle
        var records = Self.records(bundle)
        let text = String(decoding: Data(base64Encoded: records[0]["canonical"] as! String)!, as: UTF8.self)
        records[0]["canonical"] = Data(text.replacingOccurrences(of: "\"fraud\"", with: "\"legit\"").utf8).base64EncodedString()
        tampered["records"] = records
        try Self.save(tampered, in: w)
        try Self.expectRejected(w, mentioning: "hash to")
    }

    static func resigned(_ bundle: [String: Any], with keys: [SigningKey], keepOriginal: Bool) throws -> [String: Any] {
        let original = bundle["checkpoint"] as! String
        let text = original.components(separatedBy: "\n\n")[0] + "\n"
        var note = try SignedNote.sign(text, with: keys)
        if keepOriginal {
            note = original + note.components(separatedBy: "\n\n")[1]
        }
        var tampered = bundle
        tampered["checkpoint"] = note
        return tampered
    }

    @Test("a checkpoint signed by an unknown key")
    func unknownKey() throws {
        let (w, _, bundle) = try Self.proven()
        try Self.save(try Self.resigned(bundle, with: [try SigningKey(generatingFor: "example.com/fraud")], keepOriginal: false), in: w)
        try Self.expectRejected(w, mentioning: "not signed by a trusted key")
    }

    @Test("a checkpoint with a bad signature")
    func badSignature() throws {
        let (w, _, bundle) = try Self.proven()
        var tampered = bundle
        let note = bundle["checkpoint"] as! String
        let parts = note.components(separatedBy: " ")
        var signature = [UInt8](Data(base64Encoded: parts.last!.trimmingCharacters(in: .newlines))!)
        signature[10] ^= 0x01
        tampered["checkpoint"] = parts.dropLast().joined(separator: " ") + " " + Data(signature).base64EncodedString() + "\n"
        try Self.save(tampered, in: w)
        try Self.expectRejected(w, mentioning: "does not verify")
    }

    @Test("an unknown extra signature is ignored, not fatal")
    func extraSignature() throws {
        let (w, _, bundle) = try Self.proven()
        let tampered = try Self.resigned(bundle, with: [try SigningKey(generatingFor: "witness.example/w1")], keepOriginal: true)
        #expect((tampered["checkpoint"] as! String).components(separatedBy: "\n— ").count == 3)
        try Self.save(tampered, in: w)
        #expect(try w.ok("verify-proof", "tampered.json", "--key", "pub.txt").hasPrefix("OK: "))
    }

    @Test("an upstream record missing from the bundle")
    func upstreamMissing() throws {
        let (w, chain, bundle) = try Self.proven()
        var tampered = bundle
        tampered["records"] = Self.records(bundle).filter { $0["id"] as? String != chain.ids["run"] }
        try Self.save(tampered, in: w)
        try Self.expectRejected(w, mentioning: "links through 'producedBy' to \(chain.ids["run"]!), which the bundle does not contain")
    }

    @Test("verify-proof refuses a bundle that is not JSON, and asks for a key")
    func badBundleInput() throws {
        let (w, _, _) = try Self.proven()
        try w.write("tampered.json", "{\"format\":")
        let outcome = try w.lineage("verify-proof", "tampered.json", "--key", "pub.txt")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("not valid JSON"))
        #expect(try w.lineage("verify-proof", "bundle.json").status == 2)
    }

    @Test("stock git verify-commit accepts every batch commit (%G? is G) with the store's allowed-signers file")
    func gitVerifyCommit() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        let ref = "refs/lineage/log/example.com/fraud"
        let statuses = try w.git("-c", "gpg.ssh.allowedSignersFile=" + w.path + "/.lineage/allowed_signers", "log", "--format=%G?", ref)
        #expect(statuses.stdout.split(separator: "\n") == Array(repeating: "G", count: 8))
        let verify = try w.git("verify-commit", ref)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.contains("Good \"git\" signature for example.com/fraud"))
    }

    @Test("the private key is mode 0600 and never enters a git object; the checkpoint is the log's")
    func keys() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        let attributes = try FileManager.default.attributesOfItem(atPath: w.path + "/.lineage/keys/signing.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let secret = try String(contentsOfFile: w.path + "/.lineage/keys/signing.key", encoding: .utf8)
        let seed = String(secret.trimmingCharacters(in: .newlines).split(separator: "+", maxSplits: 4)[4])
        let objects = try w.git("cat-file", "--batch-all-objects", "--batch").stdout
        #expect(!objects.contains(seed))
        #expect(!objects.contains("PRIVATE+KEY"))
        let key = try w.ok("key", "show").trimmingCharacters(in: .newlines)
        #expect(key.hasPrefix("example.com/fraud+"))
        let checkpoint = try w.ok("checkpoint")
        #expect(checkpoint.hasPrefix("example.com/fraud\n8\n"))
        #expect(try SignedNote(parsing: checkpoint).verify(trusting: [VerifierKey(parsing: key)]).count == 1)
        let again = try w.lineage("key", "generate")
        #expect(again.status == 2)
        #expect(again.stderr.contains("--replace"))
    }

    @Test("after key rotation, old and new batches both verify")
    func rotation() throws {
        let w = try Workspace.withDatasets(2)
        let old = try w.ok("key", "show")
        let new = try w.ok("key", "generate", "--replace")
        #expect(old != new)
        try w.write("late.csv", "late\n")
        try w.ok("add", "dataset", "late.csv", "--name", "late")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records"))
        let statuses = try w.git("log", "--format=%G?", "refs/lineage/log/example.com/audit")
        #expect(statuses.stdout.split(separator: "\n") == ["G", "G", "G"])
    }

    @Test("a bundle is accepted only as prove writes it: no extra record, no record twice, no unknown member")
    func exactBundles() throws {
        let (w, chain, bundle) = try Self.proven()
        // The model's bundle with its approval (valid, proven, its own upstream present, but downstream) added.
        let modelBundle = try #require(try JSONSerialization.jsonObject(with: Data(try w.ok("prove", "model:fraud@1").utf8)) as? [String: Any])
        let approval = try #require(Self.records(bundle).first { $0["id"] as? String == chain.ids["approval"] })
        var extra = modelBundle
        extra["records"] = Self.records(modelBundle) + [approval]
        try Self.save(extra, in: w)
        try Self.expectRejected(w, mentioning: "bundle record \(chain.ids["approval"]!) (approval) is not upstream of the subject")
        var twice = bundle
        twice["records"] = Self.records(bundle) + [Self.records(bundle)[3]]
        try Self.save(twice, in: w)
        try Self.expectRejected(w, mentioning: "appears twice")
        var unknown = bundle
        unknown["note"] = "trust me"
        try Self.save(unknown, in: w)
        let unknownOutcome = try w.lineage("verify-proof", "tampered.json", "--key", "pub.txt")
        #expect(unknownOutcome.status == 2 && unknownOutcome.stderr.contains("member 'note' that the format does not define"), "\(unknownOutcome.stderr)")
        var unknownInRecord = bundle
        var records = Self.records(bundle)
        records[1]["comment"] = "x"
        unknownInRecord["records"] = records
        try Self.save(unknownInRecord, in: w)
        let unknownRecordOutcome = try w.lineage("verify-proof", "tampered.json", "--key", "pub.txt")
        #expect(unknownRecordOutcome.status == 2 && unknownRecordOutcome.stderr.contains("bundle record 1 has a member 'comment'"), "\(unknownRecordOutcome.stderr)")
        // The model's own bundle counts its upstream truly: raw, clean, train, run.
        try w.write("model.json", try w.ok("prove", "model:fraud@1"))
        #expect(try w.ok("verify-proof", "model.json", "--key", "pub.txt").contains("and its 4 upstream records"))
    }
}
