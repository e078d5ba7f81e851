import Foundation
import Testing

/// A workspace that is also a git repository with one commit, as a training project would be.
func gitProject() throws -> Workspace {
    let w = try Workspace()
    for args in [["init", "-q"], ["config", "user.email", "ml@example.com"], ["config", "user.name", "ML"]] {
        #expect(try w.run("/usr/bin/env", ["git"] + args, in: nil, stdin: nil).status == 0)
    }
    try w.write(".gitignore", ".lineage/\n")
    try w.write("data.csv", "x,y\n1,0\n2,1\n")
    try w.write("train.sh", """
        set -e
        echo "training with $LINEAGE_PARAMS"
        echo "weights" > model.bin
        echo "a,b" > features.csv
        lineage metric auc=0.93 loss=0.2
        """)
    for args in [["add", "."], ["commit", "-qm", "initial"]] {
        #expect(try w.run("/usr/bin/env", ["git"] + args, in: nil, stdin: nil).status == 0)
    }
    w.environment["PATH"] = URL(fileURLWithPath: Workspace.binary).deletingLastPathComponent().path + ":" + (w.environment["PATH"] ?? "/usr/bin:/bin")
    try w.ok("init", "--origin", "example.com/train")
    return w
}

func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite("lineage run")
struct RunTests {
    @Test("records inputs, params, metrics, code version, environment, outputs and models, and streams output")
    func success() throws {
        let w = try gitProject()
        let outcome = try w.lineage("run", "--input", "data.csv", "--output", "features.csv", "--model", "scorer=model.bin",
                                    "--param", "lr=0.1", "--", "sh", "train.sh")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("training with {\"lr\":0.1}"))
        #expect(outcome.stderr.contains("recorded run:train"))
        let run = try #require(try json(try w.ok("show", "run:train", "--json"))["record"] as? [String: Any])
        #expect(run["status"] as? String == "succeeded")
        #expect(run["exitStatus"] as? Int == 0)
        #expect((run["params"] as? [String: Any])?["lr"] as? Double == 0.1)
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double == 0.93)
        let code = try #require(run["code"] as? [String: Any])
        let head = try w.run("/usr/bin/env", ["git", "rev-parse", "HEAD"], in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code["commit"] as? String == head)
        #expect(code["path"] as? String == "train.sh")
        #expect(code["dirty"] as? Bool == false) // captured before the command ran and wrote files
        let environment = try #require(run["environment"] as? [String: Any])
        #expect((environment["os"] as? String)?.hasPrefix("Linux") == true)
        #expect(environment["cpus"] as? Int ?? 0 >= 1)
        #expect(try w.ok("show", "model:scorer", "--json").contains("\"producedBy\""))
        #expect(try w.ok("show", "dataset:features", "--json").contains("\"derivedFrom\""))
        #expect(try w.ok("trace", "model:scorer").contains("inputs → dataset data@1"))
        // Re-running on the same data reuses the input's version.
        #expect(try w.lineage("run", "--input", "data.csv", "--", "true").status == 0)
        #expect(try w.ok("log", "--kind", "dataset").components(separatedBy: "dataset:data@").count - 1 == 1)
    }

    @Test("a re-run that reproduces the model byte for byte is linked to it: a new version produced by the new run, said on stdout")
    func reproducedModel() throws {
        let w = try gitProject()
        try w.ok("run", "--input", "data.csv", "--model", "scorer=model.bin", "--", "sh", "train.sh")
        let first = try json(try w.ok("show", "model:scorer", "--json"))
        // The next commit changes the script but not the weights it writes.
        try w.write("train.sh", "set -e\necho weights > model.bin\n")
        for args in [["add", "."], ["commit", "-qm", "simpler"]] {
            #expect(try w.run("/usr/bin/env", ["git"] + args, in: nil, stdin: nil).status == 0)
        }
        let again = try w.lineage("run", "--input", "data.csv", "--model", "scorer=model.bin", "--", "sh", "train.sh")
        #expect(again.status == 0 && again.stdout.contains("has the same bytes as model:scorer@1, already recorded; recorded as model:scorer@2"), "\(again.stdout)")
        let second = try json(try w.ok("show", "model:scorer", "--json"))
        #expect((second["record"] as? [String: Any])?["digest"] as? String == (first["record"] as? [String: Any])?["digest"] as? String)
        let nodes = try #require(try json(try w.ok("trace", "model:scorer", "--json"))["nodes"] as? [[String: Any]])
        let head = try w.run("/usr/bin/env", ["git", "rev-parse", "HEAD"], in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(((nodes[1]["record"] as? [String: Any])?["code"] as? [String: Any])?["commit"] as? String == head)
        let gate = try w.lineage("gate", "model.bin")
        #expect(gate.status == 0 && gate.stdout.contains("model:scorer@1, model:scorer@2"), "\(gate.stdout)")
        // Registering the same bytes with no producer is that version; with the same producer too.
        let plain = try json(try w.ok("record", "model", "--name", "scorer", "--file", "model.bin", "--json"))
        #expect(plain["existing"] as? Bool == true && plain["ref"] as? String == "model:scorer@2")
    }

    @Test("a clean working tree is recorded as clean, with no diff digest; a modified one has a diff digest")
    func codeVersion() throws {
        let w = try gitProject()
        #expect(try w.lineage("run", "--name", "clean", "--", "true").status == 0)
        let clean = try #require(try json(try w.ok("show", "run:clean", "--json"))["record"] as? [String: Any])
        #expect((clean["code"] as? [String: Any])?["dirty"] as? Bool == false)
        #expect((clean["code"] as? [String: Any])?["diffDigest"] == nil)
        try w.write("train.sh", "echo changed\n")
        #expect(try w.lineage("run", "--name", "dirty", "--", "sh", "train.sh").status == 0)
        let dirty = try #require(try json(try w.ok("show", "run:dirty", "--json"))["record"] as? [String: Any])
        #expect((dirty["code"] as? [String: Any])?["dirty"] as? Bool == true)
        #expect(((dirty["code"] as? [String: Any])?["diffDigest"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test("a failing command is recorded as failed and its exit status passed on")
    func failure() throws {
        let w = try gitProject()
        let outcome = try w.lineage("run", "--name", "boom", "--input", "data.csv", "--", "sh", "-c", "echo partial; exit 3")
        #expect(outcome.status == 3)
        #expect(outcome.stdout == "partial\n")
        let run = try #require(try json(try w.ok("show", "run:boom", "--json"))["record"] as? [String: Any])
        #expect(run["status"] as? String == "failed")
        #expect(run["exitStatus"] as? Int == 3)
        #expect(run["error"] as? String == "the command exited with status 3")
    }

    @Test("a command that does not exist: exit 127, recorded as failed")
    func missingCommand() throws {
        let w = try gitProject()
        let outcome = try w.lineage("run", "--name", "ghost", "--", "no-such-command-anywhere")
        #expect(outcome.status == 127)
        #expect(outcome.stderr.contains("could not be started"))
        let run = try #require(try json(try w.ok("show", "run:ghost", "--json"))["record"] as? [String: Any])
        #expect(run["status"] as? String == "failed")
    }

    @Test("an output the command did not produce: exit 2, run recorded as failed, nothing registered for it")
    func missingOutput() throws {
        let w = try gitProject()
        let outcome = try w.lineage("run", "--name", "lazy", "--model", "m=never.bin", "--", "true")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("did not produce the declared output 'never.bin'"))
        let run = try #require(try json(try w.ok("show", "run:lazy", "--json"))["record"] as? [String: Any])
        #expect(run["status"] as? String == "failed")
        #expect(try w.lineage("show", "model:m").status == 3)
    }

    @Test("a params file that does not parse: exit 2 before anything runs or is recorded")
    func badParamsFile() throws {
        let w = try gitProject()
        try w.write("params.json", "{\"lr\": 0.1,")
        let before = try w.logHead()
        let outcome = try w.lineage("run", "--params-file", "params.json", "--", "touch", "ran")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("params file"))
        #expect(try w.logHead() == before)
        #expect(!FileManager.default.fileExists(atPath: w.path + "/ran"))
    }

    @Test("lineage metric outside a run is refused")
    func metricOutsideRun() throws {
        let w = try gitProject()
        let outcome = try w.lineage("metric", "auc=1")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("lineage run"))
    }

    @Test("run --json prints what was recorded, also when the command fails")
    func runJSON() throws {
        let w = try Workspace()
        try w.ok("init")
        try w.write("train.sh", "echo weights > model.bin\n")
        let out = try w.ok("run", "--json", "--model", "m=model.bin", "--", "sh", "train.sh")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "succeeded" && object["exitCode"] as? Int == 0)
        let outputs = try #require(object["outputs"] as? [[String: Any]])
        #expect(outputs.first?["ref"] as? String == "model:m@1" && outputs.first?["kind"] as? String == "model")
        let failed = try w.lineage("run", "--json", "--", "sh", "-c", "exit 3")
        let failure = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])
        #expect(failed.status == 3 && failure["status"] as? String == "failed" && failure["exitStatus"] as? Int == 3)
        #expect(((failure["run"] as? [String: Any])?["id"] as? String)?.hasPrefix("sha256:") == true)
    }
}
