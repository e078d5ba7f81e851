import Foundation
import Testing

/// Raw payloads, data subjects, erasure, legal holds and retention: erasure removes the bytes
/// everywhere in the store and leaves every record, the log and every proof valid.
@Suite("erasure, holds and retention")
struct PrivacyTests {
    /// A deployed store with predictions p0…p5: p0–p2 of subject cust-1, p3–p4 of cust-2 (p4 old),
    /// p5 with a binary payload, each input naming a secret word `SECRET-<i>`.
    static func store() throws -> Workspace {
        let w = try CrashTests.deployed()
        let lines = (0..<6).map { i -> String in
            let subject = i < 3 ? "cust-1" : i < 5 ? "cust-2" : "cust-3"
            let time = i == 4 ? ",\"time\":\"2025-01-01T00:00:00Z\"" : ""
            let input = i == 5 ? "\"inputBase64\":\"\(Data("SECRET-5\u{0}\u{1}".utf8).base64EncodedString())\""
                               : "\"input\":{\"name\":\"SECRET-\(i)\",\"amount\":\(i)}"
            return "{\"predictionId\":\"p\(i)\",\"deployment\":\"deployment:m/prod\",\(input),\"output\":{\"label\":\"ok\"},\"subject\":\"\(subject)\"\(time)}"
        }
        try w.write("p.ndjson", lines.joined(separator: "\n") + "\n")
        try w.ok("ingest", "p.ndjson")
        return w
    }

    /// Every file under `.lineage` and every git object, decompressed, as one blob of bytes.
    static func everything(_ w: Workspace) throws -> Data {
        var all = Data()
        let root = w.path + "/.lineage"
        for case let name as String in FileManager.default.enumerator(atPath: root)! {
            var directory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &directory), !directory.boolValue {
                all.append(try Data(contentsOf: URL(fileURLWithPath: root + "/" + name)))
            }
        }
        all.append(Data(try w.git("cat-file", "--batch-all-objects", "--batch").stdout.utf8))
        return all
    }

    static func payloads(_ w: Workspace) throws -> [String: Int] { try CrashTests.payloadCounts(w) }

    @Test("the subject never enters the log in clear; erasure by subject removes exactly that subject's payloads")
    func eraseBySubject() throws {
        let w = try PrivacyTests.store()
        #expect(!(try PrivacyTests.everything(w)).contains(Data("cust-1".utf8)))
        #expect(try w.ok("show", "p0").contains("subject: hmac-sha256:"))
        try w.write("before.json", try w.ok("prove", "p0"))
        try w.write("pub.txt", try w.ok("key", "show"))
        try w.ok("payload", "export", "p0", "-o", "p0.input.json")
        let head = try w.logHead()
        let dry = try w.ok("erase", "--subject", "cust-1", "--reason", "GDPR Art. 17 request 4411", "--dry-run")
        #expect(dry.contains("Would erase 3 payloads of 3 predictions"), "\(dry)")
        #expect(try w.logHead() == head)
        let erased = try w.ok("erase", "--subject", "cust-1", "--reason", "GDPR Art. 17 request 4411", "--policy", "gdpr-17", "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(erased.utf8)) as? [String: Any])
        #expect((report["erased"] as? [[String: Any]])?.compactMap { $0["prediction"] as? String }.sorted() == ["p0", "p1", "p2"])
        #expect((report["records"] as? [String])?.count == 1)
        // show and trace say what happened; the other subjects' payloads stay.
        let p1 = try w.ok("show", "p1")
        #expect(p1.contains("input erased on "), "\(p1)")
        #expect(try w.ok("show", "p1").contains(": GDPR Art. 17 request 4411"))
        #expect(try w.ok("trace", "p2").contains("input erased on"))
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try w.ok("show", "p0", "--json").utf8)) as? [String: Any])
        #expect((shown["payloads"] as? [String: String])?["input"] == "erased")
        #expect(try w.ok("show", "p3").contains("(payload stored)"))
        let export = try w.lineage("payload", "export", "p0")
        #expect(export.status == 3 && export.stderr.contains("was erased on"), "\(export.stderr)")
        // The bytes are nowhere: not in any file of the store, not in any git object, not in the index.
        let all = try PrivacyTests.everything(w)
        for secret in ["SECRET-0", "SECRET-1", "SECRET-2", "SECRET-3"] { #expect(!all.contains(Data(secret.utf8)), "\(secret) found in the store") }
        // The log, the proofs made before and the payload file exported before all still verify.
        #expect(try w.ok("verify").contains("3 erased"))
        let counts = try PrivacyTests.payloads(w)
        #expect(counts["stored"] == 3 && counts["erased"] == 3)
        let before = try w.lineage("verify-proof", "before.json", "--key", "pub.txt", "--payload", "p0.input.json")
        #expect(before.status == 0, "\(before.stderr)")
        // A bundle made now carries the erasure record, proven in the same log.
        try w.write("after.json", try w.ok("prove", "p0"))
        let after = try w.ok("verify-proof", "after.json", "--key", "pub.txt")
        #expect(after.contains("Erased, as proven in the same log"), "\(after)")
        #expect(after.contains("GDPR Art. 17 request 4411"))
        try w.expectFsckClean()
        // Compaction drops the erased payloads' sealed bytes; nothing else changes.
        let packs = w.path + "/.lineage/payloads/packs/"
        let pack = packs + (try FileManager.default.contentsOfDirectory(atPath: packs)).first { $0.hasSuffix(".pack") }!
        let size = try FileManager.default.attributesOfItem(atPath: pack)[.size] as! Int
        #expect(try w.ok("payload", "compact").contains("Compacted 1 payload pack"))
        #expect((try FileManager.default.attributesOfItem(atPath: pack)[.size] as! Int) < size)
        #expect(try w.ok("payload", "compact").contains("Nothing to compact"))
        let compacted = try PrivacyTests.payloads(w)
        #expect(compacted["stored"] == 3 && compacted["erased"] == 3, "\(compacted)")
        #expect(try w.ok("show", "p3").contains("(payload stored)"))
        #expect(try w.ok("show", "p0").contains("input erased on"))
        // Erasing again finds nothing to erase and writes nothing.
        let again = try w.logHead()
        #expect(try w.ok("erase", "--subject", "cust-1", "--reason", "again").contains("Nothing to erase"))
        #expect(try w.logHead() == again)
    }

    @Test("erasure by prediction and by query; a binary payload too")
    func eraseByPredictionAndQuery() throws {
        let w = try PrivacyTests.store()
        #expect(try w.ok("erase", "--prediction", "p5", "--reason", "customer asked").contains("Erased 1 payload of 1 prediction"))
        #expect(!(try PrivacyTests.everything(w)).contains(Data("SECRET-5".utf8)))
        let query = try w.ok("erase", "--query=--deployment deployment:m/prod --until 2026-01-01", "--reason", "old test data")
        #expect(query.contains("Erased 1 payload of 1 prediction") && query.contains("p4"), "\(query)")
        #expect(try PrivacyTests.payloads(w)["erased"] == 2)
        #expect(try w.ok("show", "p4").contains("input erased on"))
        #expect(try w.ok("show", "p3").contains("(payload stored)"))
    }

    @Test("a legal hold keeps payloads from erasure and retention until released; overriding it is recorded")
    func holds() throws {
        let w = try PrivacyTests.store()
        let hold = Workspace.id(try w.ok("hold", "add", "--subject", "cust-2", "--reason", "matter 2026-44"))
        #expect(try w.ok("hold", "list").contains("matter 2026-44"))
        let kept = try w.ok("erase", "--subject", "cust-2", "--reason", "request")
        #expect(kept.contains("Nothing to erase") && kept.contains("Kept under a legal hold: 2 predictions"), "\(kept)")
        // Retention (prediction payloads: 30 days) erases the old ones except those held: p4 is old but held.
        try w.write(".lineage/policy.yaml", "retention:\n  - kind: prediction\n    payloads: 30d\n")
        #expect(try w.ok("retention", "apply").contains("Nothing to erase"))
        #expect(try w.ok("show", "p4").contains("(payload stored)"))
        try w.ok("hold", "release", hold, "--reason", "matter closed")
        #expect(try w.ok("hold", "list").contains("No legal hold"))
        let applied = try w.ok("retention", "apply", "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(applied.utf8)) as? [String: Any])
        #expect((report["erased"] as? [[String: Any]])?.compactMap { $0["prediction"] as? String } == ["p4"], "\(applied)")
        #expect(try w.ok("show", "p4").contains("retention period over"))
        #expect(try w.ok("show", "p3").contains("(payload stored)"))
        // An override is said in the erasure record.
        try w.ok("hold", "add", "--prediction", "p3", "--reason", "matter 2026-45")
        let overridden = try w.ok("erase", "--prediction", "p3", "--reason", "court order", "--override-hold")
        #expect(overridden.contains("hold overridden"), "\(overridden)")
        let erasure = try w.ok("query", "--kind", "erasure", "--json")
        #expect(erasure.contains("\"overrideHold\":true"), "\(erasure)")
    }

    @Test("retention erases exactly what expired, per deployment, and the default keeps six months")
    func retentionExactly() throws {
        let w = try PrivacyTests.store()
        // Default 180 days: only p4 (2025-01-01) is past it.
        let dry = try w.ok("retention", "apply", "--dry-run")
        #expect(dry.contains("Would erase 1 payload of 1 prediction") && dry.contains("p4"), "\(dry)")
        // A deployment's rule wins over the general one.
        try w.write(".lineage/policy.yaml", "retention:\n  - kind: prediction\n    payloads: 0d\n  - deployment: m/prod\n    payloads: 3650d\n")
        #expect(try w.ok("retention", "apply").contains("Nothing to erase"))
        try w.write(".lineage/policy.yaml", "retention:\n  - kind: prediction\n    payloads: 0d\n")
        #expect(try w.ok("retention", "apply").contains("Erased 6 payloads of 6 predictions"))
        #expect(try w.ok("verify").contains("6 erased"))
    }

    @Test("large binary payloads (300 KB) go in and come back byte for byte, from a file and from NDJSON")
    func largeBinary() throws {
        let w = try CrashTests.deployed()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try w.write("input.bin", bytes: bytes)
        try w.ok("record", "prediction", "--id", "big1", "--deployment", "deployment:m/prod", "--input-file", "input.bin",
                 "--output", "{\"label\":\"ok\"}")
        try w.write("big.ndjson", "{\"predictionId\":\"big2\",\"deployment\":\"deployment:m/prod\",\"outputPayloadBase64\":\"\(Data(bytes).base64EncodedString())\"}\n")
        try w.ok("ingest", "big.ndjson")
        for (id, field) in [("big1", "input"), ("big2", "outputPayload")] {
            let exported = try JSONSerialization.jsonObject(with: Data(try w.ok("payload", "export", id, "--field", field).utf8)) as? [String: Any]
            #expect(Data(base64Encoded: exported?["payload"] as? String ?? "") == Data(bytes), "\(id)")
        }
        #expect(try PrivacyTests.payloads(w)["stored"] == 2)
    }

    @Test("killed the moment the erasure record landed, before any key was destroyed: the next command finishes the erasure")
    func killedMidErasure() throws {
        let w = try PrivacyTests.store()
        w.environment["LINEAGE_TEST_KILL_AFTER_REF_MOVE"] = "1"
        let killed = try w.lineage("erase", "--prediction", "p0", "--reason", "request")
        #expect(killed.status == 9 || killed.status == 137, "exit \(killed.status): \(killed.stderr)")
        w.environment["LINEAGE_TEST_KILL_AFTER_REF_MOVE"] = nil
        #expect(try w.ok("show", "p0").contains("input erased on"))
        let counts = try PrivacyTests.payloads(w)
        #expect(counts["erased"] == 1 && counts["awaitingErasure"] == 0 && counts["stored"] == 5, "\(counts)")
        #expect(!(try PrivacyTests.everything(w)).contains(Data("SECRET-0".utf8)))
    }

    @Test("a payload edited on disk is reported by verify, naming the prediction")
    func editedPayload() throws {
        let w = try PrivacyTests.store()
        let packs = try FileManager.default.contentsOfDirectory(atPath: w.path + "/.lineage/payloads/packs")
        let file = w.path + "/.lineage/payloads/packs/" + packs[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: URL(fileURLWithPath: file))
        let verify = try w.lineage("verify")
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stderr.contains("payload of prediction 'p") && verify.stderr.contains("altered"), "\(verify.stderr)")
        // A destroyed key that no erasure record names is altered too.
        var zeroed = try Data(contentsOf: URL(fileURLWithPath: file))
        zeroed[bytes.count - 1] ^= 1
        for i in (64 + 32)..<(64 + 96) { zeroed[i] = 0 }
        zeroed[64 + 112] = 2
        try zeroed.write(to: URL(fileURLWithPath: file))
        let destroyed = try w.lineage("verify")
        #expect(destroyed.status == 1 && destroyed.stderr.contains("no erasure record names it"), "\(destroyed.stderr)")
    }

    @Test("bad input: one clear sentence, the documented exit code, and the log head does not move")
    func badInput() throws {
        let w = try PrivacyTests.store()
        let head = try w.logHead()
        for (arguments, status, fragment) in [
            (["erase", "--reason", "x"], Int32(2), "exactly one of"),
            (["erase", "--prediction", "p0", "--subject", "s", "--reason", "x"], 2, "exactly one of"),
            (["erase", "--prediction", "nope", "--reason", "x"], 3, "nope"),
            (["erase", "--prediction", "deployment:m/prod", "--reason", "x"], 2, "not a prediction"),
            (["erase", "--prediction", "p0", "--reason", " "], 2, "--reason is empty"),
            (["erase", "--query=--bogus 1", "--reason", "x"], 2, "--query"),
            (["hold", "add", "--reason", "x"], 2, "exactly one of"),
            (["hold", "release", "p0", "--reason", "x"], 2, "is not a hold"),
        ] {
            let outcome = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(outcome.status == status, "\(arguments): exit \(outcome.status): \(outcome.stderr)")
            #expect(outcome.stderr.contains(fragment), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count <= 3, "\(outcome.stderr)")
        }
        try w.write(".lineage/policy.yaml", "retention:\n  - kind: prediction\n    payloads: soon\n")
        let policy = try w.lineage("retention", "apply")
        #expect(policy.status == 2 && policy.stderr.contains("a duration like 180d"), "\(policy.stderr)")
        try w.write("bad.ndjson", "{\"predictionId\":\"b1\",\"deployment\":\"deployment:m/prod\",\"inputBase64\":\"not base64!\"}\n"
                    + "{\"predictionId\":\"b2\",\"deployment\":\"deployment:m/prod\",\"subject\":42}\n")
        let bad = try w.lineage("ingest", "bad.ndjson", "--skip-invalid")
        #expect(bad.status == 0)
        let rejects = try String(contentsOfFile: w.path + "/bad.ndjson.rejects.ndjson", encoding: .utf8)
        #expect(rejects.contains("inputBase64 must be a string of base64") && rejects.contains("subject"), "\(rejects)")
        #expect(try w.logHead() == head)
    }
}
