import Foundation
import LineageCore
import LineageStore

/// How long payloads are kept: the `retention` rules of the store's policy file
/// (`.lineage/policy.yaml`, see docs/privacy.md). Records are never deleted; only payloads expire.
public struct RetentionPolicy: Sendable {
    /// One rule: payloads of predictions (of one deployment or model version name, or all) are kept
    /// this long after the prediction's time.
    public struct Rule: Sendable {
        public let deployment: String?
        public let model: String?
        public let keepMilliseconds: Int64
        public let text: String
    }

    /// The default for prediction payloads: six months (EU AI Act Articles 19 and 26(6) ask deployers
    /// to keep logs at least that long).
    public static let defaultKeep = "180d"

    public var rules: [Rule]

    /// The policy of the store at `path`: its `policy.yaml`, or the default when there is none.
    public static func load(store path: String) throws -> RetentionPolicy {
        let file = (path as NSString).appendingPathComponent("policy.yaml")
        guard FileManager.default.fileExists(atPath: file) else { return try RetentionPolicy(json: nil) }
        let text = String(decoding: try FieldInput.readFile(file, what: "policy file"), as: UTF8.self)
        let parsed = try YAMLFile.load(text, path: file)
        do {
            let json = try PolicyFile.json(parsed ?? [String: Any]())
            return try RetentionPolicy(json: json.objectValue?["retention"])
        } catch let error as RecordError {
            throw LineageError.input("the policy file \(Names.printable(file)): \(error.message)")
        }
    }

    /// Reads a `retention:` list of `{kind: prediction, deployment?: MODEL/ENV, model?: NAME, payloads: DURATION}`.
    init(json: JSONValue?) throws {
        var rules: [Rule] = []
        if let json, json.arrayValue == nil { throw RecordError("retention must be a list of rules") }
        for (i, item) in (json?.arrayValue ?? []).enumerated() {
            guard let rule = item.objectValue else { throw RecordError("retention rule \(i + 1) must be a mapping") }
            for member in rule where !["kind", "deployment", "model", "payloads"].contains(member.key) {
                throw RecordError("retention rule \(i + 1) has an unknown key '\(member.key)': use kind, deployment, model, payloads")
            }
            if let kind = rule["kind"]?.stringValue, kind != "prediction" {
                throw RecordError("retention rule \(i + 1) is for \(Names.printable(kind)) records: only predictions have payloads")
            }
            guard let text = rule["payloads"]?.stringValue, let keep = RecordTime.duration(text) else {
                throw RecordError("retention rule \(i + 1) needs payloads: a duration like 180d, 26w or 12h")
            }
            guard keep >= 0 else { throw RecordError("retention rule \(i + 1): payloads must not be negative") }
            if rule["deployment"] != nil, rule["model"] != nil {
                throw RecordError("retention rule \(i + 1) names both a deployment and a model: give one")
            }
            rules.append(Rule(deployment: rule["deployment"]?.stringValue, model: rule["model"]?.stringValue, keepMilliseconds: keep, text: text))
        }
        if !rules.contains(where: { $0.deployment == nil && $0.model == nil }) {
            rules.append(Rule(deployment: nil, model: nil, keepMilliseconds: RecordTime.duration(Self.defaultKeep)!, text: Self.defaultKeep))
        }
        self.rules = rules
    }

    /// The rule for a prediction served by the deployment `deployment` (`model/env`) of the model
    /// named `model`: a deployment's rule first, then a model's, then the general one.
    func rule(deployment: String?, model: String?) -> Rule {
        rules.first { $0.deployment != nil && $0.deployment == deployment }
            ?? rules.first { $0.model != nil && $0.model == model }
            ?? rules.first { $0.deployment == nil && $0.model == nil }!
    }
}

extension Store {
    /// The plan for `lineage retention apply`: every prediction whose payloads outlived its rule
    /// at `now` and are still stored, less those a legal hold keeps.
    public func planRetention(_ policy: RetentionPolicy, now: Int64) throws -> ErasurePlan {
        // Only batches whose pack still holds a payload are read, and in them only predictions older
        // than the shortest rule: a store of commitments only costs nothing.
        let shortest = policy.rules.map(\.keepMilliseconds).min() ?? 0
        var expired: [IndexedRecord] = []
        var names: [Digest: (deployment: String?, model: String?)] = [:]
        for batch in try batchesWithStoredPayloads() {
            for seq in batch.firstSeq..<(batch.firstSeq + batch.count) {
                guard let entry = try lookups.record(seq: seq), entry.kind == .prediction,
                      now - entry.timeMilliseconds >= shortest else { continue }
                let record = try read(entry)
                guard !record.commitments.isEmpty,
                      let target = (record["deployment"] ?? record["model"])?.stringValue.flatMap({ Digest($0) }) else { continue }
                if names[target] == nil { names[target] = try servingNames(target) }
                let rule = policy.rule(deployment: names[target]?.deployment, model: names[target]?.model)
                if now - entry.timeMilliseconds >= rule.keepMilliseconds { expired.append(entry) }
            }
        }
        return try plan(expired, overrideHold: false)
    }

    /// Erases every payload past its retention rule (`lineage retention apply`, and `lineage serve`
    /// daily), except those under a legal hold, as one erasure (policy `retention`).
    public func applyRetention(dryRun: Bool, actor: String, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> ErasureReport {
        let policy = try RetentionPolicy.load(store: path)
        let plan = try planRetention(policy, now: now)
        if dryRun { return ErasureReport(plan: plan, records: [], dryRun: true) }
        let rules = policy.rules.map { rule in
            (rule.deployment.map { "deployment \($0)" } ?? rule.model.map { "model \($0)" } ?? "predictions") + " " + rule.text
        }
        return try erase(plan, reason: "retention period over (" + rules.joined(separator: "; ") + ")", policy: "retention",
                         overrideHold: false, actor: actor)
    }

    /// The deployment name (`model/env`) and model name a prediction's serving link stands for.
    private func servingNames(_ id: Digest) throws -> (deployment: String?, model: String?) {
        guard let entry = try lookups.record(id: id) else { return (nil, nil) }
        if entry.kind == .model { return (nil, entry.name) }
        let model = try read(entry)["model"]?.stringValue.flatMap { Digest($0) }.flatMap { try lookups.record(id: $0) }
        return (entry.name, model?.name)
    }
}
