import Testing

/// Builds the chain that examples/demo.sh records: raw data → cleaning transform → training data →
/// run → model → approval → deployment → predictions.
struct DemoChain {
    var ids: [String: String] = [:]

    /// - Parameter checkEachStep: run `git fsck --strict` after every command.
    init(in workspace: Workspace, checkEachStep: Bool = false) throws {
        let original = workspace
        let workspace = StepChecker(workspace: original, fsck: checkEachStep)
        try workspace.write("data/raw.csv", "id,amount,label\n1,10,0\n2,999,1\n3,15,0\n")
        try workspace.write("data/clean/train.csv", "id,amount,label\n1,10,0\n2,999,1\n")
        try workspace.write("data/clean/test.csv", "id,amount,label\n3,15,0\n")
        try workspace.write("model.pkl", "not really a pickle, but bytes all the same\n")
        try workspace.ok("init", "--origin", "example.com/fraud")
        ids["raw"] = Workspace.id(try workspace.ok("add", "dataset", "data/raw.csv", "--name", "raw", "--uri", "s3://bank/raw.csv", "--license", "internal"))
        ids["clean"] = Workspace.id(try workspace.ok("record", "transform", "--name", "clean", "--command", "python clean.py",
                                                     "--input", "dataset:raw", "--param", "drop_na=true", "--code-commit", "0123abc"))
        ids["train"] = Workspace.id(try workspace.ok("add", "dataset", "data/clean", "--name", "train", "--from", "transform:clean"))
        ids["run"] = Workspace.id(try workspace.ok("record", "run", "--name", "train-fraud", "--input", "dataset:train",
                                                   "--param", "learning_rate=0.1", "--param", "n_estimators=100",
                                                   "--metric", "auc=0.93", "--code-repo", "https://git.example/fraud.git",
                                                   "--code-commit", "deadbeefcafe", "--status", "succeeded"))
        ids["model"] = Workspace.id(try workspace.ok("record", "model", "--name", "fraud", "--file", "model.pkl",
                                                     "--run", "run:train-fraud", "--format", "pickle"))
        ids["approval"] = Workspace.id(try workspace.ok("record", "approval", "--model", "model:fraud@1", "--approver", "carol",
                                                        "--purpose", "production", "--reason", "AUC above 0.9"))
        ids["deployment"] = Workspace.id(try workspace.ok("record", "deployment", "--model", "model:fraud@1", "--environment", "prod",
                                                          "--endpoint", "https://api.example/fraud", "--approval", ids["approval"]!))
        ids["prediction"] = Workspace.id(try workspace.ok("record", "prediction", "--id", "pred-8812", "--deployment", "deployment:fraud/prod",
                                                          "--input-json", #"{"amount":999,"customer":"Jane Roe"}"#,
                                                          "--output", #"{"label":"fraud","score":0.93}"#, "--latency-ms", "12"))
    }
}

/// Runs commands in a workspace, optionally checking the store with git fsck after each one.
struct StepChecker {
    let workspace: Workspace
    let fsck: Bool

    func write(_ name: String, _ contents: String) throws { try workspace.write(name, contents) }

    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let outcome = try workspace.run(Workspace.binary, arguments, in: nil, stdin: nil)
        #expect(outcome.status == 0, "lineage \(arguments.joined(separator: " ")) failed: \(outcome.stderr)", sourceLocation: sourceLocation)
        if fsck { try workspace.expectFsckClean(sourceLocation: sourceLocation) }
        return outcome.stdout
    }
}
