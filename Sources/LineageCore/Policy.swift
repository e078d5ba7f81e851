import Foundation

/// A release policy for `lineage gate`, read from YAML or JSON. docs/policy.md documents it.
public struct Policy: Sendable, Equatable {
    /// Approval records the model needs.
    public struct Approvals: Sendable, Equatable {
        /// How many approvals are needed.
        public var required: Int = 1
        /// Count only approvals for this purpose.
        public var purpose: String?
        /// Count only approvals by these approvers.
        public var approvers: [String]?
    }

    /// A threshold on one metric of the run that produced the model, e.g. `auc >= 0.9`.
    public struct MetricRule: Sendable, Equatable, CustomStringConvertible {
        /// The comparison a rule makes.
        public enum Comparison: String, Sendable, CaseIterable {
            case atLeast = ">=", atMost = "<=", greater = ">", less = "<", equal = "==", notEqual = "!="
        }
        /// The metric's name in the run's metrics.
        public let metric: String
        /// How the value is compared with the threshold.
        public let comparison: Comparison
        /// The number the value is compared with.
        public let threshold: Double

        /// The rule as written: `auc >= 0.9`.
        public var description: String { "\(metric) \(comparison.rawValue) \(CanonicalNumber.format(threshold))" }

        /// Parses `name op number`.
        public init(parsing text: String) throws(RecordError) {
            // Two-character operators first, so ">=" is not read as ">".
            for comparison in [Comparison.atLeast, .atMost, .equal, .notEqual, .greater, .less] {
                let parts = text.components(separatedBy: comparison.rawValue)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, let threshold = Double(parts[1].trimmingCharacters(in: .whitespaces)) else { break }
                metric = name
                self.comparison = comparison
                self.threshold = threshold
                return
            }
            throw RecordError("the metric rule \(Names.printable(text)) is not of the form NAME OP NUMBER, e.g. auc >= 0.9")
        }

        /// True when `value` satisfies the rule.
        public func holds(for value: Double) -> Bool {
            switch comparison {
            case .atLeast: value >= threshold
            case .atMost: value <= threshold
            case .greater: value > threshold
            case .less: value < threshold
            case .equal: value == threshold
            case .notEqual: value != threshold
            }
        }
    }

    /// Approvals the model needs, if any.
    public var approvals: Approvals?
    /// Rules on the producing run's metrics.
    public var metrics: [MetricRule] = []
    /// Verifier keys, one of which must have signed the batch that registered the model.
    public var signers: [VerifierKey] = []
    /// How long ago the model may have been registered, in milliseconds.
    public var maximumAgeMilliseconds: Int64?
    /// The text the age was given as, for messages.
    public var maximumAgeText: String?
    /// Licences no upstream dataset may carry.
    public var forbiddenLicenses: [String] = []
    /// The model name a gated artifact must be registered under (when its bytes are registered
    /// under several names, this one is judged).
    public var modelName: String?

    /// The keys a policy file may use.
    public static let keys = ["approvals", "metrics", "signers", "maxAge", "forbiddenLicenses", "model"]

    /// Creates the empty policy: lineage checks only.
    public init() {}

    /// Reads a policy from its JSON form (YAML is converted to it first). Unknown keys are refused.
    public init(json value: JSONValue) throws(RecordError) {
        guard let object = value.objectValue else { throw RecordError("a policy must be a mapping of rules, e.g. `metrics: [auc >= 0.9]`") }
        for member in object where !Policy.keys.contains(member.key) {
            throw RecordError("the policy has an unknown key \(Names.printable(member.key)): allowed keys are \(Policy.keys.joined(separator: ", "))")
        }
        if let approvals = object["approvals"] {
            var parsed = Approvals()
            if let count = approvals.integerValue {
                parsed.required = Int(count)
            } else if let mapping = approvals.objectValue {
                for member in mapping where !["required", "purpose", "approvers"].contains(member.key) {
                    throw RecordError("the policy's approvals have an unknown key \(Names.printable(member.key)): use required, purpose, approvers")
                }
                if let required = mapping["required"] {
                    guard let count = required.integerValue, count >= 0 else { throw RecordError("approvals.required must be a whole number") }
                    parsed.required = Int(count)
                }
                if let purpose = mapping["purpose"] {
                    guard let text = purpose.stringValue else { throw RecordError("approvals.purpose must be text") }
                    parsed.purpose = text
                }
                if let approvers = mapping["approvers"] { parsed.approvers = try Policy.strings(approvers, key: "approvals.approvers") }
            } else {
                throw RecordError("approvals must be a number or a mapping with required, purpose, approvers")
            }
            self.approvals = parsed
        }
        if let metrics = object["metrics"] {
            self.metrics = try Policy.strings(metrics, key: "metrics").map { (rule) throws(RecordError) in try MetricRule(parsing: rule) }
        }
        if let signers = object["signers"] {
            self.signers = try Policy.strings(signers, key: "signers").map { (text) throws(RecordError) in try VerifierKey(parsing: text) }
        }
        if let age = object["maxAge"] {
            guard let text = age.stringValue, let milliseconds = Policy.duration(text) else {
                throw RecordError("maxAge must be a duration like 90d, 12h or 2w")
            }
            maximumAgeMilliseconds = milliseconds
            maximumAgeText = text
        }
        if let model = object["model"] {
            guard let name = model.stringValue, !name.isEmpty else { throw RecordError("model must be the model's name, e.g. `model: fraud`") }
            modelName = name.hasPrefix("model:") ? String(name.dropFirst("model:".count)) : name
        }
        if let licenses = object["forbiddenLicenses"] { forbiddenLicenses = try Policy.strings(licenses, key: "forbiddenLicenses") }
    }

    static func strings(_ value: JSONValue, key: String) throws(RecordError) -> [String] {
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            throw RecordError("\(key) must be a list of text items")
        }
        return items.compactMap(\.stringValue)
    }

    /// Parses `30m`, `12h`, `90d`, `2w` into milliseconds (see `RecordTime.duration`).
    public static func duration(_ text: String) -> Int64? {
        RecordTime.duration(text)
    }
}
