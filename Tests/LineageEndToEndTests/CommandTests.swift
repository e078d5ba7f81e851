import Foundation
import Testing

@Suite("commands, end to end")
struct CommandTests {
    static let commands: [[String]] = [
        [], ["init"], ["add"], ["add", "dataset"], ["record"], ["record", "transform"], ["record", "run"],
        ["record", "model"], ["record", "deployment"], ["record", "approval"], ["record", "prediction"],
        ["record", "review"], ["show"], ["log"], ["trace"], ["reindex"], ["verify"], ["prove"], ["verify-proof"],
        ["checkpoint"], ["key"], ["key", "show"], ["key", "generate"], ["key", "trust"], ["run"], ["metric"], ["gate"], ["ingest"], ["query"], ["impact"], ["diff"], ["export"], ["import"], ["import", "mlflow"], ["import", "dvc"],
    ]

    @Test("every command has --help", arguments: commands)
    func help(command: [String]) throws {
        let w = try Workspace()
        let outcome = try w.run(Workspace.binary, command + ["--help"], in: nil, stdin: nil)
        #expect(outcome.status == 0)
        // The full command path: leaf commands name their parents for parsing (Lineage.parseCommand),
        // which must not change their help.
        #expect(outcome.stdout.contains("USAGE: " + (["lineage"] + command).joined(separator: " ")))
    }

    @Test("--version prints the version")
    func version() throws {
        let w = try Workspace()
        #expect(try w.ok("--version").hasPrefix("0."))
    }

    @Test("adding identical content returns the existing version; new content gets the next")
    func datasetVersions() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.write("d/part-1.csv", "a\n1\n")
        try w.write("d/sub/part-2.csv", "a\n2\n")
        let first = try w.ok("add", "dataset", "d", "--name", "train")
        #expect(first.hasSuffix("  dataset:train@1\n"))
        let again = try w.ok("add", "dataset", "d", "--name", "train")
        #expect(again == first.replacingOccurrences(of: "\n", with: "  (already recorded)\n"))
        try w.write("d/part-1.csv", "a\n3\n")
        #expect(try w.ok("add", "dataset", "d", "--name", "train").hasSuffix("  dataset:train@2\n"))
        #expect(try w.ok("log", "--kind", "dataset").split(separator: "\n").count == 2)
    }

    @Test("a directory's digest is sha256 of its sorted sha256sum manifest, reproducible with coreutils")
    func directoryDigest() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.write("d/b.csv", "b\n")
        try w.write("d/a/z.csv", "z\n")
        try w.write("d/a b.csv", "space\n")
        let id = Workspace.id(try w.ok("add", "dataset", "d", "--name", "d"))
        let shown = try w.ok("show", id, "--json")
        let record = try #require((try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any])?["record"] as? [String: Any])
        let coreutils = try w.run("/bin/sh", ["-c", "cd d && find . -type f | sed 's|^./||' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"], in: nil, stdin: nil)
        #expect(record["digest"] as? String == "sha256:" + coreutils.stdout.prefix(64))
        #expect(record["files"] as? Int == 3)
        #expect(record["size"] as? Int == 10)
    }

    @Test("show prints an empty list or object as (none), not as nothing")
    func showEmpty() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.ok("run", "--name", "nothing-in", "--", "true")
        let shown = try w.ok("show", "run:nothing-in")
        #expect(shown.contains("\ninputs: (none)\n"), "\(shown)")
        #expect(!shown.contains(": \n"), "\(shown)")
    }

    @Test("the store is found from a subdirectory, through LINEAGE_STORE, and through --store")
    func discovery() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.write("deep/er/x.csv", "x\n")
        let sub = w.path + "/deep/er"
        let added = try w.lineage("add", "dataset", "x.csv", "--name", "x", in: sub)
        #expect(added.status == 0, "\(added.stderr)")
        let other = try Workspace()
        #expect(try other.lineage("log", "--store", w.path + "/.lineage").stdout.contains("dataset:x@1"))
        #expect(try other.lineage("log", "--store", w.path).stdout.contains("dataset:x@1"))
        other.environment["LINEAGE_STORE"] = w.path + "/.lineage"
        #expect(try other.ok("log").contains("dataset:x@1"))
    }

    @Test("show and log have --json; log --json is one object per line")
    func jsonOutput() throws {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try w.ok("show", "model:fraud", "--json").utf8)) as? [String: Any])
        #expect(shown["id"] as? String == chain.ids["model"])
        #expect((shown["record"] as? [String: Any])?["version"] as? Int == 1)
        let usedBy = try #require(shown["usedBy"] as? [[String: String]])
        #expect(Set(usedBy.map { $0["relation"]! }) == ["model"])
        #expect(usedBy.count == 2)
        let lines = try w.ok("log", "--json", "-n", "3").split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((object["id"] as? String)?.hasPrefix("sha256:") == true)
        }
        let canonical = try w.ok("show", "pred-8812", "--canonical")
        let digest = try w.run("/bin/sh", ["-c", "printf '%s' \"$0\" | sha256sum", String(canonical.dropLast())], in: nil, stdin: nil)
        #expect("sha256:" + digest.stdout.prefix(64) == chain.ids["prediction"])
    }

    @Test("records can be given whole as JSON, with links by name")
    func fromJSON() throws {
        let w = try Workspace()
        _ = try DemoChain(in: w)
        let review = #"{"prediction": "pred-8812", "reviewer": "dan", "decision": "override", "reason": "customer disputed", "output": {"label": "legit"}}"#
        let outcome = try w.lineage("record", "review", "--from-json", "-", stdin: review)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try w.ok("show", Workspace.id(outcome.stdout)).contains("decision: override"))
        #expect(try w.ok("show", "pred-8812").contains("used by: review"))
    }

    @Test("a second deployment supersedes the first in the same environment")
    func supersedes() throws {
        let w = try Workspace()
        let chain = try DemoChain(in: w)
        try w.write("model2.pkl", "v2\n")
        try w.ok("record", "model", "--name", "fraud", "--file", "model2.pkl", "--run", "run:train-fraud")
        let second = Workspace.id(try w.ok("record", "deployment", "--model", "model:fraud@2", "--environment", "prod"))
        let shown = try w.ok("show", "deployment:fraud/prod", "--json")
        #expect(shown.contains(second))
        #expect(shown.contains("\"supersedes\": \"\(chain.ids["deployment"]!)\""))
    }

    @Test("a store made inside a project's git work tree stays out of the project's commits")
    func storeIgnoresItself() throws {
        let w = try Workspace()
        _ = try w.run("/usr/bin/env", ["git", "init", "-q"], in: nil, stdin: nil)
        try w.write("a.csv", "x\n")
        try w.ok("init")
        try w.ok("add", "dataset", "a.csv", "--name", "a")
        try w.ok("record", "model", "--name", "m", "--digest", "sha256:" + String(repeating: "a", count: 64))
        try w.ok("record", "prediction", "--id", "p", "--model", "model:m", "--input-json", "{\"customer\":\"Jane Roe\"}", "--output", "{\"label\":1}")
        _ = try w.run("/usr/bin/env", ["git", "add", "-A"], in: nil, stdin: nil)
        let staged = try w.run("/usr/bin/env", ["git", "status", "--porcelain"], in: nil, stdin: nil).stdout
        #expect(staged.contains("a.csv"))
        #expect(!staged.contains(".lineage"), "\(staged)")
    }

    @Test("the same data registered again as a source is the record already there, with its upstream")
    func sameDataNoSecondSource() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.write("raw.csv", "a,b\n1,2\n")
        try w.ok("add", "dataset", "raw.csv", "--name", "raw")
        try w.ok("record", "transform", "--name", "clean", "--command", "python clean.py", "--input", "dataset:raw")
        try w.write("clean.csv", "a\n1\n")
        let train = Workspace.id(try w.ok("add", "dataset", "clean.csv", "--name", "train", "--from", "transform:clean"))
        try w.write("copy.csv", "a\n1\n")
        let again = try w.ok("add", "dataset", "copy.csv", "--name", "copy")
        #expect(Workspace.id(again) == train && again.contains("dataset:train@1") && again.contains("already recorded"), "\(again)")
        // A run reading the copy links to the derived dataset, so its lineage reaches the raw data.
        try w.write("model.bin", "w\n")
        let outcome = try w.lineage("run", "--input", "copy.csv", "--model", "m=model.bin", "--", "true")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try w.ok("trace", "model:m").contains("dataset raw@1"))
    }
}
