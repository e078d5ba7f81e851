import Foundation
import Testing

/// Every exit code docs/commands.md states, checked case by case against the built binary.
@Suite("exit codes as docs/commands.md documents them")
struct ExitCodeTests {
    /// One documented case: what is run, the code the docs give, and where they say so.
    struct Case: CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let documented: String
        var description: String { "\(arguments.joined(separator: " ")) (docs: \(documented))" }
    }

    @Test("each documented case exits with its documented code, one line on stderr, the log head unmoved")
    func table() throws {
        let w = try BadInputTests.seeded()
        try w.write("m.bin", "weights\n")
        try w.write("bad-params.json", "{not json")
        try w.write("old.lock", "stages:\n  s:\n    cmd: x\n")
        try w.write("notjson.json", "this is not json")
        try w.write("bad.ndjson", "{\"predictionId\":5,\"model\":\"model:m\"}\n")
        try w.write("mlflow.db", "not a database")
        try FileManager.default.createDirectory(atPath: w.path + "/adir", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: w.path + "/full", withIntermediateDirectories: true)
        try w.write("full/x", "x")
        try w.write("key.pub", try w.ok("key", "show"))
        try w.write("bundle.json", try w.ok("prove", "p-1"))
        let bundle = try String(contentsOfFile: w.path + "/bundle.json", encoding: .utf8)
        try w.write("bomb.yaml", "a: &x [1, 2]\nb: [*x, *x]\n")
        try w.write("broken.yaml", "metrics:\n  auc: {min: 0.9\n  loss: 3\n")
        try w.write("tampered.json", bundle.replacingOccurrences(of: "\"leafIndex\": 2", with: "\"leafIndex\": 1"))
        let cases: [Case] = [
            Case(arguments: ["init"], status: 2, documented: "init over an existing store (exit 2)"),
            Case(arguments: ["init", "--store", "full"], status: 2, documented: "init over a non-empty directory (exit 2)"),
            Case(arguments: ["record", "run", "--name", "r", "--input", "dataset:nope"], status: 3, documented: "a link to a record not in the store (exit 3)"),
            Case(arguments: ["record", "run", "--name", "r", "--input", "model:m"], status: 2, documented: "a link of the wrong kind (exit 2)"),
            Case(arguments: ["run", "--params-file", "bad-params.json", "--", "true"], status: 2, documented: "a params file that does not parse is refused (2)"),
            Case(arguments: ["metric", "auc=1"], status: 2, documented: "metric outside a run is refused (2)"),
            Case(arguments: ["gate", "m.bin"], status: 1, documented: "gate refuses (1): an unregistered model"),
            Case(arguments: ["gate", "nope.pkl"], status: 2, documented: "policy.md: a model file that does not exist (2)"),
            Case(arguments: ["gate", "model:nope"], status: 3, documented: "policy.md: a model reference the store lacks (3)"),
            Case(arguments: ["ingest", "bad.ndjson"], status: 2, documented: "the first bad line stops ingest (exit 2)"),
            Case(arguments: ["ingest", "adir"], status: 2, documented: "a directory as input is refused (exit 2)"),
            Case(arguments: ["query", "--since", "yesterday"], status: 2, documented: "a malformed duration or time is refused (exit 2)"),
            Case(arguments: ["query", "--kind", "prediction", "--where", "nosuchfield=1"], status: 2, documented: "a --where on a field no record of that kind has (exit 2)"),
            Case(arguments: ["import", "dvc", "old.lock"], status: 2, documented: "DVC 1.x lock files are refused with exit 2"),
            Case(arguments: ["import", "mlflow", "--tracking-uri", "sqlite:///mlflow.db"], status: 2, documented: "an unknown MLflow database is refused with exit 2"),
            Case(arguments: ["verify-proof", "tampered.json", "--key", "key.pub"], status: 1, documented: "a bundle that does not verify (1)"),
            Case(arguments: ["verify-proof", "notjson.json", "--key", "key.pub"], status: 2, documented: "a bundle that is not JSON is bad input (2)"),
            Case(arguments: ["show", "sha256:" + String(repeating: "f", count: 64)], status: 3, documented: "exit 3: an unknown id"),
            Case(arguments: ["show", "model:nope"], status: 3, documented: "exit 3: an unknown name"),
            Case(arguments: ["trace", "no-such-prediction"], status: 3, documented: "exit 3: an unknown prediction id"),
            Case(arguments: ["show", "p-1", "--store", "adir"], status: 3, documented: "exit 3: no store"),
            Case(arguments: ["show"], status: 2, documented: "exit 2: bad usage"),
            Case(arguments: ["query", "--nosuch"], status: 2, documented: "exit 2: an unknown option"),
            Case(arguments: ["record", "model", "--name", "bad name!"], status: 2, documented: "exit 2: a disallowed name"),
            Case(arguments: ["record", "prediction", "--id", "p-1", "--model", "model:m", "--output", #"{"label":2}"#], status: 2,
                 documented: "exit 2: a duplicate prediction id"),
            Case(arguments: ["add", "dataset", "nope.csv", "--name", "n"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["add", "dataset", "/dev/null", "--name", "n"], status: 2, documented: "exit 2: not a regular file or directory"),
            Case(arguments: ["diff", "model:m", "model:nope"], status: 3, documented: "exit 3: an unknown name"),
            Case(arguments: ["impact", "dataset:nope"], status: 3, documented: "exit 3: an unknown name"),
            Case(arguments: ["prove", "nope"], status: 3, documented: "exit 3: an unknown prediction id"),
            Case(arguments: ["export", "--format", "nope"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["log", "--kind", "bogus"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["log", "-n", "0"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["query", "--limit", "-1"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["query", "--since", "999999999999999d"], status: 2, documented: "exit 2: an out-of-range duration"),
            Case(arguments: ["show", "p-1", "--at", "notatime"], status: 2, documented: "exit 2: a malformed time"),
            Case(arguments: ["record", "deployment", "--model", "model:m", "--environment", "prod", "--action", "bogus"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["record", "approval", "--model", "model:nope", "--approver", "a", "--purpose", "p"], status: 3, documented: "exit 3: a link to a record not in the store"),
            Case(arguments: ["record", "review", "--prediction", "nope", "--reviewer", "r", "--decision", "confirm"], status: 3, documented: "exit 3: a link to a record not in the store"),
            Case(arguments: ["record", "model", "--name", "m2", "--digest", "sha256:" + String(repeating: "b", count: 64), "--run", "run:nope"], status: 3,
                 documented: "exit 3: a link to a record not in the store"),
            Case(arguments: ["record", "prediction", "--id", "p-2", "--model", "model:m", "--latency-ms", "-5"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["record", "run", "--name", "r", "--param", "x=1e999"], status: 2, documented: "exit 2: an overflowing number"),
            Case(arguments: ["record", "run", "--name", "r", "--started-at", "0000-01-01T00:00:00Z"], status: 2, documented: "exit 2: a time RFC 3339 does not allow"),
            Case(arguments: ["ingest", "--batch-size", "0", "-"], status: 2, documented: "exit 2: a malformed value"),
            Case(arguments: ["ingest", "nope.ndjson"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["verify", "--against", "nope.txt"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["verify", "--against", "a.csv"], status: 2, documented: "exit 2: a checkpoint file that is not one"),
            Case(arguments: ["import", "dvc", "nope.lock"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["gate", "model:m", "--policy", "nope.yaml"], status: 2, documented: "policy.md: a bad policy (2)"),
            Case(arguments: ["gate", "model:m", "--policy", "bomb.yaml"], status: 2, documented: "policy.md: a bad policy (2): YAML aliases"),
            Case(arguments: ["gate", "model:m", "--policy", "broken.yaml"], status: 2, documented: "policy.md: a bad policy (2): not YAML"),
            Case(arguments: ["checkpoint", "compare", "nope1", "nope2", "--key", "nope"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["checkpoint", "proof", "nope.txt"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["verify-proof", "bundle.json", "--key", "nope.pub"], status: 2, documented: "exit 2: a missing input file"),
            Case(arguments: ["log", "--store", "adir"], status: 3, documented: "exit 3: no store"),
        ]
        let head = try w.logHead()
        for item in cases {
            let outcome = try w.run(Workspace.binary, item.arguments, in: nil, stdin: nil)
            #expect(outcome.status == item.status, "\(item): exit \(outcome.status): \(outcome.stderr)")
            // One sentence on stderr (gate prints its refusal as its report on stdout instead).
            #expect(outcome.stderr.split(separator: "\n").count == (item.arguments[0] == "gate" && item.status == 1 ? 0 : 1), "\(item): \(outcome.stderr)")
        }
        #expect(try w.logHead() == head)
    }

    @Test("a YAML error is one sentence naming the file, the line and the key")
    func yamlErrors() throws {
        let w = try BadInputTests.seeded()
        try w.write("policy.yaml", "requireApprovals: 1\nmetrics:\n  auc: {min: 0.9\n  loss: 3\n")
        let outcome = try w.lineage("gate", "model:m", "--policy", "policy.yaml")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        for fragment in ["'policy.yaml' is not valid YAML", "line 4", "in the key 'metrics.auc'"] {
            #expect(outcome.stderr.contains(fragment), "\(fragment): \(outcome.stderr)")
        }
    }

    @Test("a $HOME that is missing, not a directory or unset breaks no command")
    func unusableHome() throws {
        let w = try BadInputTests.seeded()
        for home in ["/nonexistent-home", w.path + "/a.csv", nil] {
            w.environment["HOME"] = home
            #expect(try w.ok("show", "p-1").contains("prediction p-1"), "HOME=\(home ?? "unset")")
            #expect(try w.ok("verify").contains("Log size"), "HOME=\(home ?? "unset")")
            try w.ok("record", "model", "--name", "home", "--digest", "sha256:" + String(repeating: "c", count: 64))
        }
    }
}
