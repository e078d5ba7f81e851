import Foundation
import Testing
import LineageCore
#if canImport(Glibc)
import Glibc
#endif

/// A store that is damaged, raced or killed mid-write never wedges, never signs a false
/// checkpoint, never loses an acknowledged payload and never accuses anyone falsely.
@Suite("crashes, races and damaged files")
struct CrashTests {
    /// A store with a model deployed to prod, ready for predictions.
    static func deployed() throws -> Workspace {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/crash")
        try w.write("model.bin", "weights\n")
        try w.ok("record", "model", "--name", "m", "--file", "model.bin", "--format", "bin")
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod")
        return w
    }

    /// A deployed store with `count` predictions ingested (p0, p1, …).
    static func ingested(_ count: Int) throws -> Workspace {
        let w = try deployed()
        try w.write("p.ndjson", predictions(0..<count))
        try w.ok("ingest", "p.ndjson")
        return w
    }

    /// NDJSON predictions `from..<to`, each with a raw input kept as a payload when `payloads`.
    static func predictions(_ range: Range<Int>, payloads: Bool = false) -> String {
        range.map { i in
            let input = payloads ? ",\"input\":{\"customer\":\"c\(i)\",\"amount\":\(i)}" : ""
            return "{\"predictionId\":\"p\(i)\",\"deployment\":\"deployment:m/prod\",\"output\":{\"label\":\"ok\",\"score\":0.5}\(input)}\n"
        }.joined()
    }

    /// Runs SQL on the store's index with Python's sqlite3 (as a user with the sqlite3 shell would).
    static func sql(_ w: Workspace, _ statement: String) throws {
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
        let outcome = try w.run("/usr/bin/env", ["python3", "-c", script, w.path + "/.lineage/index.sqlite", statement], in: nil, stdin: nil)
        #expect(outcome.status == 0, "sqlite: \(outcome.stderr)")
    }

    /// The checkpoint size the log head states.
    static func checkpointSize(_ w: Workspace) throws -> Int {
        let lines = try w.ok("checkpoint").split(separator: "\n")
        return Int(lines[1]) ?? -1
    }

    /// The payload commitments of every prediction in the store.
    static func commitments(_ w: Workspace) throws -> [String] {
        try w.ok("query", "--kind", "prediction", "--json").split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["record"] as? [String: Any])?["input"] as? String
        }
    }

    /// The payload counts `verify --json` reports (stored, erased, awaitingErasure, orphanPacks).
    static func payloadCounts(_ w: Workspace) throws -> [String: Int] {
        let report = try JSONSerialization.jsonObject(with: Data(try w.ok("verify", "--json").utf8)) as? [String: Any]
        return report?["payloads"] as? [String: Int] ?? [:]
    }

    @Test("an index row deleted: the next write takes its position from the log, rebuilds the index and signs a true checkpoint")
    func indexRowDeleted() throws {
        let w = try CrashTests.ingested(100)
        try CrashTests.sql(w, "DELETE FROM record WHERE seq=(SELECT max(seq) FROM record)")
        let outcome = try w.lineage("record", "prediction", "--id", "newrec", "--deployment", "deployment:m/prod", "--output", "{\"label\":\"ok\"}")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("the index disagreed with the log"), "\(outcome.stderr)")
        #expect(try w.ok("verify").hasPrefix("OK: 103 records"))
        #expect(try CrashTests.checkpointSize(w) == 103)
        try w.ok("record", "prediction", "--id", "after", "--deployment", "deployment:m/prod", "--output", "{\"label\":\"ok\"}")
        #expect(try w.ok("verify").hasPrefix("OK: 104 records"))
    }

    @Test("the index's Merkle state or batch count altered: rebuilt before a write, never signed")
    func indexMetaAltered() throws {
        let w = try CrashTests.deployed()
        try CrashTests.sql(w, "DELETE FROM batch WHERE number=(SELECT max(number) FROM batch)")
        let outcome = try w.lineage("record", "prediction", "--id", "x", "--deployment", "deployment:m/prod", "--output", "{\"label\":\"ok\"}")
        #expect(outcome.status == 0 && outcome.stderr.contains("rebuilding it from the log"), "\(outcome.stderr)")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records in 3 batches"))
    }

    @Test("a ref lock left by a killed writer is removed under the store's lock, and writing goes on")
    func staleRefLock() throws {
        let w = try CrashTests.deployed()
        let ref = try History(workspace: w).ref
        try w.write(".lineage/\(ref).lock", "")
        try w.write(".lineage/objects/tmp_object_git2_abcdef", "partial")
        try w.write(".lineage/objects/tmp_object_git2_fresh", "in progress")
        // Left ten minutes ago: stale. A fresh one may be another writer's, and stays.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)],
                                              ofItemAtPath: w.path + "/.lineage/objects/tmp_object_git2_abcdef")
        let outcome = try w.lineage("record", "prediction", "--id", "a", "--deployment", "deployment:m/prod", "--output", "{\"label\":\"ok\"}")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("left by a writer that was killed"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(w.path)/.lineage/\(ref).lock"))
        // Temporary objects are only garbage: reindex removes the stale ones.
        #expect(try w.lineage("reindex").stderr.contains("removed 1 temporary object file"))
        #expect(!FileManager.default.fileExists(atPath: "\(w.path)/.lineage/objects/tmp_object_git2_abcdef"))
        #expect(FileManager.default.fileExists(atPath: "\(w.path)/.lineage/objects/tmp_object_git2_fresh"))
        try FileManager.default.removeItem(atPath: "\(w.path)/.lineage/objects/tmp_object_git2_fresh")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records"))
        try w.expectFsckClean()
    }

    @Test("a prediction given again: the same payload is a duplicate, another is refused, an erased one is never taken back")
    func payloadGivenAgain() throws {
        let w = try CrashTests.deployed()
        try w.ok("record", "prediction", "--id", "q1", "--deployment", "deployment:m/prod", "--input-json", "{\"customer\":\"Jane Roe\"}",
                 "--output", "{\"label\":\"ok\"}")
        try w.write("in.ndjson", CrashTests.predictions(0..<3, payloads: true))
        try w.ok("ingest", "in.ndjson")
        #expect(try CrashTests.payloadCounts(w)["stored"] == 4)
        let head = try w.logHead()
        // The same ones again add nothing (each commitment was made under a fresh salt; the stored salt decides).
        #expect(try w.ok("record", "prediction", "--id", "q1", "--deployment", "deployment:m/prod", "--input-json", "{\"customer\":\"Jane Roe\"}",
                         "--output", "{\"label\":\"ok\"}").contains("already recorded"))
        #expect(try w.ok("ingest", "in.ndjson").contains("3 duplicates skipped"))
        #expect(try w.logHead() == head)
        // Another payload under the same prediction id is refused and changes nothing.
        let other = try w.lineage("record", "prediction", "--id", "q1", "--deployment", "deployment:m/prod", "--input-json",
                                  "{\"customer\":\"John Doe\"}", "--output", "{\"label\":\"ok\"}")
        #expect(other.status == 2 && other.stderr.contains("different content"), "\(other.stderr)")
        try w.write("other.ndjson", "{\"predictionId\":\"p1\",\"deployment\":\"deployment:m/prod\",\"output\":{\"label\":\"ok\",\"score\":0.5},\"input\":{\"customer\":\"c9\",\"amount\":9}}\n")
        let otherLine = try w.lineage("ingest", "other.ndjson")
        #expect(otherLine.status == 2 && otherLine.stderr.contains("different content"), "\(otherLine.stderr)")
        #expect(try w.logHead() == head)
        // Once erased, the same payload is not taken back under that prediction id.
        try w.ok("erase", "--prediction", "p1", "--reason", "test")
        let erasedHead = try w.logHead()
        let back = try w.lineage("ingest", "in.ndjson")
        #expect(back.status == 2 && back.stderr.contains("was erased"), "\(back.stderr)")
        #expect(try w.logHead() == erasedHead)
        #expect(try CrashTests.payloadCounts(w)["erased"] == 1)
    }

    @Test("kill -9 during ingest with payloads and during record: nothing landed without its payload, and the store takes writes")
    func killDuringWrites() throws {
        let w = try CrashTests.deployed()
        try w.write("in.ndjson", CrashTests.predictions(0..<2000, payloads: true))
        var generator = SystemRandomNumberGenerator()
        // 12 rounds in the suite; LINEAGE_CRASH_ROUNDS=100 for the long run.
        let rounds = Int(ProcessInfo.processInfo.environment["LINEAGE_CRASH_ROUNDS"] ?? "") ?? 12
        var acknowledged: [String] = []
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Workspace.binary)
            process.arguments = round % 3 == 2
                ? ["record", "prediction", "--id", "r\(round)", "--deployment", "deployment:m/prod", "--input-json", "{\"n\":\(round)}", "--output", "{\"label\":\"ok\"}"]
                : ["ingest", "in.ndjson", "--batch-size", "50", "-q"]
            process.currentDirectoryURL = URL(fileURLWithPath: w.path)
            process.environment = w.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 1_000...(round % 3 == 2 ? 15_000 : 400_000), using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // After every kill the store still takes a write.
            acknowledged.append(Workspace.id(try w.ok("record", "prediction", "--id", "after\(round)", "--deployment", "deployment:m/prod",
                                                      "--input-json", "{\"round\":\(round)}", "--output", "{\"label\":\"ok\"}")))
        }
        // Nothing acknowledged was lost.
        for (round, id) in acknowledged.enumerated() {
            #expect(try w.ok("show", "after\(round)").contains(id))
        }
        #expect(try w.ok("verify").hasPrefix("OK: "))
        try w.expectFsckClean()
        // Every landed prediction has its payload (verify opens each and checks it), and no pack
        // outlived a batch that never landed (the writes after each kill removed them).
        let landed = try CrashTests.commitments(w)
        let counts = try CrashTests.payloadCounts(w)
        #expect(counts["stored"] == landed.count, "a landed prediction lost its payload: \(counts) for \(landed.count)")
        #expect(counts["orphanPacks"] == 0)
        // Finishing the ingest lands the rest, each with its payload.
        try w.ok("ingest", "in.ndjson")
        let all = try CrashTests.commitments(w)
        #expect(all.count >= 2000)
        #expect(try CrashTests.payloadCounts(w)["stored"] == all.count)
        #expect(try w.ok("verify").hasPrefix("OK: "))
    }

    @Test("verify beside concurrent writers never reports tampering")
    func verifyUnderLoad() throws {
        let w = try CrashTests.deployed()
        try w.write("a.ndjson", CrashTests.predictions(0..<3000))
        try w.write("b.ndjson", CrashTests.predictions(3000..<6000))
        var writers: [Process] = []
        for file in ["a.ndjson", "b.ndjson"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Workspace.binary)
            process.arguments = ["ingest", file, "--batch-size", "20", "-q"]
            process.currentDirectoryURL = URL(fileURLWithPath: w.path)
            process.environment = w.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            writers.append(process)
        }
        var runs = 0
        while writers.contains(where: \.isRunning) && runs < 40 {
            let outcome = try w.lineage("verify")
            #expect(outcome.status == 0, "verify beside writers: \(outcome.stderr)")
            runs += 1
        }
        for writer in writers { writer.waitUntilExit() }
        #expect(writers.allSatisfy { $0.terminationStatus == 0 })
        #expect(runs > 0)
        #expect(try w.ok("verify").hasPrefix("OK: 6002 records"))
    }

    @Test("a commit that is its own ancestor: every walk stops and names it")
    func commitCycle() throws {
        let w = try Workspace.withDatasets(3)
        let history = History(workspace: w)
        let commits = try history.commits()
        // Overwrite the loose object of batch 1 with the bytes of batch 2, whose parent is batch 1.
        let objects = w.path + "/.lineage/objects/"
        let parent = objects + commits[1].prefix(2) + "/" + commits[1].dropFirst(2)
        let child = objects + commits[2].prefix(2) + "/" + commits[2].dropFirst(2)
        chmod(parent, 0o644)
        try FileManager.default.removeItem(atPath: parent)
        try FileManager.default.copyItem(atPath: child, toPath: parent)
        let verify = try w.lineage("verify")
        #expect(verify.status == 1 && verify.stderr.contains("commit \(commits[1].prefix(12))") && verify.stderr.contains("reached twice"),
                "\(verify.stderr)")
        // The index, rebuilt from the log, meets the same loop and says so.
        let reindex = try w.lineage("reindex")
        #expect(reindex.status == 4 && reindex.stderr.contains("reached twice"), "\(reindex.stderr)")
    }

    @Test("random bytes inside the index: any command rebuilds it from the log, reindex too")
    func indexDamaged() throws {
        let w = try CrashTests.ingested(500)
        let file = w.path + "/.lineage/index.sqlite"
        let size = try (FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.seek(toOffset: 4096)
        var generator = SystemRandomNumberGenerator()
        handle.write(Data((0..<(size - 4096)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        try handle.close()
        let show = try w.lineage("show", "p7")
        #expect(show.status == 0 && show.stdout.hasPrefix("prediction p7"), "\(show.stderr)")
        #expect(show.stderr.contains("damaged"), "\(show.stderr)")
        #expect(try w.ok("reindex").contains("Indexed 502 records"))
        #expect(try w.ok("verify").hasPrefix("OK: 502 records"))
    }

    @Test("a busy index is waited for, never deleted")
    func busyIndex() throws {
        let w = try CrashTests.deployed()
        // Another process holds the index's write lock for two seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(2); c.execute('COMMIT')",
                            w.path + "/.lineage/index.sqlite"]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        _ = pipe.fileHandleForReading.availableData // "held"
        let outcome = try w.lineage("record", "prediction", "--id", "b", "--deployment", "deployment:m/prod", "--output", "{\"label\":\"ok\"}")
        holder.waitUntilExit()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("damaged"), "\(outcome.stderr)")
        #expect(try w.ok("verify").hasPrefix("OK: 3 records"))
    }

    @Test("a quiet stream lands what it sent within --batch-seconds")
    func quietStream() throws {
        let w = try CrashTests.deployed()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Workspace.binary)
        process.arguments = ["ingest", "-", "--batch-seconds", "0.5", "-q"]
        process.currentDirectoryURL = URL(fileURLWithPath: w.path)
        process.environment = w.environment
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(CrashTests.predictions(0..<3).utf8))
        // The stream stays open; the batch must land anyway.
        var landed = false
        for _ in 0..<50 where !landed {
            usleep(200_000)
            landed = try w.lineage("show", "p2").status == 0
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(landed, "nothing landed while the stream was quiet")
        #expect(process.terminationStatus == 0)
    }

    @Test("a deployment recorded earlier in the same input: later predictions link to it, not to the one it superseded")
    func namesInSameInput() throws {
        let w = try CrashTests.deployed()
        try w.write("model2.bin", "weights 2\n")
        try w.ok("record", "model", "--name", "m", "--file", "model2.bin", "--format", "bin")
        let old = try w.ok("show", "deployment:m/prod").split(separator: "\n")[1]
        try w.write("mix.ndjson", CrashTests.predictions(0..<2)
            + "{\"kind\":\"deployment\",\"model\":\"model:m@2\",\"environment\":\"prod\",\"action\":\"deploy\"}\n"
            + CrashTests.predictions(2..<4))
        try w.ok("ingest", "mix.ndjson")
        let new = try w.ok("show", "deployment:m/prod").split(separator: "\n")[1]
        #expect(old != new)
        let newID = new.replacingOccurrences(of: "id: ", with: "")
        let oldID = old.replacingOccurrences(of: "id: ", with: "")
        #expect(try w.ok("show", "p1").contains("deployment: \(oldID)"))
        #expect(try w.ok("show", "p3").contains("deployment: \(newID)"))
    }

    @Test("an edited record is named as the one altered, not a record of its batch that links to it")
    func alteredRecordNamed() throws {
        let w = try CrashTests.deployed()
        try w.write("model2.bin", "weights 2\n")
        // `lineage run` records the run and the model it produced in one batch.
        try w.ok("run", "--model", "m=model2.bin", "--param", "lr=0.1", "--", "true")
        let history = History(workspace: w)
        let commits = try history.commits()
        var raws = try commits.map(history.raw)
        let segment = try history.segment(commits[2])
        #expect(segment.contains("\"lr\":0.1"))
        let runID = "sha256:" + Digest(hashing: Array(segment.split(separator: "\n")[0].utf8)).hex
        raws[2] = History.replacingTree(raws[2], with: try history.tree(segment: segment.replacingOccurrences(of: "\"lr\":0.1", with: "\"lr\":0.9"), firstSeq: 2))
        try history.rechain(raws)
        let outcome = try w.lineage("verify")
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("record 2, recorded as \(runID) (run), was altered"), "\(outcome.stderr)")
    }

    /// Changes `from` to `to` inside a loose git object, keeping its name (as someone editing the
    /// store's files would; git's own SHA-1 no longer matches, lineage must notice by itself).
    static func alterObject(_ w: Workspace, _ object: String, _ from: String, _ to: String) throws {
        let script = """
            import sys, zlib, os
            p = sys.argv[1]; d = zlib.decompress(open(p, 'rb').read())
            assert sys.argv[2].encode() in d
            os.chmod(p, 0o644); open(p, 'wb').write(zlib.compress(d.replace(sys.argv[2].encode(), sys.argv[3].encode(), 1)))
            """
        let file = "\(w.path)/.lineage/objects/\(object.prefix(2))/\(object.dropFirst(2))"
        let outcome = try w.run("/usr/bin/env", ["python3", "-c", script, file, from, to], in: nil, stdin: nil)
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test("a prediction's bytes altered in git, object name kept: show, trace, query and prove refuse with exit 1 naming it",
          arguments: [300, 590])
    func readsNoticeTampering(prediction: Int) throws {
        // 600 predictions after two records: positions 256..511 form a whole block (checked against
        // its Merkle subtree), 512..601 a partial one (checked record by record).
        let w = try CrashTests.ingested(600)
        let head = try w.logHead()
        let segment = prediction < 510 ? "records-000000000256.ndjson" : "records-000000000512.ndjson"
        let blob = try w.git("rev-parse", "\(head):\(segment)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try CrashTests.alterObject(w, blob, "\"predictionId\":\"p\(prediction)\"", "\"predictionId\":\"x\(prediction)\"")
        let position = "log position \(prediction + 2) was altered"
        for arguments in [["show", "p\(prediction)"], ["trace", "p\(prediction)"], ["query", "--kind", "prediction"], ["prove", "p\(prediction)"]] {
            let outcome = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(outcome.status == 1, "\(arguments) exited \(outcome.status)")
            #expect(outcome.stderr.contains(position), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stdout.contains("x\(prediction)"), "\(arguments) served the altered record")
        }
        #expect(try w.lineage("verify").status == 1)
    }

    @Test("a log rewritten in place is refused by every command, naming both checkpoints, until the rewrite is accepted")
    func rewriteRefused() throws {
        let w = try Workspace.withDatasets(4)
        let history = History(workspace: w)
        var raws = try history.commits().map(history.raw)
        let segment = try history.segment(try history.commits()[2])
        raws[2] = History.replacingTree(raws[2], with: try history.tree(segment: segment.replacingOccurrences(of: "\"name\":\"d2\"", with: "\"name\":\"e2\""), firstSeq: 2))
        try history.rechain(raws)
        for arguments in [["show", "dataset:d0"], ["query", "--kind", "dataset"], ["reindex"]] {
            let refused = try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
            #expect(refused.status == 1, "\(arguments) exited \(refused.status)")
            #expect(refused.stderr.contains("first 4 records are not those of the last checkpoint this store wrote or verified")
                    && refused.stderr.contains("remembered: size 4") && refused.stderr.contains("now: size 4"), "\(arguments): \(refused.stderr)")
        }
        let head = try w.logHead()
        try w.write("new.csv", "new\n")
        #expect(try w.lineage("add", "dataset", "new.csv", "--name", "new").status == 1)
        #expect(try w.logHead() == head)
        #expect(try w.ok("reindex", "--accept-rewrite").contains("Indexed 4 records"))
        #expect(try w.ok("show", "dataset:e2").contains("e2"))
    }

    @Test("a full disk (a file-size limit) during ingest with payloads: a storage error, no payload lost, and the store goes on")
    func fullDisk() throws {
        let w = try CrashTests.deployed()
        try w.write("in.ndjson", CrashTests.predictions(0..<3000, payloads: true))
        // Files may grow to 96 KiB: the index outgrows that first, after some batches landed.
        let limited = try w.run("/bin/bash", ["-c", "ulimit -f 96; exec \"$0\" ingest in.ndjson --batch-size 50", Workspace.binary], in: nil, stdin: nil)
        #expect(limited.status == 4, "exit \(limited.status): \(limited.stderr)")
        #expect(limited.stderr.contains("lineage: error:"), "\(limited.stderr)")
        // Every landed prediction has its payload (verify opens each and checks it), and the failed
        // batch left no pack behind.
        let landed = try CrashTests.commitments(w)
        let counts = try CrashTests.payloadCounts(w)
        #expect(counts["stored"] == landed.count, "a landed prediction lost its payload: \(counts) for \(landed.count)")
        #expect(counts["orphanPacks"] == 0)
        #expect(try w.ok("verify").hasPrefix("OK: "))
        try w.ok("ingest", "in.ndjson", "--batch-size", "500")
        let all = try CrashTests.commitments(w)
        let stored = try CrashTests.payloadCounts(w)["stored"]
        #expect(all.count == 3000 && stored == 3000)
        try w.expectFsckClean()
    }

    @Test("killed the moment a batch landed (ref moved, index not updated): the next command indexes it, payloads are there")
    func killedRightAfterRefMove() throws {
        let w = try CrashTests.deployed()
        try w.write("in.ndjson", CrashTests.predictions(0..<40, payloads: true))
        w.environment["LINEAGE_TEST_KILL_AFTER_REF_MOVE"] = "1"
        let killed = try w.lineage("ingest", "in.ndjson", "--batch-size", "10")
        #expect(killed.status == 9 || killed.status == 137, "exit \(killed.status)")
        let killedRecord = try w.lineage("record", "prediction", "--id", "r", "--deployment", "deployment:m/prod", "--input-json", "{\"n\":1}",
                                         "--output", "{\"label\":\"ok\"}")
        #expect(killedRecord.status != 0)
        w.environment["LINEAGE_TEST_KILL_AFTER_REF_MOVE"] = nil
        #expect(try w.ok("show", "p9").contains("payload stored"))
        #expect(try w.ok("show", "r").contains("payload stored"))
        #expect(try CrashTests.commitments(w).count == 11)
        #expect(try w.ok("ingest", "in.ndjson", "--batch-size", "10").contains("30 records in 3 batches"))
        #expect(try w.ok("verify").hasPrefix("OK: 43 records"))
        try w.expectFsckClean()
    }

    @Test("an unreadable trusted-keys file is an error, never an empty list that `key trust` writes back")
    func unreadableTrustedKeys() throws {
        let w = try Workspace.withDatasets(1)
        let trusted = w.path + "/.lineage/keys/trusted"
        let original = try String(contentsOfFile: trusted, encoding: .utf8)
        // A directory where the file was: unreadable for root too.
        try FileManager.default.moveItem(atPath: trusted, toPath: trusted + ".saved")
        try FileManager.default.createDirectory(atPath: trusted, withIntermediateDirectories: false)
        let key = try w.run("/bin/sh", ["-c", "cat .lineage/keys/trusted.saved"], in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let trust = try w.lineage("key", "trust", key)
        #expect(trust.status == 4 && trust.stderr.contains("cannot read the trusted keys"), "\(trust.stderr)")
        let verify = try w.lineage("verify")
        #expect(verify.status == 4 && verify.stderr.contains("cannot read the trusted keys") && !verify.stderr.contains("trusts no key"), "\(verify.stderr)")
        try FileManager.default.removeItem(atPath: trusted)
        try FileManager.default.moveItem(atPath: trusted + ".saved", toPath: trusted)
        #expect(try String(contentsOfFile: trusted, encoding: .utf8) == original)
        #expect(try w.ok("verify").hasPrefix("OK: 1 records"))
    }

    @Test("a store the user may only read: reads work without WAL files, writes say it is read-only, keys unreadable are said as such")
    func readOnlyStore() throws {
        let w = try CrashTests.ingested(300)
        // The owner's index with its WAL emptied into the file, then the WAL files gone.
        let index = w.path + "/.lineage/index.sqlite"
        _ = try w.run("/usr/bin/env", ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()", index], in: nil, stdin: nil)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: index + suffix) }
        _ = try w.run("/bin/chmod", ["-R", "a+rX,a-w", w.path], in: nil, stdin: nil)
        defer { _ = try? w.run("/bin/chmod", ["-R", "u+w", w.path], in: nil, stdin: nil) }
        // Root may write anywhere: the reader runs as nobody.
        func reader(_ arguments: String...) throws -> Outcome {
            getuid() == 0
                ? try w.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Workspace.binary] + arguments, in: nil, stdin: nil)
                : try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
        }
        let show = try reader("show", "p7")
        #expect(show.status == 0 && show.stdout.hasPrefix("prediction p7"), "\(show.stderr)")
        #expect(try reader("verify").stdout.hasPrefix("OK: 302 records"))
        #expect(try reader("query", "--kind", "prediction", "-n", "3").stdout.split(separator: "\n").count == 3)
        #expect(!FileManager.default.fileExists(atPath: index + "-wal"))
        let write = try reader("record", "prediction", "--id", "x", "--deployment", "deployment:m/prod", "--output", "{}")
        #expect(write.status == 4 && write.stderr.contains("this store is read-only for you"), "\(write.stderr)")
        if getuid() == 0 {
            _ = try w.run("/bin/chmod", ["700", w.path + "/.lineage/keys"], in: nil, stdin: nil)
            let verify = try reader("verify")
            #expect(verify.status == 4 && verify.stderr.contains("cannot read the trusted keys") && !verify.stderr.contains("trusts no key"), "\(verify.stderr)")
        }
    }
}
