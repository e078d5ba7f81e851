import Foundation
import Testing

/// Clone, push and pull between stores in temporary directories, over file:// and a `git daemon`
/// on loopback: copies verify, and a rollback, a fork or a foreign key is refused with nothing changed.
@Suite("clone, push and pull")
struct SyncTests {
    /// An owner store (deployed, predictions p0–p2 with input payloads) pushed to a bare git
    /// repository `hub.git` in the same workspace, remote `hub`.
    static func pushed() throws -> Workspace {
        let w = try CrashTests.deployed()
        try w.write("p.ndjson", CrashTests.predictions(0..<3, payloads: true))
        try w.ok("ingest", "p.ndjson")
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/hub.git"], in: nil, stdin: nil)
        try w.ok("remote", "add", "hub", "hub.git")
        #expect(try w.ok("push", "hub").contains("Pushed the log example.com/crash to hub"))
        return w
    }

    /// Runs lineage on the store in `directory` (relative to the workspace).
    static func on(_ w: Workspace, _ directory: String, _ arguments: String...) throws -> Outcome {
        try w.run(Workspace.binary, arguments + ["--store", w.path + "/" + directory + "/.lineage"], in: nil, stdin: nil)
    }

    static func head(_ w: Workspace, _ directory: String) throws -> String {
        try w.run("/usr/bin/env", ["git", "--git-dir", w.path + "/" + directory + "/.lineage", "for-each-ref", "--format=%(objectname)", "refs/lineage/log/"],
                  in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a clone is a working, verified store; pull brings what the owner pushed; the copy adds nothing of its own")
    func cloneAndPull() throws {
        let w = try SyncTests.pushed()
        let fingerprint = try w.ok("key", "show", "--fingerprint").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(fingerprint.hasPrefix("SHA256:"))
        let clone = try w.lineage("clone", "file://" + w.path + "/hub.git", "copy")
        #expect(clone.status == 0, "\(clone.stderr)")
        #expect(clone.stdout.contains("Cloned the log example.com/crash") && clone.stdout.contains("5 records"), "\(clone.stdout)")
        #expect(clone.stderr.contains("TRUST ON FIRST USE") && clone.stderr.contains(fingerprint), "\(clone.stderr)")
        #expect(try SyncTests.on(w, "copy", "verify").stdout.contains("OK: 5 records"))
        #expect(try SyncTests.head(w, "copy") == w.logHead())
        // Everything reads as in the owner's store; payloads stay with the owner.
        let trace = try SyncTests.on(w, "copy", "trace", "p1").stdout
        #expect(trace.contains("model m@1") && trace.contains("deployment m/prod"), "\(trace)")
        #expect(try SyncTests.on(w, "copy", "show", "p1").stdout.contains("payload not in this copy"))
        let remotes = try SyncTests.on(w, "copy", "remote", "list").stdout
        #expect(remotes.contains("origin\tfile://" + w.path + "/hub.git"), "\(remotes)")
        // A copy cannot sign the owner's log: refused, nothing written.
        let before = try SyncTests.head(w, "copy")
        let write = try SyncTests.on(w, "copy", "record", "deployment", "--model", "model:m@1", "--environment", "staging")
        #expect(write.status == 2 && write.stderr.contains("is a copy of the log example.com/crash"), "\(write.stderr)")
        #expect(try SyncTests.on(w, "copy", "key", "generate", "--replace").status == 2)
        #expect(try SyncTests.head(w, "copy") == before)
        // The owner records more, erases a payload and pushes; the copy pulls and verifies it.
        try w.write("q.ndjson", CrashTests.predictions(3..<5))
        try w.ok("ingest", "q.ndjson")
        try w.ok("erase", "--prediction", "p0", "--reason", "request 7")
        try w.ok("push", "hub")
        let pull = try SyncTests.on(w, "copy", "pull")
        #expect(pull.status == 0 && pull.stdout.contains("Pulled 2 batches") && pull.stdout.contains("8 records now"), "\(pull.stdout)\(pull.stderr)")
        #expect(try SyncTests.head(w, "copy") == w.logHead())
        #expect(try SyncTests.on(w, "copy", "show", "p0").stdout.contains("input erased on"))
        #expect(try SyncTests.on(w, "copy", "verify").stdout.contains("OK: 8 records"))
        let again = try SyncTests.on(w, "copy", "pull", "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(report["batches"] as? Int == 0 && report["size"] as? Int == 8, "\(again.stdout)")
        #expect(try w.ok("push", "hub").contains("Everything up to date"))
    }

    @Test("pull --payloads copies the payload packs from the owner's server: a replica (or admin) token only, checked against the log, erasures kept")
    func payloads() throws {
        let w = try SyncTests.pushed()
        #expect(try w.lineage("clone", "file://" + w.path + "/hub.git", "copy").status == 0)
        // The owner erases p1's input and pushes; the copy pulls that with the payloads.
        try w.ok("erase", "--prediction", "p1", "--reason", "request 9")
        try w.ok("push", "hub")
        let replica = try w.ok("token", "create", "--name", "replica", "--role", "replica").trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = try w.ok("token", "create", "--name", "dana", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w)
        defer { _ = server.stop() }
        // Without a token, or with a reader's: refused in one sentence, nothing copied (the log is pulled all the same).
        let none = try SyncTests.on(w, "copy", "pull", "--payloads", server.base)
        #expect(none.status == 2 && none.stderr.contains("needs a token of the server's replica (or admin) role in LINEAGE_TOKEN"), "\(none.stderr)")
        w.environment["LINEAGE_TOKEN"] = reader
        let refused = try SyncTests.on(w, "copy", "pull", "--payloads", server.base)
        #expect(refused.status == 2 && refused.stderr.contains("refused the payloads (403)"), "\(refused.stdout)\(refused.stderr)")
        #expect(try SyncTests.on(w, "copy", "show", "p2").stdout.contains("payload not in this copy"))
        // The replica role reads and copies payloads, and writes nothing.
        #expect(try server.request(w, "POST", "/v1/records", body: CrashTests.predictions(9..<10), token: replica).status == 403)
        // A server that hands out a pack whose sealed bytes were altered: refused, nothing kept.
        let packs = try FileManager.default.contentsOfDirectory(atPath: w.path + "/.lineage/payloads/packs").filter { $0.hasSuffix(".pack") }
        try #require(packs.count == 1)
        var pack = try [UInt8](Data(contentsOf: URL(fileURLWithPath: w.path + "/.lineage/payloads/packs/" + packs[0])))
        let sealed = 64 + 128 * Int(pack[8])
        for i in sealed..<pack.count { pack[i] ^= 0x5A }
        try FileManager.default.createDirectory(atPath: w.path + "/evil/v1/payloads/packs", withIntermediateDirectories: true)
        try Data(pack).write(to: URL(fileURLWithPath: w.path + "/evil/v1/payloads/packs/" + String(packs[0].dropLast(".pack".count))))
        let evil = Process()
        evil.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        evil.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", w.path + "/evil"]
        let evilOutput = Pipe()
        evil.standardOutput = evilOutput
        evil.standardError = FileHandle.nullDevice
        try evil.run()
        defer { kill(evil.processIdentifier, SIGKILL) }
        let banner = String(decoding: evilOutput.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(banner.split(separator: " ").firstIndex(of: "port").map { banner.split(separator: " ")[$0 + 1] }, "\(banner)")
        w.environment["LINEAGE_TOKEN"] = replica
        let altered = try SyncTests.on(w, "copy", "pull", "--payloads", "http://127.0.0.1:\(port)")
        #expect(altered.status == 4 && altered.stderr.contains("does not match the log") && altered.stderr.contains("nothing was kept"), "\(altered.stdout)\(altered.stderr)")
        #expect(try SyncTests.on(w, "copy", "show", "p2").stdout.contains("payload not in this copy"))
        let pulled = try SyncTests.on(w, "copy", "pull", "--payloads", server.base)
        #expect(pulled.status == 0 && pulled.stdout.contains("Payloads: 1 pack copied and checked against the log, 2 payloads readable, 1 erased"), "status \(pulled.status): \(pulled.stdout)\(pulled.stderr)")
        // The copy's payloads are the owner's: the same payload, salt and commitment; p1 stays erased.
        #expect(try SyncTests.on(w, "copy", "payload", "export", "p2").stdout == (try w.ok("payload", "export", "p2")))
        #expect(try SyncTests.on(w, "copy", "show", "p1").stdout.contains("input erased on"))
        #expect(try SyncTests.on(w, "copy", "verify").stdout.hasPrefix("OK"))
        let again = try SyncTests.on(w, "copy", "pull", "--payloads", server.base, "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect((report["payloads"] as? [String: Any])?["packs"] as? Int == 0, "\(again.stdout)")
        #expect(try SyncTests.on(w, "copy", "pull", "--payloads", "ftp://x").status == 2)
        // Every copy was read under the replica token: access records in the owner's log.
        _ = server.stop()
        let accesses = try w.ok("query", "--kind", "access", "--actor", "replica", "--json")
        #expect(accesses.contains("\"action\":\"payload\""), "\(accesses)")
    }

    @Test("a rolled-back remote is refused, naming both checkpoints; the copy keeps its log")
    func rollbackRefused() throws {
        let w = try SyncTests.pushed()
        #expect(try w.lineage("clone", "hub.git", "copy").status == 0)
        let hub = ["git", "--git-dir", w.path + "/hub.git"]
        let ref = "refs/lineage/log/example.com/crash"
        let previous = try w.run("/usr/bin/env", hub + ["rev-parse", ref + "~1"], in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try w.run("/usr/bin/env", hub + ["update-ref", ref, previous], in: nil, stdin: nil)
        let before = try SyncTests.head(w, "copy")
        let pull = try SyncTests.on(w, "copy", "pull")
        #expect(pull.status == 1 && pull.stderr.contains("ROLLBACK") && pull.stderr.contains("size 2") && pull.stderr.contains("size 5"), "\(pull.stderr)")
        #expect(try SyncTests.head(w, "copy") == before)
        #expect(try SyncTests.on(w, "copy", "verify").status == 0)
        // The owner's push puts it right again.
        #expect(try w.ok("push", "hub").contains("it had 2"))
        #expect(try SyncTests.on(w, "copy", "pull").stdout.contains("Already up to date"))
    }

    @Test("a fork is refused on pull and on push, naming both checkpoints")
    func forkRefused() throws {
        let w = try SyncTests.pushed()
        #expect(try w.lineage("clone", "hub.git", "copy").status == 0)
        // A second copy of the owner's store, with the same key, writes a different batch.
        try FileManager.default.createDirectory(atPath: w.path + "/twin", withIntermediateDirectories: true)
        try w.run("/bin/cp", ["-r", w.path + "/.lineage", w.path + "/twin/.lineage"], in: nil, stdin: nil)
        #expect(try SyncTests.on(w, "twin", "record", "deployment", "--model", "model:m@1", "--environment", "twin").status == 0)
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "staging")
        try w.ok("push", "hub")
        #expect(try SyncTests.on(w, "copy", "pull").status == 0)
        let push = try SyncTests.on(w, "twin", "push", "hub")
        #expect(push.status == 1 && push.stderr.contains("FORK") && push.stderr.contains("nothing was pushed"), "\(push.stderr)")
        // Forced into the hub behind lineage's back, the fork reaches the copy, which refuses it.
        try w.run("/usr/bin/env", ["git", "--git-dir", w.path + "/twin/.lineage", "push", "--quiet", "--force", w.path + "/hub.git",
                                   "refs/lineage/log/example.com/crash:refs/lineage/log/example.com/crash"], in: nil, stdin: nil)
        let before = try SyncTests.head(w, "copy")
        let pull = try SyncTests.on(w, "copy", "pull")
        #expect(pull.status == 1 && pull.stderr.contains("FORK") && pull.stderr.contains("size 6"), "\(pull.stderr)")
        #expect(try SyncTests.head(w, "copy") == before)
        #expect(try SyncTests.on(w, "copy", "show", "deployment:m/staging").status == 0)
    }

    @Test("a pinned key: the right fingerprint clones quietly; another key's log is refused, on clone and on pull")
    func pinnedKey() throws {
        let w = try SyncTests.pushed()
        let fingerprint = try w.ok("key", "show", "--fingerprint").trimmingCharacters(in: .whitespacesAndNewlines)
        let pinned = try w.lineage("clone", "hub.git", "copy", "--key-fingerprint", fingerprint)
        #expect(pinned.status == 0 && !pinned.stderr.contains("TRUST ON FIRST USE"), "\(pinned.stderr)")
        let wrong = try w.lineage("clone", "hub.git", "other", "--key-fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        #expect(wrong.status == 1 && wrong.stderr.contains("not the pinned"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/other/.lineage"))
        // An impostor's store of the same origin, with its own key, pushed to another hub.
        try FileManager.default.createDirectory(atPath: w.path + "/impostor", withIntermediateDirectories: true)
        #expect(try SyncTests.on(w, "impostor", "init", "--origin", "example.com/crash").status == 0)
        try w.write("model.bin", "weights\n")
        #expect(try SyncTests.on(w, "impostor", "record", "model", "--name", "m", "--file", w.path + "/model.bin").status == 0)
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/fake.git"], in: nil, stdin: nil)
        #expect(try SyncTests.on(w, "impostor", "remote", "add", "fake", w.path + "/fake.git").status == 0)
        #expect(try SyncTests.on(w, "impostor", "push", "fake").status == 0)
        #expect(try SyncTests.on(w, "copy", "remote", "add", "fake", w.path + "/fake.git").status == 0)
        let before = try SyncTests.head(w, "copy")
        let pull = try SyncTests.on(w, "copy", "pull", "fake")
        #expect(pull.status == 1 && pull.stderr.contains("does not trust"), "\(pull.stderr)")
        #expect(try SyncTests.head(w, "copy") == before)
    }

    @Test("a rotated key reaches the copy, vouched for by the old one")
    func keyRotation() throws {
        let w = try SyncTests.pushed()
        #expect(try w.lineage("clone", "hub.git", "copy").status == 0)
        let old = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        try w.ok("key", "generate", "--replace")
        let new = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(old != new)
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "staging")
        try w.ok("push", "hub")
        let pull = try SyncTests.on(w, "copy", "pull")
        #expect(pull.status == 0 && pull.stdout.contains("Now trusting") && pull.stdout.contains(new), "\(pull.stdout)\(pull.stderr)")
        #expect(try SyncTests.on(w, "copy", "verify").status == 0)
    }

    @Test("over git://: a git daemon on loopback serves clone, push and pull")
    func gitDaemon() throws {
        let w = try SyncTests.pushed()
        let port = try w.run("/usr/bin/env", ["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"],
                             in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // git runs git-daemon as a child: it is stopped by the pid it writes, and holds none of our pipes.
        let pidFile = w.path + "/daemon.pid"
        daemon.arguments = ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(w.path)",
                            "--export-all", "--enable=receive-pack", "--pid-file=\(pidFile)", w.path]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            if let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) { kill(pid, SIGKILL) }
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
        }
        let url = "git://127.0.0.1:\(port)/hub.git"
        for _ in 0..<50 where try w.run("/usr/bin/env", ["git", "ls-remote", url], in: nil, stdin: nil).status != 0 { usleep(100_000) }
        let clone = try w.lineage("clone", url, "copy")
        #expect(clone.status == 0, "\(clone.stderr)")
        try w.ok("remote", "add", "daemon", url)
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "staging")
        #expect(try w.ok("push", "daemon").contains("6 records"))
        let pull = try SyncTests.on(w, "copy", "pull")
        #expect(pull.status == 0 && pull.stdout.contains("6 records now"), "\(pull.stdout)\(pull.stderr)")
    }

    @Test("bad input: one sentence, the documented exit code, nothing left behind")
    func badInput() throws {
        let w = try SyncTests.pushed()
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/empty.git"], in: nil, stdin: nil)
        try FileManager.default.createDirectory(atPath: w.path + "/plain", withIntermediateDirectories: true)
        for (arguments, status, words) in [
            (["clone", w.path + "/plain", "a"], Int32(3), "cannot fetch from"),
            (["clone", "empty.git", "b"], 3, "holds no lineage log"),
            (["clone", "--", "-upload-pack=touch /tmp/x", "c"], 2, "is not allowed"),
            (["clone", "ext::sh -c touch% /tmp/x", "d"], 2, "runs a command"),
            (["clone", "hub.git", "."], 2, "already exists"),
            (["remote", "add", "hub", "other.git"], 2, "already exists"),
            (["remote", "add", "--", "-bad", "x.git"], 2, "not allowed"),
            (["pull", "nowhere"], 3, "no remote named nowhere"),
            (["push", "nowhere"], 3, "no remote named nowhere"),
            (["remote", "remove", "nowhere"], 3, "no remote named nowhere"),
        ] {
            let outcome = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(outcome.status == status && outcome.stderr.contains(words), "\(arguments): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
        }
        for directory in ["a", "b", "c", "d"] { #expect(!FileManager.default.fileExists(atPath: w.path + "/" + directory + "/.lineage")) }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x"))
        try w.ok("remote", "remove", "hub")
        let remotes = try JSONSerialization.jsonObject(with: Data(try w.ok("remote", "list", "--json").utf8)) as? [Any]
        #expect(remotes?.isEmpty == true)
    }

    @Test("the CI workflow's gate step, run as a script: passes a model with lineage, refuses one without, and a wrong key")
    func ciGateScript() throws {
        let w = try GateTests.trained()
        try w.run("/usr/bin/env", ["git", "init", "--quiet", "--bare", w.path + "/hub.git"], in: nil, stdin: nil)
        try w.ok("remote", "add", "hub", "hub.git")
        try w.ok("push", "hub")
        let fingerprint = try w.ok("key", "show", "--fingerprint").trimmingCharacters(in: .whitespacesAndNewlines)
        let script = ConventionTests.root + "/examples/ci/gate.sh"
        let workflow = try String(contentsOfFile: ConventionTests.root + "/examples/ci/gate-model.yml", encoding: .utf8)
        #expect(workflow.contains("examples/ci/gate.sh models/fraud.onnx"), "the workflow does not run the tested script")
        var environment = w.environment
        environment["PATH"] = (Workspace.binary as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["LINEAGE_REMOTE"] = "file://" + w.path + "/hub.git"
        environment["LINEAGE_KEY_FINGERPRINT"] = fingerprint
        let saved = w.environment
        defer { w.environment = saved }
        func gate(_ model: String) throws -> Outcome {
            w.environment = environment
            return try w.run("/bin/sh", [script, model, "policy.yaml"], in: nil, stdin: nil)
        }
        try w.write("policy.yaml", "metrics: ['auc > 0.9']\n")
        let passed = try gate("model.bin")
        #expect(passed.status == 0 && passed.stdout.contains("PASSED"), "\(passed.stdout)\(passed.stderr)")
        try w.write("unknown.bin", "other weights\n")
        let refused = try gate("unknown.bin")
        #expect(refused.status == 1 && refused.stdout.contains("::error"), "\(refused.stdout)\(refused.stderr)")
        environment["LINEAGE_KEY_FINGERPRINT"] = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        let impostor = try gate("model.bin")
        #expect(impostor.status == 1 && impostor.stdout.contains("::error title=lineage::cannot clone and verify"), "\(impostor.stdout)\(impostor.stderr)")
    }
}
