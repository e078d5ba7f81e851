import Foundation
import Testing

@Suite("Python: the hook and the scikit-learn example, with a real interpreter")
struct PythonTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/python").path

    static func python(_ w: Workspace, _ arguments: [String]) throws -> Outcome {
        w.environment["LINEAGE_BIN"] = Workspace.binary
        return try w.run("/usr/bin/env", ["python3"] + arguments, in: nil, stdin: nil)
    }

    @Test("the scikit-learn example records the whole pipeline and ends with a trace back to the raw data")
    func sklearnExample() throws {
        let w = try gitProject()
        let outcome = try Self.python(w, [Self.examples + "/sklearn_example.py", w.path + "/work"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("prediction bc-0003"))
        let store = w.path + "/work/.lineage"
        let graph = try json(try w.ok("trace", "bc-0003", "--json", "--store", store))
        let nodes = try #require(graph["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["ref"] as? String ?? "" } == [
            "bc-0003", "deployment:breast-cancer/prod", "model:breast-cancer@1", "run:train-forest",
            "dataset:train@1", "dataset:test@1", "transform:clean-split", "dataset:breast-cancer-raw@1",
        ])
        let run = try #require(nodes[3]["record"] as? [String: Any])
        #expect((run["metrics"] as? [String: Any])?["auc"] as? Double ?? 0 > 0.9)
        #expect((run["params"] as? [String: Any])?["n_estimators"] as? Int == 50)
        #expect((run["environment"] as? [String: Any])?["python"] != nil)
        #expect(try w.ok("log", "--kind", "prediction", "-n", "100", "--store", store).split(separator: "\n").count == 10)
        #expect(try w.ok("verify", "--store", store).hasPrefix("OK: "))
        let gate = try w.lineage("gate", w.path + "/work/model.pkl", "--store", store)
        #expect(gate.status == 0, "\(gate.stdout)")
    }

    @Test("the hook records a failing block as a failed run and re-raises")
    func hookFailure() throws {
        let w = try gitProject()
        try w.write("fail.py", """
            import sys
            sys.path.insert(0, \(JSONString(Self.examples)))
            import lineage_hook
            try:
                with lineage_hook.run("doomed", inputs={"data": "data.csv"}, params={"lr": 0.5}) as run:
                    run.log_metric("loss", 9.5)
                    raise ValueError("diverged")
            except ValueError:
                print("re-raised")
            """)
        let outcome = try Self.python(w, ["fail.py"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("re-raised"))
        let run = try #require(try json(try w.ok("show", "run:doomed", "--json"))["record"] as? [String: Any])
        #expect(run["status"] as? String == "failed")
        #expect(run["error"] as? String == "ValueError: diverged")
        #expect((run["metrics"] as? [String: Any])?["loss"] as? Double == 9.5)
        #expect((run["inputs"] as? [String])?.count == 1)
    }

    @Test("the hook's session follows the script into another directory, and LINEAGE_SESSION=0 starts a process per call")
    func hookSession() throws {
        let w = try gitProject()
        try FileManager.default.createDirectory(atPath: w.path + "/sub", withIntermediateDirectories: true)
        try w.write("sub/y.csv", "y\n1\n")
        try w.write("many.py", """
            import os, sys
            sys.path.insert(0, \(JSONString(Self.examples)))
            import lineage_hook
            with lineage_hook.run("first", inputs={"data": "data.csv"}, params={"lr": 0.1}) as run:
                run.log_metric("auc", 0.8)
            os.chdir("sub")
            with lineage_hook.run("second", inputs={"y": "y.csv"}) as run:
                run.log_metric("auc", 0.85)
            os.environ["LINEAGE_SESSION"] = "0"
            with lineage_hook.run("third", params={"lr": 0.3}) as run:
                run.log_metric("auc", 0.9)
            print("done")
            """)
        let outcome = try Self.python(w, ["many.py"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let runs = try w.ok("log", "--kind", "run")
        for name in ["run:first", "run:second", "run:third"] { #expect(runs.contains(name)) }
        #expect(try w.ok("log", "--kind", "dataset").contains("dataset:y@1"))
        let third = try #require(try json(try w.ok("show", "run:third", "--json"))["record"] as? [String: Any])
        #expect((third["metrics"] as? [String: Any])?["auc"] as? Double == 0.9)
    }
}

func JSONString(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
