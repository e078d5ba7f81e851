import Foundation
import LineageCore
import LineageStore

/// What to watch: the `monitoring` rules of the store's policy file (`.lineage/policy.yaml`, see
/// docs/monitoring.md).
public struct MonitoringPolicy: Sendable {
    /// One rule.
    public struct Rule: Sendable {
        /// What a rule measures.
        public enum Kind: String, Sendable, CaseIterable {
            /// The distribution of a prediction output (`output.FIELD`, or the output itself) against a reference.
            case outputDrift = "output-drift"
            /// The distribution of a monitored feature (`monitored.FIELD`) against a reference.
            case featureDrift = "feature-drift"
            /// The number of predictions in the window against the windows before it (z-score), or
            /// per caller (`by: caller`).
            case volume
            /// Reads of the store (access records) per token, role, client, actor or interface in the
            /// window against the windows before it; with `outcome: denied`, the refused attempts only.
            case access
            /// Predictions served by a retired or superseded deployment, or by a model with no approval.
            case governance
            /// The share of reviews in the window that override the prediction (human oversight).
            case overrideRate = "override-rate"
            /// Accuracy, precision, recall or AUC of the window's predictions against the ground truth
            /// reviews give (a confirmed output, or the reviewer's corrected one); fires below the threshold.
            case performance
            /// The disparity of favourable-outcome rates across the values of a monitored group attribute:
            /// 1 − (lowest rate / highest rate); the four-fifths rule is a threshold of 0.2.
            case fairness
        }

        public let name: String
        public let kind: Kind
        /// `model/env`, a model name, or neither (every prediction).
        public let deployment: String?
        public let model: String?
        /// The output or monitored field a drift rule reads.
        public let field: String?
        /// The window evaluated, ending at the evaluation's time.
        public internal(set) var windowMilliseconds: Int64
        public internal(set) var windowText: String
        /// The reference of a drift rule: the window this long before the evaluated one; nil for the
        /// first week after the scope's first deployment.
        public let referenceMilliseconds: Int64?
        /// A drift or drop rule's fixed reference window, [start, end) (`reference: START/END`).
        public let referenceInterval: (Int64, Int64)?
        /// `psi` or `ks` for drift rules.
        public let metric: String
        /// The value above which the rule fires.
        public let threshold: Double
        /// How many earlier windows a volume rule compares with.
        public let history: Int
        /// A fairness rule's group attribute (`monitored.GROUP`) and favourable output value.
        public let group: String?
        public let favourable: String?
        /// A performance rule's positive label (precision, recall, AUC) and score field (AUC).
        public let positive: String?
        public let score: String?
        /// What volume and access rules count separately: `caller` (volume); `token`, `role`,
        /// `client`, `actor` or `interface` (access). Nil: everything together (volume).
        public let by: String?
        /// Access rules: count only attempts with this outcome (`allowed` or `denied`).
        public let outcome: String?
        /// A performance rule's largest allowed fall against its reference window (then its value
        /// is that fall, and its threshold this), instead of a floor.
        public let drop: Double?

        /// True for rules that fire when the value falls below the threshold (performance without `drop`).
        public var firesBelow: Bool { kind == .performance && drop == nil }

        /// What the rule watches: `deployment:m/env`, `model:NAME` or `all`.
        public var scope: String { deployment.map { "deployment:" + $0 } ?? model.map { "model:" + $0 } ?? "all" }
    }

    public let rules: [Rule]

    /// The default thresholds: PSI 0.25 (a shift, by the usual reading), KS 0.2, a volume z-score of
    /// 3, any governance violation, an override rate of 20%, and the four-fifths rule (a disparity of 0.2).
    static let defaultThresholds: [String: Double] = ["psi": 0.25, "ks": 0.2, "zscore": 3, "count": 0, "governance": 0, "override-rate": 0.2, "fairness": 0.2]

    /// The policy of the store at `path`: the `monitoring` list of its `policy.yaml`; none when absent.
    public static func load(store path: String) throws -> MonitoringPolicy {
        let file = (path as NSString).appendingPathComponent("policy.yaml")
        guard FileManager.default.fileExists(atPath: file) else { return MonitoringPolicy(rules: []) }
        let text = String(decoding: try FieldInput.readFile(file, what: "policy file"), as: UTF8.self)
        do {
            let json = try PolicyFile.json(try YAMLFile.load(text, path: file) ?? [String: Any]())
            return try MonitoringPolicy(json: json.objectValue?["monitoring"])
        } catch let error as RecordError {
            throw LineageError.input("the policy file \(Names.printable(file)): \(error.message)")
        }
    }

    init(rules: [Rule]) { self.rules = rules }

    /// Reads a `monitoring:` list of `{name, type, deployment?, model?, field?, window?, reference?,
    /// metric?, threshold?, history?}`.
    init(json: JSONValue?) throws {
        if let json, json.arrayValue == nil { throw RecordError("monitoring must be a list of rules") }
        var rules: [Rule] = []
        let keys = ["name", "type", "deployment", "model", "field", "window", "reference", "metric", "threshold", "history", "group", "favourable", "positive", "score", "drop", "by", "outcome"]
        for (i, item) in (json?.arrayValue ?? []).enumerated() {
            let label = "monitoring rule \(i + 1)"
            guard let rule = item.objectValue else { throw RecordError("\(label) must be a mapping") }
            if let unknown = rule.keys.first(where: { !keys.contains($0) }) {
                throw RecordError("\(label) has an unknown key '\(unknown)': use \(keys.joined(separator: ", "))")
            }
            guard let name = rule["name"]?.stringValue, !name.isEmpty, !rules.contains(where: { $0.name == name }) else {
                throw RecordError("\(label) needs a name of its own")
            }
            guard let type = rule["type"]?.stringValue, let kind = Rule.Kind(rawValue: type) else {
                throw RecordError("\(label) (\(name)) needs a type: \(Rule.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if rule["deployment"] != nil, rule["model"] != nil { throw RecordError("\(label) (\(name)) names both a deployment and a model: give one") }
            let field = rule["field"]?.stringValue
            if kind == .featureDrift, field == nil { throw RecordError("\(label) (\(name)) needs the monitored field it watches: field") }
            let windowText = rule["window"]?.stringValue ?? "1d"
            guard let window = RecordTime.duration(windowText), window > 0 else { throw RecordError("\(label) (\(name)): window must be a duration like 1d or 6h") }
            var reference: Int64?, referenceInterval: (Int64, Int64)?
            if let text = rule["reference"]?.stringValue, text != "first-week" {
                let ends = text.split(separator: "/", omittingEmptySubsequences: false).map { RecordTime.parseRFC3339(String($0)) }
                if ends.count == 2, let start = ends[0], let end = ends[1], start < end {
                    referenceInterval = (start, end)
                } else if let value = RecordTime.duration(text), value > 0 {
                    reference = value
                } else {
                    throw RecordError("\(label) (\(name)): reference is first-week (the default), a duration like 7d (the window before), or a named window START/END in RFC 3339 (2026-11-01T00:00:00Z/2026-11-08T00:00:00Z)")
                }
            }
            let counting = kind == .volume || kind == .access
            let metric = rule["metric"]?.stringValue ?? (kind == .performance ? "accuracy" : counting ? "zscore" : "psi")
            let metrics = kind == .performance ? ["accuracy", "precision", "recall", "auc"] : counting ? ["zscore", "count"] : ["psi", "ks"]
            guard metrics.contains(metric) else { throw RecordError("\(label) (\(name)): metric is \(metrics.joined(separator: ", "))") }
            if kind == .performance, metric != "accuracy", rule["positive"] == nil {
                throw RecordError("\(label) (\(name)): \(metric) needs the positive label (positive)")
            }
            let drop = rule["drop"]?.numberValue
            if rule["drop"] != nil, kind != .performance || !(drop.map { $0.isFinite && $0 > 0 } ?? false) {
                throw RecordError("\(label) (\(name)): drop is for performance rules, a fall greater than 0 (0.05: five points)")
            }
            if kind == .performance, (rule["threshold"] == nil) == (drop == nil) {
                throw RecordError("\(label) (\(name)): a performance rule needs either the threshold its metric must stay above or the drop against its reference it may not exceed")
            }
            if kind == .fairness, rule["group"]?.stringValue == nil || rule["favourable"] == nil {
                throw RecordError("\(label) (\(name)) needs the monitored group attribute (group) and the favourable output (favourable; with field, the output field holding it)")
            }
            let by = rule["by"]?.stringValue ?? (kind == .access ? "token" : nil)
            let groupings = kind == .volume ? ["caller"] : kind == .access ? ["token", "role", "client", "actor", "interface"] : []
            if rule["by"] != nil, !groupings.contains(by ?? "") {
                throw RecordError("\(label) (\(name)): by is " + (groupings.isEmpty ? "for volume and access rules" : groupings.joined(separator: ", ")))
            }
            let outcome = rule["outcome"]?.stringValue
            if rule["outcome"] != nil, kind != .access || !["allowed", "denied"].contains(outcome ?? "") {
                throw RecordError("\(label) (\(name)): outcome is for access rules: allowed or denied")
            }
            let defaultKey = [.governance, .overrideRate, .fairness].contains(kind) ? kind.rawValue : metric
            let threshold = drop ?? rule["threshold"]?.numberValue ?? MonitoringPolicy.defaultThresholds[defaultKey]!
            guard threshold.isFinite, threshold >= 0 else { throw RecordError("\(label) (\(name)): threshold must be a number of at least 0") }
            let history = rule["history"]?.integerValue ?? 7
            guard (2...365).contains(history) else { throw RecordError("\(label) (\(name)): history is from 2 to 365 windows") }
            rules.append(Rule(name: name, kind: kind, deployment: rule["deployment"]?.stringValue, model: rule["model"]?.stringValue,
                              field: field, windowMilliseconds: window, windowText: windowText, referenceMilliseconds: reference, referenceInterval: referenceInterval,
                              metric: metric, threshold: threshold, history: Int(history), group: rule["group"]?.stringValue,
                              favourable: rule["favourable"].map { $0.stringValue ?? String(decoding: $0.canonicalBytes, as: UTF8.self) },
                              positive: rule["positive"].map { $0.stringValue ?? String(decoding: $0.canonicalBytes, as: UTF8.self) },
                              score: rule["score"]?.stringValue, by: by, outcome: outcome, drop: drop))
        }
        self.rules = rules
    }
}
