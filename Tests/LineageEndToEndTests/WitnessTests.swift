import Foundation
import Testing

/// Witnesses (C2SP tlog-witness, tlog-cosignature): `lineage witness serve` on loopback cosigns a
/// store's checkpoints, refuses another history, and bundles carry the cosignatures that
/// `verify-proof --witness-key --quorum` requires.
@Suite("witnesses and cosigned checkpoints", .serialized)
struct WitnessTests {
    /// A witness made in the workspace's `name` directory and started for the workspace store's log.
    static func witness(_ w: Workspace, _ name: String) throws -> (server: RunningServer, key: String) {
        let key = try w.ok("witness", "init", name, "--name", "witness.example/\(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        try w.write(name + ".pub", key + "\n")
        let log = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w, command: ["witness", "serve", name, "--log", log, "--listen", "127.0.0.1:0"])
        return (server, key)
    }

    /// Stops a witness for good (SIGKILL: children of the test runner may ignore SIGTERM).
    static func kill(_ server: RunningServer) {
        Foundation.kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
    }

    /// Posts an add-checkpoint body to a witness; the status, content type and body.
    static func post(_ w: Workspace, _ server: RunningServer, _ body: String) throws -> (status: Int, type: String, body: String) {
        let outcome = try w.run("/usr/bin/env", ["curl", "-s", "-X", "POST", "--data-binary", "@-", "-w", "\n%{http_code} %{content_type}",
                                                 server.base + "/add-checkpoint"], in: nil, stdin: body)
        let parts = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let last = (parts.last ?? "").split(separator: " ", maxSplits: 1)
        return (Int(last.first ?? "") ?? 0, last.count > 1 ? String(last[1]) : "", parts.dropLast().joined(separator: "\n"))
    }

    @Test("two witnesses cosign; a bundle verifies with a quorum met, and fails with one not met or a cosignature altered")
    func quorum() throws {
        let w = try CrashTests.deployed()
        let (one, key1) = try WitnessTests.witness(w, "w1")
        let (two, key2) = try WitnessTests.witness(w, "w2")
        defer { WitnessTests.kill(one); WitnessTests.kill(two) }
        try w.ok("witness", "add", one.base, "--key", "w1.pub")
        try w.ok("witness", "add", two.base, "--key", key2)
        #expect(try w.ok("witness", "list").contains("witness.example/w2"))
        let cosign = try w.lineage("cosign")
        #expect(cosign.status == 0 && cosign.stdout.contains("cosigned by 2 of 2 witnesses"), "\(cosign.stdout)\(cosign.stderr)")
        try w.write("log.pub", try w.ok("key", "show"))
        try w.write("bundle.json", try w.ok("prove", "deployment:m/prod"))
        let verified = try w.lineage("verify-proof", "bundle.json", "--key", "log.pub", "--witness-key", "w1.pub", "--witness-key", "w2.pub")
        #expect(verified.status == 0 && verified.stdout.contains("Cosigned by 2 witnesses"), "\(verified.stdout)\(verified.stderr)")
        // An independent reader (Python's cryptography, from the spec) agrees.
        let independent = try w.run("/usr/bin/env", ["python3", ConventionTests.root + "/Tests/validators/check_cosignature.py", "bundle.json", key1, key2],
                                    in: nil, stdin: nil)
        #expect(independent.status == 0 && independent.stdout.contains("cosigned witness.example/w1"), "\(independent.stdout)\(independent.stderr)")

        // The same evidence as a C2SP tlog-proof (the record alone), checked by lineage and by an independent reader.
        let proof = try w.ok("prove", "deployment:m/prod", "--format", "tlog-proof")
        #expect(proof.hasPrefix("c2sp.org/tlog-proof@v1\nextra ") && proof.contains("\n— witness.example/w2 "), "\(proof)")
        try w.write("prod.tlog-proof", proof)
        let tlog = try w.lineage("verify-proof", "prod.tlog-proof", "--key", "log.pub", "--witness-key", "w1.pub", "--witness-key", "w2.pub")
        #expect(tlog.status == 0 && tlog.stdout.contains("a tlog-proof") && tlog.stdout.contains("Cosigned by 2 witnesses"), "\(tlog.stdout)\(tlog.stderr)")
        let logKey = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = try w.run("/usr/bin/env", ["python3", ConventionTests.root + "/Tests/validators/check_tlog_proof.py", "prod.tlog-proof", logKey], in: nil, stdin: nil)
        #expect(reader.status == 0 && reader.stdout.contains("deployment"), "\(reader.stdout)\(reader.stderr)")
        let index = try #require(proof.split(separator: "\n").first { $0.hasPrefix("index ") })
        try w.write("moved.tlog-proof", proof.replacingOccurrences(of: String(index), with: "index \(Int(index.dropFirst(6))! + 1)"))
        let moved = try w.lineage("verify-proof", "moved.tlog-proof", "--key", "log.pub")
        #expect(moved.status == 1 && moved.stderr.contains("is not proven to be leaf"), "\(moved.stderr)")

        // Pushed with the log, the cosignatures reach a copy, whose bundles then carry them too.
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/hub.git"], in: nil, stdin: nil)
        try w.ok("remote", "add", "hub", "hub.git")
        try w.ok("push", "hub")
        #expect(try w.lineage("clone", "hub.git", "copy").status == 0)
        let copied = try SyncTests.on(w, "copy", "prove", "deployment:m/prod")
        try w.write("copied.json", copied.stdout)
        #expect(try w.lineage("verify-proof", "copied.json", "--key", "log.pub", "--witness-key", "w1.pub", "--witness-key", "w2.pub").status == 0)

        // One witness gone: the next checkpoint gets one cosignature; a quorum of two fails, of one passes.
        WitnessTests.kill(two)
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "staging")
        let partial = try w.lineage("cosign")
        #expect(partial.status == 4 && partial.stdout.contains("w2: not reached") && partial.stdout.contains("cosigned by 1 of 2"), "\(partial.stdout)\(partial.stderr)")
        try w.write("staging.json", try w.ok("prove", "deployment:m/staging"))
        let short = try w.lineage("verify-proof", "staging.json", "--key", "log.pub", "--witness-key", "w1.pub", "--witness-key", "w2.pub")
        #expect(short.status == 1 && short.stderr.contains("cosigned by 1 of the 2 witnesses given"), "\(short.stderr)")
        #expect(try w.lineage("verify-proof", "staging.json", "--key", "log.pub", "--witness-key", "w1.pub", "--witness-key", "w2.pub", "--quorum", "1").status == 0)
        // A bundle whose record came after the last cosigned checkpoint has none.
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "canary")
        try w.write("canary.json", try w.ok("prove", "deployment:m/canary"))
        #expect(try w.lineage("verify-proof", "canary.json", "--key", "log.pub", "--witness-key", "w1.pub").status == 1)
        // An altered cosignature counts for nothing.
        let text = try String(contentsOfFile: w.path + "/bundle.json", encoding: .utf8)
        let line = try #require(text.components(separatedBy: "\\n").first { $0.hasPrefix("— witness.example/w1 ") })
        var bytes = Array(Data(base64Encoded: String(line.split(separator: " ")[2]))!)
        bytes[20] ^= 1
        try w.write("altered.json", text.replacingOccurrences(of: line, with: "— witness.example/w1 " + Data(bytes).base64EncodedString()))
        let altered = try w.lineage("verify-proof", "altered.json", "--key", "log.pub", "--witness-key", "w1.pub")
        #expect(altered.status == 1 && altered.stderr.contains("does not verify"), "\(altered.stderr)")
        // Keys of the wrong kind are refused.
        #expect(try w.lineage("verify-proof", "bundle.json", "--key", "w1.pub").status == 2)
        #expect(try w.lineage("verify-proof", "bundle.json", "--key", "log.pub", "--witness-key", "log.pub").status == 2)
        #expect(try w.lineage("verify-proof", "bundle.json", "--key", "log.pub", "--quorum", "1").status == 2)
    }

    @Test("lineage serve asks the witnesses to cosign new checkpoints by itself")
    func serverCosigns() throws {
        let w = try CrashTests.deployed()
        let (witness, _) = try WitnessTests.witness(w, "w1")
        defer { WitnessTests.kill(witness) }
        try w.ok("witness", "add", witness.base, "--key", "w1.pub")
        let server = try RunningServer(w, "--cosign-every", "0.2")
        defer { _ = server.stop() }
        server.token = try w.ok("token", "create", "--name", "svc", "--role", "ingest").trimmingCharacters(in: .whitespacesAndNewlines)
        let posted = try server.request(w, "POST", "/v1/records", body: "{\"predictionId\":\"p1\",\"deployment\":\"deployment:m/prod\",\"output\":{\"label\":\"ok\"}}\n")
        #expect(posted.status == 200, "\(posted.body)")
        // The prediction's checkpoint gets cosigned within a few rounds (waited for, not timed).
        var cosigned = false
        for _ in 0..<150 where !cosigned {
            usleep(100_000)
            try w.write("p1.json", try w.ok("prove", "p1"))
            cosigned = try w.lineage("verify-proof", "p1.json", "--key", w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines),
                                     "--witness-key", "w1.pub").status == 0
        }
        #expect(cosigned, "the server did not get the prediction's checkpoint cosigned")
    }

    @Test("a witness refuses another history (409), a bad proof (422), an unknown log (404), another key (403), garbage (400); its state survives a restart")
    func refusals() throws {
        let w = try CrashTests.deployed()
        var (witness, _) = try WitnessTests.witness(w, "w1")
        defer { WitnessTests.kill(witness) }
        try w.ok("witness", "add", witness.base, "--key", "w1.pub")
        try w.ok("cosign")
        // A twin of the store (same key, same witness) writes another batch at the same position.
        try FileManager.default.createDirectory(atPath: w.path + "/twin", withIntermediateDirectories: true)
        try w.run("/bin/cp", ["-r", w.path + "/.lineage", w.path + "/twin/.lineage"], in: nil, stdin: nil)
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "staging")
        try w.ok("cosign")
        #expect(try SyncTests.on(w, "twin", "record", "deployment", "--model", "model:m@1", "--environment", "twin").status == 0)
        let fork = try SyncTests.on(w, "twin", "cosign")
        #expect(fork.status == 1 && fork.stdout.contains("REFUSED") && fork.stdout.contains("409"), "\(fork.stdout)\(fork.stderr)")

        let note = try w.ok("checkpoint")
        // The size cosigned last is 3: a request claiming another is answered with it.
        let stale = try WitnessTests.post(w, witness, "old 2\n\n" + note)
        #expect(stale.status == 409 && stale.type.hasPrefix("text/x.tlog.size") && stale.body.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "\(stale)")
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "canary")
        let next = try w.ok("checkpoint")
        let bogus = Data(repeating: 7, count: 32).base64EncodedString()
        let badProof = try WitnessTests.post(w, witness, "old 3\n\(bogus)\n\(bogus)\n\n" + next)
        #expect(badProof.status == 422, "\(badProof)")
        #expect(try WitnessTests.post(w, witness, "old 9\n\n" + next).status == 400)
        #expect(try WitnessTests.post(w, witness, "garbage").status == 400)
        #expect(try WitnessTests.post(w, witness, "old 0\n\n" + String(repeating: "x", count: 70_000)).status >= 400)
        // Another log, and the same log signed by another key.
        try FileManager.default.createDirectory(atPath: w.path + "/other", withIntermediateDirectories: true)
        #expect(try SyncTests.on(w, "other", "init", "--origin", "example.com/other").status == 0)
        try w.write("d.csv", "a\n")
        #expect(try SyncTests.on(w, "other", "add", "dataset", w.path + "/d.csv", "--name", "d").status == 0)
        let otherNote = try SyncTests.on(w, "other", "checkpoint").stdout
        #expect(try WitnessTests.post(w, witness, "old 0\n\n" + otherNote).status == 404)
        try FileManager.default.createDirectory(atPath: w.path + "/impostor", withIntermediateDirectories: true)
        #expect(try SyncTests.on(w, "impostor", "init", "--origin", "example.com/crash").status == 0)
        #expect(try SyncTests.on(w, "impostor", "add", "dataset", w.path + "/d.csv", "--name", "d").status == 0)
        #expect(try WitnessTests.post(w, witness, "old 0\n\n" + SyncTests.on(w, "impostor", "checkpoint").stdout).status == 403)
        // Restarted on its directory, the witness remembers; a second process on it is refused.
        WitnessTests.kill(witness)
        let log = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        witness = try RunningServer(w, command: ["witness", "serve", "w1", "--log", log, "--listen", "127.0.0.1:0"])
        let remembered = try WitnessTests.post(w, witness, "old 0\n\n" + next)
        #expect(remembered.status == 409 && remembered.body.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "\(remembered)")
        let second = try w.lineage("witness", "serve", "w1", "--log", log, "--listen", "127.0.0.1:0")
        #expect(second.status == 4 && second.stderr.contains("another witness process"), "\(second.stderr)")
        // On its new port, it takes the log on from what it cosigned last (size 3) to now (4).
        try w.ok("witness", "remove", "witness.example/w1")
        try w.ok("witness", "add", witness.base, "--key", "w1.pub")
        let cosign = try w.lineage("cosign")
        #expect(cosign.status == 0 && cosign.stdout.contains("cosigned by 1 of 1"), "\(cosign.stdout)\(cosign.stderr)")
    }
}
