import Foundation
import GitStore
import LineageCore

/// The outcome of `lineage gate`: every check, passed or not.
public struct GateReport: Sendable {
    /// One check and what it found.
    public struct Check: Sendable {
        /// The check: lineage, approvals, metric, signers, maxAge, licenses or registered.
        public let name: String
        /// True when the check holds.
        public let passed: Bool
        /// What was found, in one sentence.
        public let message: String

        /// Creates a check's outcome.
        public init(name: String, passed: Bool, message: String) {
            self.name = name
            self.passed = passed
            self.message = message
        }
    }

    /// The model gated, or nil for an unregistered artifact.
    public let model: IndexedRecord?
    /// Every check, in order.
    public let checks: [Check]

    /// Creates a report.
    public init(model: IndexedRecord?, checks: [Check]) {
        self.model = model
        self.checks = checks
    }

    /// True when every check holds: the model may ship.
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

extension Store {
    /// Every registered model version whose artifact has this digest, oldest first.
    public func models(withDigest digest: Digest) throws -> [IndexedRecord] {
        try index.records(digest: digest).filter { $0.kind == .model }.sorted { $0.seq < $1.seq }
    }

    /// Which of `models` (one artifact's versions, registered under one or more names) a gate on
    /// the artifact judges, so that registering the same bytes again under a clean name cannot
    /// launder them: the versions named `named` when a policy names the model; else every version
    /// that is deployed or approved; else all. Each with why it is judged.
    public func judgedVersions(_ models: [IndexedRecord], named: String?) throws -> [(model: IndexedRecord, why: String)] {
        if let named { return models.filter { $0.name == named }.map { ($0, "named by the policy") } }
        let used = try models.compactMap { model -> (IndexedRecord, String)? in
            let kinds = Set(try index.dependents(of: model.seq).map(\.record.kind))
            let why = [kinds.contains(.deployment) ? "deployed" : nil, kinds.contains(.approval) ? "approved" : nil].compactMap { $0 }
            return why.isEmpty ? nil : (model, why.joined(separator: " and "))
        }
        return used.isEmpty ? models.map { ($0, "registered") } : used
    }

    /// Gates a model artifact by its digest (`label` names it in messages). Every version the bytes
    /// are registered as that the gate judges (see `judgedVersions`) must pass; with several, the
    /// report says which exist and which were judged, and prefixes each check with its version.
    public func gate(artifact digest: Digest, label: String, policy: Policy, now: Int64) throws -> GateReport {
        let models = try models(withDigest: digest)
        guard !models.isEmpty else {
            return GateReport(model: nil, checks: [.init(name: "registered", passed: false,
                message: "\(label) (\(digest)) is not a registered model; register it with `lineage run --model`, `lineage record model --file`, `lineage import dvc` or `lineage import mlflow`")])
        }
        func reference(_ model: IndexedRecord) -> String { "model:\(model.name ?? "?")@\(model.version ?? 0)" }
        let judged = try judgedVersions(models, named: policy.modelName)
        let registered = models.map(reference).joined(separator: ", ")
        guard !judged.isEmpty else {
            return GateReport(model: nil, checks: [.init(name: "registered", passed: false,
                message: "\(label) is registered as \(registered), not as the model \(Names.printable(policy.modelName ?? "")) the policy names")])
        }
        if models.count == 1 { return try gate(models[0], policy: policy, now: now) }
        var checks = [GateReport.Check(name: "registered", passed: true,
            message: "\(label) is registered \(models.count) times, as \(registered); judged: " + judged.map { "\(reference($0.model)) (\($0.why))" }.joined(separator: ", "))]
        for (model, _) in judged {
            checks += try gate(model, policy: policy, now: now).checks.map { .init(name: $0.name, passed: $0.passed, message: "\(reference(model)): \($0.message)") }
        }
        return GateReport(model: judged.count == 1 ? judged[0].model : nil, checks: checks)
    }

    /// Checks that `model` has complete lineage back to source datasets and that `policy` holds.
    public func gate(_ model: IndexedRecord, policy: Policy, now: Int64) throws -> GateReport {
        let graph = try trace(from: model)
        var checks = [try lineageCheck(graph, model: model)]
        let record = try read(model)
        let run = record["producedBy"]?.stringValue.flatMap { Digest($0) }.flatMap { graph.records[$0] }
        if let approvals = policy.approvals {
            let found = try index.dependents(of: model.seq).filter { $0.record.kind == .approval }.map { try read($0.record) }
            let counted = found.filter { approval in
                (approvals.purpose == nil || approval["purpose"]?.stringValue == approvals.purpose)
                    && (approvals.approvers.map { $0.contains(approval["approver"]?.stringValue ?? "") } ?? true)
            }
            let what = "approval\(approvals.required == 1 ? "" : "s")" + (approvals.purpose.map { " for \($0)" } ?? "")
                + (approvals.approvers.map { " by one of \($0.joined(separator: ", "))" } ?? "")
            let by = counted.compactMap { $0["approver"]?.stringValue }
            checks.append(.init(name: "approvals", passed: counted.count >= approvals.required,
                                message: "\(counted.count) of \(approvals.required) required \(what)" + (by.isEmpty ? "" : " (\(by.joined(separator: ", ")))")))
        }
        for rule in policy.metrics {
            let value = run?["metrics"]?.objectValue?[rule.metric]?.numberValue
            let message: String
            if let value {
                message = "\(rule): \(rule.metric) is \(CanonicalNumber.format(value))"
            } else {
                message = "\(rule): the run that produced the model recorded no metric \(Names.printable(rule.metric))"
            }
            checks.append(.init(name: "metric", passed: value.map(rule.holds) ?? false, message: message))
        }
        if !policy.signers.isEmpty {
            checks.append(try signerCheck(model, signers: policy.signers))
        }
        if let maximum = policy.maximumAgeMilliseconds {
            let age = now - model.timeMilliseconds
            let days = Double(age) / 86_400_000
            checks.append(.init(name: "maxAge", passed: age <= maximum,
                                message: String(format: "registered %.1f days ago; at most %@ allowed", days, policy.maximumAgeText ?? "")))
        }
        if !policy.forbiddenLicenses.isEmpty {
            let offending = graph.order.compactMap { id -> String? in
                guard let record = graph.records[id], record.kind == .dataset, let license = record["license"]?.stringValue,
                      policy.forbiddenLicenses.contains(license) else { return nil }
                return "dataset \(record.name ?? "?")@\(record.version ?? 0) is licensed \(license)"
            }
            checks.append(.init(name: "licenses", passed: offending.isEmpty,
                                message: offending.isEmpty ? "no upstream dataset has a forbidden licence (\(policy.forbiddenLicenses.joined(separator: ", ")))"
                                    : offending.joined(separator: "; ") + ", a forbidden licence"))
        }
        return GateReport(model: model, checks: checks)
    }

    /// Complete lineage: a producing run; every run and transform upstream with input datasets and a
    /// code commit; every dataset hashed, reaching source datasets.
    private func lineageCheck(_ graph: TraceGraph, model: IndexedRecord) throws -> GateReport.Check {
        var problems: [String] = []
        for id in graph.order {
            guard let record = graph.records[id] else { continue }
            let label = "\(record.kind) \(record.name ?? id.short)"
            switch record.kind {
            case .model where id == model.id:
                if record["producedBy"] == nil { problems.append("the model records no run that produced it") }
            case .run, .transform:
                if (record["inputs"]?.arrayValue ?? []).isEmpty { problems.append("\(label) recorded no input datasets") }
                if record["code"]?.objectValue?["commit"]?.stringValue == nil { problems.append("\(label) recorded no code version (git commit)") }
                if record.kind == .run, record["status"]?.stringValue == "failed" { problems.append("\(label) failed") }
            case .dataset:
                if record["digest"]?.stringValue == nil { problems.append("\(label) is not hashed") }
            default:
                break
            }
        }
        let sources = graph.order.compactMap { graph.records[$0] }.filter { $0.kind == .dataset && $0["derivedFrom"] == nil }
        if problems.isEmpty && sources.isEmpty { problems.append("the lineage reaches no source dataset") }
        return .init(name: "lineage", passed: problems.isEmpty,
                     message: problems.isEmpty ? "complete: \(graph.order.count) records back to \(sources.count) source dataset\(sources.count == 1 ? "" : "s")"
                         : problems.joined(separator: "; "))
    }

    /// The batch that registered the model must carry a commit signature by one of `signers`.
    private func signerCheck(_ model: IndexedRecord, signers: [VerifierKey]) throws -> GateReport.Check {
        guard let batch = try index.batch(containing: model.seq) else {
            return .init(name: "signers", passed: false, message: "the batch that registered the model is not in the index; run `lineage reindex`")
        }
        let signature: (signature: String, signedData: [UInt8])?
        do { signature = try repository.commitSignature(batch.commit) } catch { throw LineageError.wrap(error) }
        guard let signature else {
            return .init(name: "signers", passed: false, message: "the batch that registered the model is not signed")
        }
        do {
            let key = try SSHSignature.verify(signature.signature, message: signature.signedData, trusting: signers)
            return .init(name: "signers", passed: true, message: "registered in a batch signed by \(key.text)")
        } catch {
            return .init(name: "signers", passed: false, message: "the batch that registered the model is not signed by an allowed signer (\(error))")
        }
    }
}
