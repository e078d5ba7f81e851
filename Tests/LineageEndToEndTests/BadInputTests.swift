import Foundation
import Testing
import LineageCore

@Suite("bad input: one sentence, the documented exit code, and a store left as it was")
struct BadInputTests {
    /// Runs a failing command and checks its exit code, its single-line message, and that the log
    /// head did not move and git fsck stays clean.
    static func expectRefused(
        _ workspace: Workspace, _ arguments: [String], status: Int32, mentioning fragment: String,
        stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try workspace.logHead()
        let outcome = try workspace.run(Workspace.binary, arguments, in: nil, stdin: stdin)
        #expect(outcome.status == status, "exit \(outcome.status) for \(arguments): \(outcome.stderr)", sourceLocation: sourceLocation)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.hasPrefix("lineage: error: "), sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
        #expect(outcome.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try workspace.logHead() == before, "the log head moved", sourceLocation: sourceLocation)
        if FileManager.default.fileExists(atPath: workspace.path + "/.lineage") {
            try workspace.expectFsckClean(sourceLocation: sourceLocation)
        }
    }

    /// 324 bytes of YAML whose aliases expand to 9^9 strings.
    static let aliasBomb = (1...9).map { n in
        "l\(n): &l\(n) [" + Array(repeating: n == 1 ? "\"x\"" : "*l\(n - 1)", count: 9).joined(separator: ",") + "]"
    }.joined(separator: "\n") + "\n"

    static func seeded() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.write("a.csv", "x\n1\n")
        try workspace.ok("init")
        try workspace.ok("add", "dataset", "a.csv", "--name", "a")
        try workspace.ok("record", "model", "--name", "m", "--digest", "sha256:" + String(repeating: "a", count: 64))
        try workspace.ok("record", "prediction", "--id", "p-1", "--model", "model:m", "--output", #"{"label":1}"#)
        return workspace
    }

    @Test("a missing file")
    func missingFile() throws {
        let w = try Self.seeded()
        try Self.expectRefused(w, ["add", "dataset", "nope.csv", "--name", "b"], status: 2, mentioning: "'nope.csv' does not exist")
        try Self.expectRefused(w, ["record", "model", "--name", "m", "--file", "nope.pkl"], status: 2, mentioning: "'nope.pkl' does not exist")
        try Self.expectRefused(w, ["record", "run", "--from-json", "nope.json"], status: 2, mentioning: "does not exist")
    }

    @Test("an unreadable file")
    func unreadableFile() throws {
        let w = try Self.seeded()
        try FileManager.default.createDirectory(atPath: w.path + "/adir", withIntermediateDirectories: true)
        try Self.expectRefused(w, ["record", "run", "--from-json", "adir"], status: 2, mentioning: "is a directory")
        try Self.expectRefused(w, ["ingest", "adir"], status: 2, mentioning: "adir is a directory")
        if getuid() != 0 {
            try w.write("secret.csv", "x\n")
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: w.path + "/secret.csv")
            try Self.expectRefused(w, ["add", "dataset", "secret.csv", "--name", "s"], status: 2, mentioning: "cannot read")
        }
    }

    @Test("an unknown id or name")
    func unknownID() throws {
        let w = try Self.seeded()
        try Self.expectRefused(w, ["show", "sha256:" + String(repeating: "f", count: 64)], status: 3, mentioning: "no record")
        try Self.expectRefused(w, ["trace", "pred-unknown"], status: 3, mentioning: "'pred-unknown'")
        try Self.expectRefused(w, ["show", "model:nothing"], status: 3, mentioning: "no model named 'nothing'")
        try Self.expectRefused(w, ["show", "model:m@7"], status: 3, mentioning: "version 7")
        try Self.expectRefused(w, ["record", "deployment", "--model", "model:ghost", "--environment", "prod"], status: 3, mentioning: "field 'model'")
    }

    @Test("an ambiguous short id")
    func ambiguousShortID() throws {
        let w = try Self.seeded()
        // Find two model records whose ids share their first four hex digits, computed exactly as the CLI will.
        let time = "2026-01-31T12:00:00.000Z", actor = "bob", digest = "sha256:" + String(repeating: "c", count: 64)
        var seen: [String: String] = [:]
        var pair: (String, String, String)?
        for i in 0..<100_000 where pair == nil {
            let name = "m\(i)"
            let record = try Record.make(.model, fields: JSONObject([("name", .string(name)), ("digest", .string(digest)), ("version", .number(1))]),
                                         timeMilliseconds: RecordTime.parse(time)!, actor: actor)
            let prefix = String(record.id.hex.prefix(4))
            if let other = seen[prefix] { pair = (other, name, prefix) } else { seen[prefix] = name }
        }
        let (first, second, prefix) = try #require(pair)
        for name in [first, second] {
            try w.ok("record", "model", "--name", name, "--digest", digest, "--time", time, "--actor", actor)
        }
        try Self.expectRefused(w, ["show", prefix], status: 2, mentioning: "is ambiguous")
        try Self.expectRefused(w, ["trace", "sha256:" + prefix], status: 2, mentioning: "give more digits")
    }

    @Test("a link to a record that does not exist")
    func danglingLink() throws {
        let w = try Self.seeded()
        let ghost = "sha256:" + String(repeating: "0", count: 64)
        try Self.expectRefused(w, ["record", "run", "--name", "r", "--input", ghost], status: 3, mentioning: "which no log here holds")
        try w.write("ghost.json", #"{"name":"t","inputs":["\#(ghost)"]}"#)
        try Self.expectRefused(w, ["record", "transform", "--from-json", "ghost.json"], status: 3, mentioning: "which no log here holds")
        try Self.expectRefused(w, ["record", "prediction", "--id", "p-2", "--model", "dataset:a"], status: 2, mentioning: "must link to a model")
    }

    @Test("a duplicate prediction id")
    func duplicatePredictionID() throws {
        let w = try Self.seeded()
        try Self.expectRefused(w, ["record", "prediction", "--id", "p-1", "--model", "model:m", "--output", #"{"label":2}"#],
                               status: 2, mentioning: "prediction id 'p-1' is already recorded")
    }

    @Test("invalid JSON")
    func invalidJSON() throws {
        let w = try Self.seeded()
        try w.write("bad.json", "{\"name\": \"r\",\n \"params\": {\"a\": 1,}}")
        try Self.expectRefused(w, ["record", "run", "--from-json", "bad.json"], status: 2, mentioning: "line 2")
        try Self.expectRefused(w, ["record", "run", "--from-json", "-"], status: 2, mentioning: "standard input", stdin: "[1, 2")
        try Self.expectRefused(w, ["record", "prediction", "--id", "p-3", "--model", "model:m", "--output", "{label}"],
                               status: 2, mentioning: "--output is not valid JSON")
        try w.write("list.json", "[1]")
        try Self.expectRefused(w, ["record", "run", "--from-json", "list.json"], status: 2, mentioning: "JSON object")
    }

    @Test("invalid UTF-8")
    func invalidUTF8() throws {
        let w = try Self.seeded()
        try w.write("latin1.json", bytes: Array("{\"name\": \"caf".utf8) + [0xE9] + Array("\"}".utf8))
        try Self.expectRefused(w, ["record", "run", "--from-json", "latin1.json"], status: 2, mentioning: "invalid UTF-8")
    }

    @Test("an empty or hostile name", arguments: ["", "a/b", "..", "../../etc", "x\u{01}y", "tab\tname", "bad\nname"])
    func hostileName(name: String) throws {
        let w = try Self.seeded()
        try Self.expectRefused(w, ["add", "dataset", "a.csv", "--name", name], status: 2, mentioning: "name")
        try w.write("n.json", "{\"name\": " + JSONValue.string(name).canonicalString + "}")
        try Self.expectRefused(w, ["record", "run", "--from-json", "n.json"], status: 2, mentioning: "'name'")
    }

    @Test("a directory that is not a lineage store")
    func notAStore() throws {
        let w = try Workspace()
        try w.write("a.csv", "x\n")
        try Self.expectRefused(w, ["log"], status: 3, mentioning: "no lineage store")
        try Self.expectRefused(w, ["add", "dataset", "a.csv", "--name", "a"], status: 3, mentioning: "run `lineage init` first")
        try Self.expectRefused(w, ["show", "x", "--store", w.path], status: 3, mentioning: "is not a lineage store")
        w.environment["LINEAGE_STORE"] = w.path + "/elsewhere"
        try Self.expectRefused(w, ["log"], status: 3, mentioning: "is not a lineage store")
    }

    @Test("init run twice")
    func initTwice() throws {
        let w = try Self.seeded()
        let config = try String(contentsOfFile: w.path + "/.lineage/config", encoding: .utf8)
        try Self.expectRefused(w, ["init"], status: 2, mentioning: "already exists")
        #expect(try String(contentsOfFile: w.path + "/.lineage/config", encoding: .utf8) == config)
    }

    @Test("bad usage exits 2 with one sentence")
    func badUsage() throws {
        let w = try Self.seeded()
        try Self.expectRefused(w, ["record", "run", "--bogus"], status: 2, mentioning: "--bogus")
        try Self.expectRefused(w, ["log", "--kind", "spaceship"], status: 2, mentioning: "unknown kind")
        try Self.expectRefused(w, ["record", "run", "--name", "r", "--time", "yesterday"], status: 2, mentioning: "--time")
        try Self.expectRefused(w, ["record", "run", "--name", "r", "--param", "novalue"], status: 2, mentioning: "KEY=VALUE")
        try Self.expectRefused(w, ["init", "--origin", "../evil", "--store", w.path + "/other"], status: 2, mentioning: "origin")
    }

    @Test("durations too long to compute with are refused, never end the process by a signal")
    func overflowingDurations() throws {
        let w = try Self.seeded()
        for value in ["999999999999999d", "9223372036854775807d", "99999999999w"] {
            try Self.expectRefused(w, ["query", "--since", value], status: 2, mentioning: "is not a duration or time")
            try Self.expectRefused(w, ["query", "--until", value], status: 2, mentioning: "is not a duration or time")
        }
        try w.write("policy.yaml", "maxAge: 999999999999999d\n")
        try w.write("m.bin", "weights\n")
        try Self.expectRefused(w, ["gate", "m.bin", "--policy", "policy.yaml"], status: 2, mentioning: "maxAge must be a duration")
        #expect(try w.lineage("query", "--since", "3000w").status == 0)
    }

    @Test("what would be stored changed is refused instead; RFC 3339 times are kept as UTC milliseconds")
    func refusedNotChanged() throws {
        let w = try Self.seeded()
        // Invalid UTF-8 in an argument, given through the shell as a user would.
        let before = try w.logHead()
        let invalid = try w.run("/bin/sh", ["-c", #"exec "$0" record prediction --id u --model model:m --output "$(printf '"\377"')""#, Workspace.binary],
                                in: nil, stdin: nil)
        #expect(invalid.status == 2 && invalid.stderr.contains("not valid UTF-8"), "\(invalid.stderr)")
        #expect(try w.logHead() == before)
        try w.write("v2.json", #"{"predictionId":"v","model":"model:m","output":{"label":1},"schemaVersion":2}"#)
        try Self.expectRefused(w, ["record", "prediction", "--from-json", "v2.json"], status: 2, mentioning: "schemaVersion 2")
        try Self.expectRefused(w, ["record", "run", "--name", "r", "--param", "x=1e999"], status: 2, mentioning: "out of range")
        try Self.expectRefused(w, ["record", "prediction", "--id", "l", "--model", "model:m", "--output", #"{"label":1}"#, "--latency-ms", "-5"],
                               status: 2, mentioning: "--latency-ms must be")
        try Self.expectRefused(w, ["record", "run", "--name", "r", "--time", "0000-01-01T00:00:00Z"], status: 2, mentioning: "RFC 3339")
        try Self.expectRefused(w, ["ingest", "-", "--batch-seconds", "nan"], status: 2, mentioning: "--batch-seconds")
        try Self.expectRefused(w, ["ingest", "-", "--batch-size", "4000000000000000000"], status: 2, mentioning: "--batch-size")
        try w.write("in.ndjson", "{}\n")
        try Self.expectRefused(w, ["ingest", "in.ndjson", "--skip-invalid", "--rejects", "in.ndjson"], status: 2, mentioning: "overwrite")
        #expect(try String(contentsOfFile: w.path + "/in.ndjson", encoding: .utf8) == "{}\n")
        try w.ok("record", "run", "--name", "t1", "--time", "2026-11-01T09:00:00.123456+02:00")
        #expect(try w.ok("show", "run:t1").contains("time: 2026-11-01T07:00:00.123Z"))
        try w.ok("record", "run", "--name", "t2", "--time", "2026-11-01T09:00:00Z")
        #expect(try w.ok("show", "run:t2").contains("time: 2026-11-01T09:00:00.000Z"))
    }

    @Test("a YAML alias bomb, a FIFO and an oversized file are refused in bounded memory")
    func boundedResources() throws {
        let w = try Self.seeded()
        try w.write("bomb.yaml", Self.aliasBomb)
        try w.write("m.bin", "weights\n")
        try Self.expectRefused(w, ["gate", "m.bin", "--policy", "bomb.yaml"], status: 2, mentioning: "anchor")
        try w.write("bad.yaml", "approvals: [1\nmetrics: x\n")
        try Self.expectRefused(w, ["gate", "m.bin", "--policy", "bad.yaml"], status: 2, mentioning: "line 2, column")
        #expect(mkfifo(w.path + "/fifo", 0o600) == 0)
        try Self.expectRefused(w, ["add", "dataset", "fifo", "--name", "f"], status: 2, mentioning: "not a regular file")
        try Self.expectRefused(w, ["record", "run", "--from-json", "fifo"], status: 2, mentioning: "not a regular file")
        #expect(truncate(w.path + "/m.bin", 65 << 20) == 0 || FileManager.default.createFile(atPath: w.path + "/m.bin", contents: nil))
        try Self.expectRefused(w, ["record", "run", "--from-json", "m.bin"], status: 2, mentioning: "larger than 64 MiB")
    }

    @Test("import dvc refuses paths that leave the project: '..', absolute, or through a symbolic link")
    func dvcPathsOutsideProject() throws {
        let w = try Self.seeded()
        for path in ["../../etc/passwd", "/etc/passwd", "link.txt"] {
            try w.write("dvc.lock", "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n    outs:\n    - path: \(path)\n      md5: d41d8cd98f00b204e9800998ecf8427e\n      size: 10\n")
            if path == "link.txt" { try FileManager.default.createSymbolicLink(atPath: w.path + "/link.txt", withDestinationPath: "/etc/hostname") }
            try Self.expectRefused(w, ["import", "dvc", "dvc.lock"], status: 2, mentioning: "outside the project")
        }
    }

    @Test("the hostile-input catalogue: every input refused with its documented code, no signal, in 1 GB of address space")
    func catalogueBounded() throws {
        let w = try Self.seeded()
        try w.write("bomb.yaml", Self.aliasBomb)
        try w.write("m.bin", "weights\n")
        try w.write("deep.ndjson", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        let descending = (0..<40_000).reversed().map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        try w.write("wide.ndjson", "{" + descending + "}\n")
        try w.write("bundle.json", #"{"format":"lineage-evidence-bundle/1","subject":"sha256:00","checkpoint":"x","records":[{}]}"#)
        try w.write("a.txt", "not a checkpoint\n")
        try FileManager.default.createDirectory(atPath: w.path + "/adir", withIntermediateDirectories: true)
        try w.write("dvc.lock", "schema: '2.0'\nstages:\n  s:\n    cmd: x\n    outs:\n    - path: ../../etc/passwd\n      md5: d41d8cd98f00b204e9800998ecf8427e\n")
        let catalogue: [([String], Int32)] = [
            (["query", "--since", "999999999999999d"], 2), (["query", "--until", "9223372036854775807d"], 2),
            (["gate", "m.bin", "--policy", "bomb.yaml"], 2), (["ingest", "-", "--batch-size", "4000000000000000000"], 2),
            (["ingest", "deep.ndjson"], 2), (["ingest", "wide.ndjson"], 2), (["verify-proof", "bundle.json", "--key", "x+00000000+AAAA"], 2),
            (["checkpoint", "compare", "a.txt", "a.txt", "--key", "x+00000000+AAAA"], 2), (["import", "dvc", "dvc.lock"], 2),
            (["ingest", "adir"], 2), (["record", "run", "--name", "r", "--time", "0000-01-01T00:00:00Z"], 2),
            (["record", "run", "--name", "r", "--param", "x=1e999"], 2), (["show", "sha256:" + String(repeating: "f", count: 64)], 3),
        ]
        let head = try w.logHead()
        for (arguments, status) in catalogue {
            let outcome = try w.run("/bin/bash", ["-c", #"ulimit -v 1000000; exec "$0" "$@""#, Workspace.binary] + arguments, in: nil, stdin: nil)
            #expect(outcome.status == status, "\(arguments): exit \(outcome.status): \(outcome.stderr.prefix(300))")
            #expect(outcome.stderr.hasPrefix("lineage: error: ") && outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr.prefix(300))")
        }
        #expect(try w.logHead() == head)
    }
}
