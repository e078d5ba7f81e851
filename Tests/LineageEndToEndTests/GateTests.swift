import Foundation
import Testing

@Suite("lineage gate: each policy rule passing and failing")
struct GateTests {
    /// A project with a model trained by `lineage run`, metrics auc=0.93 and loss=0.2.
    static func trained() throws -> Workspace {
        let w = try gitProject()
        try w.write("data.csv", "x,y\n1,0\n")
        let outcome = try w.lineage("run", "--input", "data.csv", "--model", "fraud=model.bin", "--", "sh", "train.sh")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return w
    }

    static func gate(_ w: Workspace, policy: String?, _ extra: String...) throws -> Outcome {
        var arguments = ["gate", "model.bin"] + extra
        if let policy {
            try w.write("policy.yaml", policy)
            arguments += ["--policy", "policy.yaml"]
        }
        return try w.run(Workspace.binary, arguments, in: nil, stdin: nil)
    }

    static func expect(_ outcome: Outcome, passes: Bool, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == (passes ? 0 : 1), "\(outcome.stdout)\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stdout.contains(fragment), "\(outcome.stdout) lacks \(fragment)", sourceLocation: sourceLocation)
    }

    @Test("without a policy: a registered model with complete lineage passes")
    func lineageOnly() throws {
        let w = try Self.trained()
        Self.expect(try Self.gate(w, policy: nil), passes: true, mentioning: "✓ lineage: complete")
    }

    @Test("an artifact that was never registered is refused")
    func unregistered() throws {
        let w = try Self.trained()
        try w.write("stranger.bin", "not a registered model\n")
        let outcome = try w.lineage("gate", "stranger.bin")
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("is not a registered model"))
    }

    @Test("a model whose run recorded no inputs is refused")
    func noInputs() throws {
        let w = try gitProject()
        #expect(try w.lineage("run", "--model", "fraud=model.bin", "--", "sh", "train.sh").status == 0)
        Self.expect(try Self.gate(w, policy: nil), passes: false, mentioning: "recorded no input datasets")
    }

    @Test("a model with no producing run, or a run without a code version, is refused")
    func incomplete() throws {
        let w = try gitProject()
        try w.write("model.bin", "weights\n")
        try w.ok("record", "model", "--name", "bare", "--file", "model.bin")
        Self.expect(try Self.gate(w, policy: nil), passes: false, mentioning: "records no run that produced it")
        try w.ok("add", "dataset", "data.csv", "--name", "d")
        try w.ok("record", "run", "--name", "nocode", "--input", "dataset:d")
        try w.write("model.bin", "weights 2\n")
        try w.ok("record", "model", "--name", "bare", "--file", "model.bin", "--run", "run:nocode")
        Self.expect(try Self.gate(w, policy: nil), passes: false, mentioning: "recorded no code version")
    }

    @Test("approvals: required count, purpose and approvers")
    func approvals() throws {
        let w = try Self.trained()
        let policy = "approvals:\n  required: 1\n  purpose: production\n  approvers: [carol]\n"
        Self.expect(try Self.gate(w, policy: policy), passes: false, mentioning: "✗ approvals: 0 of 1")
        try w.ok("record", "approval", "--model", "model:fraud", "--approver", "mallory", "--purpose", "production")
        Self.expect(try Self.gate(w, policy: policy), passes: false, mentioning: "✗ approvals: 0 of 1")
        try w.ok("record", "approval", "--model", "model:fraud", "--approver", "carol", "--purpose", "production")
        Self.expect(try Self.gate(w, policy: policy), passes: true, mentioning: "✓ approvals: 1 of 1 required approval for production by one of carol (carol)")
        Self.expect(try Self.gate(w, policy: "approvals: 3\n"), passes: false, mentioning: "2 of 3")
    }

    @Test("metric thresholds")
    func metrics() throws {
        let w = try Self.trained()
        Self.expect(try Self.gate(w, policy: "metrics: [auc >= 0.9, loss < 0.3]\n"), passes: true, mentioning: "✓ metric: auc >= 0.9: auc is 0.93")
        Self.expect(try Self.gate(w, policy: "metrics: ['auc > 0.95']\n"), passes: false, mentioning: "✗ metric: auc > 0.95: auc is 0.93")
        Self.expect(try Self.gate(w, policy: "metrics: ['f1 >= 0.5']\n"), passes: false, mentioning: "recorded no metric 'f1'")
    }

    @Test("allowed signers")
    func signers() throws {
        let w = try Self.trained()
        let key = try w.ok("key", "show").trimmingCharacters(in: .newlines)
        Self.expect(try Self.gate(w, policy: "signers: ['\(key)']\n"), passes: true, mentioning: "✓ signers: registered in a batch signed by")
        let other = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        Self.expect(try Self.gate(w, policy: "signers: ['\(other)']\n"), passes: false, mentioning: "not signed by an allowed signer")
    }

    @Test("maximum age")
    func maxAge() throws {
        let w = try Self.trained()
        Self.expect(try Self.gate(w, policy: "maxAge: 90d\n"), passes: true, mentioning: "✓ maxAge")
        try w.write("old.bin", "old weights\n")
        try w.ok("record", "model", "--name", "fraud", "--file", "old.bin", "--run", "run:train", "--time", "2020-01-01T00:00:00.000Z")
        let outcome = try w.lineage("gate", "old.bin", "--policy", "policy.yaml")
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("✗ maxAge: registered"))
    }

    @Test("forbidden dataset licences")
    func licenses() throws {
        let w = try gitProject()
        try w.ok("add", "dataset", "data.csv", "--name", "scraped", "--license", "GPL-3.0")
        #expect(try w.lineage("run", "--input", "scraped=data.csv", "--model", "fraud=model.bin", "--", "sh", "train.sh").status == 0)
        Self.expect(try Self.gate(w, policy: "forbiddenLicenses: [GPL-3.0]\n"), passes: false, mentioning: "dataset scraped@1 is licensed GPL-3.0")
        Self.expect(try Self.gate(w, policy: "forbiddenLicenses: [proprietary]\n"), passes: true, mentioning: "✓ licenses")
    }

    @Test("a policy with an unknown key, or that is not YAML, is bad input (exit 2)")
    func badPolicy() throws {
        let w = try Self.trained()
        let unknown = try Self.gate(w, policy: "metrics: [auc >= 0.9]\nmetricz: []\n")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown key 'metricz'"))
        let broken = try Self.gate(w, policy: "metrics: [auc >= 0.9\n")
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("not valid YAML"))
    }

    @Test("--json and --github outputs")
    func outputs() throws {
        let w = try Self.trained()
        let report = try json(try Self.gate(w, policy: "metrics: ['auc > 0.95']\n", "--json").stdout)
        #expect(report["passed"] as? Bool == false)
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.map { $0["check"] as? String } == ["lineage", "metric"])
        let github = try Self.gate(w, policy: "metrics: ['auc > 0.95']\n", "--github")
        #expect(github.stdout.contains("::error title=lineage gate (metric)::auc > 0.95: auc is 0.93"))
    }

    @Test("the same bytes under two names cannot launder a model: every deployed or approved version is judged")
    func sameBytesTwoNames() throws {
        let w = try Self.trained()
        // The trained bytes, registered again with no lineage under another name, and deployed.
        try w.ok("record", "model", "--name", "shadow", "--file", "model.bin")
        try w.ok("record", "deployment", "--model", "model:shadow@1", "--environment", "prod")
        let refused = try Self.gate(w, policy: nil)
        Self.expect(refused, passes: false, mentioning: "is registered 2 times, as model:fraud@1, model:shadow@1; judged: model:shadow@1 (deployed)")
        #expect(refused.stdout.contains("model:shadow@1: the model records no run that produced it"), "\(refused.stdout)")
        // A policy that names the model judges that one.
        Self.expect(try Self.gate(w, policy: "model: fraud\n"), passes: true, mentioning: "judged: model:fraud@1 (named by the policy)")
        Self.expect(try Self.gate(w, policy: "model: other\n"), passes: false, mentioning: "not as the model 'other' the policy names")
        // Approving the clean version makes it judged too; the shadow still fails the gate.
        try w.ok("record", "approval", "--model", "model:fraud@1", "--approver", "carol", "--purpose", "production")
        Self.expect(try Self.gate(w, policy: nil), passes: false, mentioning: "judged: model:fraud@1 (approved), model:shadow@1 (deployed)")
    }
}
