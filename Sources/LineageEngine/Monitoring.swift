import Foundation
import LineageCore
import LineageStore

/// One rule evaluated over one window.
public struct MonitorFinding: Sendable {
    public let rule: MonitoringPolicy.Rule
    /// The window evaluated, milliseconds since 1970: [from, to).
    public let from: Int64
    public let to: Int64
    /// The measured value; nil when there was not enough data to measure.
    public let value: Double?
    /// True when the value is beyond the rule's threshold (above it; below it for performance).
    public var firing: Bool { value.map { rule.firesBelow ? $0 < rule.threshold : $0 > rule.threshold } ?? false }
    /// What was measured, in words.
    public let detail: String
    /// Records the finding concerns (at most 20 examples).
    public let records: [Digest]
}

/// What `lineage monitor` did: every finding, and the alert records it appended.
public struct MonitorReport: Sendable {
    public let findings: [MonitorFinding]
    /// Alerts fired (new `alert` records with action fire), by rule name.
    public let fired: [String: Digest]
    /// Alerts cleared, by rule name.
    public let cleared: [String: Digest]
    /// Rules firing whose alert was already open (not repeated).
    public let stillOpen: [String]

    /// True when any rule is firing (newly or still).
    public var alerting: Bool { findings.contains(where: \.firing) }

    /// The `monitor --json` shape: `{"findings": [{"rule", "type", "scope", "window": {"from", "to"},
    /// "value", "threshold", "firing", "detail", "alert"?, "state"}], "alerting"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("findings", .array(findings.map { finding in
                var object = JSONObject([
                    ("rule", .string(finding.rule.name)), ("type", .string(finding.rule.kind.rawValue)), ("scope", .string(finding.rule.scope)),
                    ("window", .object(JSONObject([("from", .string(RecordTime.format(milliseconds: finding.from))),
                                                   ("to", .string(RecordTime.format(milliseconds: finding.to)))]))),
                    ("value", finding.value.map { .number($0) } ?? .null), ("threshold", .number(finding.rule.threshold)),
                    ("firing", .bool(finding.firing)), ("detail", .string(finding.detail)), ("state", .string(state(of: finding))),
                ])
                if let id = fired[finding.rule.name] ?? cleared[finding.rule.name] { object["alert"] = .string(id.description) }
                return .object(object)
            })),
            ("alerting", .bool(alerting)),
        ]))
    }

    /// One JSON object per alert fired or cleared by this run, for a sink: `{"event": "fired" |
    /// "cleared", "alert", "rule", "scope", "value", "threshold", "window", "detail", "text"}`;
    /// `text` is one readable line, so the object is also a Slack incoming-webhook message.
    public var events: [JSONValue] {
        findings.compactMap { finding in
            let (event, id) = fired[finding.rule.name].map { ("fired", $0) } ?? cleared[finding.rule.name].map { ("cleared", $0) } ?? ("", Digest(hashing: []))
            guard !event.isEmpty else { return nil }
            let value = finding.value.map { CanonicalNumber.format(($0 * 10_000).rounded() / 10_000) } ?? "-"
            let text = "lineage alert \(event): \(finding.rule.name) on \(finding.rule.scope): value \(value), threshold \(CanonicalNumber.format(finding.rule.threshold)) (\(finding.detail))"
            return .object(JSONObject([
                ("event", .string(event)), ("alert", .string(id.description)), ("rule", .string(finding.rule.name)),
                ("scope", .string(finding.rule.scope)), ("value", finding.value.map { .number($0) } ?? .null),
                ("threshold", .number(finding.rule.threshold)),
                ("window", .object(JSONObject([("from", .string(RecordTime.format(milliseconds: finding.from))),
                                               ("to", .string(RecordTime.format(milliseconds: finding.to)))]))),
                ("detail", .string(finding.detail)), ("text", .string(text)),
            ]))
        }
    }

    /// `fired` (alert recorded now), `open` (firing, alerted before), `firing` (not recorded: a dry
    /// run), `cleared`, `ok`, or `no-data`.
    public func state(of finding: MonitorFinding) -> String {
        if fired[finding.rule.name] != nil { return "fired" }
        if stillOpen.contains(finding.rule.name) { return "open" }
        if finding.firing { return "firing" }
        if cleared[finding.rule.name] != nil { return "cleared" }
        return finding.value == nil ? "no-data" : "ok"
    }
}

/// An alert in the log: the record that fired it, and what happened to it since.
public struct OpenAlert: Sendable {
    public let entry: IndexedRecord
    public let record: Record
    /// The acknowledgements, oldest first: (actor, time, reason).
    public var acknowledgements: [(actor: String, time: String, reason: String)] = []
    /// True once a later `clear` names it.
    public var cleared = false

    /// The `alert list --json` element.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(entry.id.description)), ("rule", record["rule"] ?? .null), ("scope", record["scope"] ?? .null),
            ("value", record["value"] ?? .null), ("threshold", record["threshold"] ?? .null), ("window", record["window"] ?? .null),
            ("detail", record["detail"] ?? .null), ("time", record["time"] ?? .null), ("state", .string(cleared ? "cleared" : "open")),
            ("acknowledged", .array(acknowledgements.map { .object(JSONObject([("actor", .string($0.actor)), ("time", .string($0.time)), ("reason", .string($0.reason))])) })),
        ]))
    }
}

extension Store {
    /// Every alert fired, oldest first, with its acknowledgements and whether it was cleared.
    public func alerts() throws -> [OpenAlert] {
        var alerts: [OpenAlert] = [], positions: [Digest: Int] = [:]
        try query(RecordQuery(kind: .alert), readingRecords: true) { entry in
            let record = try read(entry)
            switch record["action"]?.stringValue {
            case "fire":
                positions[entry.id] = alerts.count
                alerts.append(OpenAlert(entry: entry, record: record))
            case let action:
                guard let target = record["alert"]?.stringValue.flatMap(Digest.init), let i = positions[target] else { return true }
                if action == "clear" { alerts[i].cleared = true }
                if action == "ack" {
                    alerts[i].acknowledgements.append((record["actor"]?.stringValue ?? "?", record["time"]?.stringValue ?? "?", record["reason"]?.stringValue ?? ""))
                }
            }
            return true
        }
        return alerts
    }

    /// Evaluates the policy's rules (or the one named) over the window ending at `now` (from `since`
    /// when given, instead of each rule's own window; volume history then counts windows of that length), appends an
    /// `alert` record for each rule that starts firing and a `clear` for each open alert whose rule
    /// no longer fires (one batch), unless `dryRun`. A rule still firing is not alerted again.
    public func monitor(_ policy: MonitoringPolicy, now: Int64, since: Int64? = nil, rule name: String? = nil, dryRun: Bool, actor: String) throws -> MonitorReport {
        if let since, since >= now {
            throw LineageError.input("the window must start before it ends: \(RecordTime.format(milliseconds: since)) is not before \(RecordTime.format(milliseconds: now))")
        }
        let rules = policy.rules.filter { name == nil || $0.name == name }.map { rule in
            guard let since else { return rule }
            var widened = rule
            (widened.windowMilliseconds, widened.windowText) = (now - since, "since \(RecordTime.format(milliseconds: since))")
            return widened
        }
        if let name, rules.isEmpty {
            throw LineageError.notFound("the policy has no monitoring rule named \(Names.printable(name)); the rules are in .lineage/policy.yaml (docs/monitoring.md)")
        }
        guard !rules.isEmpty else {
            throw LineageError.notFound("the policy declares no monitoring rules; add a monitoring list to .lineage/policy.yaml (docs/monitoring.md)")
        }
        var evaluator = MonitorEvaluator(store: self, rules: rules)
        let findings = try rules.map { try evaluator.evaluate($0, now: now) }
        let open = Dictionary(try alerts().filter { !$0.cleared }.map { ("\($0.record["rule"]?.stringValue ?? "") \($0.record["scope"]?.stringValue ?? "")", $0) },
                              uniquingKeysWith: { _, latest in latest })
        var toFire: [MonitorFinding] = [], toClear: [(MonitorFinding, OpenAlert)] = [], stillOpen: [String] = []
        for finding in findings {
            let alert = open["\(finding.rule.name) \(finding.rule.scope)"]
            if finding.firing { if alert == nil { toFire.append(finding) } else { stillOpen.append(finding.rule.name) } }
            else if let alert, finding.value != nil { toClear.append((finding, alert)) }
        }
        guard !dryRun, !(toFire.isEmpty && toClear.isEmpty) else {
            return MonitorReport(findings: findings, fired: [:], cleared: [:], stillOpen: stillOpen)
        }
        let time = Int64(Date().timeIntervalSince1970 * 1000)
        let (ids, _) = try write(actor: actor) { transaction -> ([String: Digest], [String: Digest]) in
            var fired: [String: Digest] = [:], cleared: [String: Digest] = [:]
            for finding in toFire {
                var fields = Self.alertFields("fire", finding)
                fields["value"] = .number(finding.value ?? 0)
                fields["threshold"] = .number(finding.rule.threshold)
                if !finding.records.isEmpty { fields["records"] = .array(finding.records.map { .string($0.description) }) }
                fired[finding.rule.name] = try transaction.register(.alert, fields: fields, timeMilliseconds: time, actor: actor).id
            }
            for (finding, alert) in toClear {
                var fields = Self.alertFields("clear", finding)
                fields["alert"] = .string(alert.entry.id.description)
                if let value = finding.value { fields["value"] = .number(value) }
                cleared[finding.rule.name] = try transaction.register(.alert, fields: fields, timeMilliseconds: time, actor: actor).id
            }
            return (fired, cleared)
        }
        return MonitorReport(findings: findings, fired: ids.0, cleared: ids.1, stillOpen: stillOpen)
    }

    private static func alertFields(_ action: String, _ finding: MonitorFinding) -> JSONObject {
        JSONObject([("action", .string(action)), ("rule", .string(finding.rule.name)), ("scope", .string(finding.rule.scope)),
                    ("window", .object(JSONObject([("from", .string(RecordTime.format(milliseconds: finding.from))),
                                                   ("to", .string(RecordTime.format(milliseconds: finding.to)))]))),
                    ("detail", .string(finding.detail))])
    }

    /// Records that an alert was seen and why (`lineage alert ack`): a record naming it.
    public func acknowledge(_ alert: IndexedRecord, reason: String, actor: String) throws -> Digest {
        guard alert.kind == .alert, try read(alert)["action"]?.stringValue == "fire" else {
            throw LineageError.input("\(alert.id.short) is not an alert that fired; `lineage alert list` shows them")
        }
        let record = try read(alert)
        let fields = JSONObject([("action", .string("ack")), ("rule", record["rule"] ?? .string("?")), ("scope", record["scope"] ?? .string("?")),
                                 ("alert", .string(alert.id.description)), ("reason", .string(reason))])
        let (id, _) = try write(actor: actor) { transaction in
            try transaction.register(.alert, fields: fields, timeMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), actor: actor).id
        }
        return id
    }
}

/// Evaluates rules over windows of predictions read as columns (`Store.predictionColumns`): the
/// values every rule needs are read in one pass, each window once, and kept in the store's column
/// cache for the next run. What it learns of deployments is cached between rules.
struct MonitorEvaluator {
    let store: Store
    /// The value paths any rule reads (`["output", "score"]`), in a fixed order.
    let paths: [[String]]
    /// A deployment record's facts, by id: its name (`model/env`), its model's name, and its model version's id.
    private var deployments: [Digest: (name: String, model: String?, modelID: Digest?)] = [:]
    /// The deployment records of each name, oldest first: (id, time, action).
    private var histories: [String: [(id: Digest, time: Int64, action: String)]] = [:]
    private var approved: [Digest: Bool] = [:]
    /// Windows read so far, by scope and range.
    private var windows: [String: PredictionColumns] = [:]
    private var scopes: [String: [Int64]?] = [:]
    /// The rows of each window in each scope, by scope and range.
    private var scoped: [String: [Int]] = [:]

    init(store: Store, rules: [MonitoringPolicy.Rule]) {
        self.store = store
        var paths: [[String]] = []
        for rule in rules {
            for path in Self.paths(of: rule) where !paths.contains(path) { paths.append(path) }
        }
        self.paths = paths
    }

    /// The value a drift rule reads, or the output a fairness rule judges.
    private static func valuePath(_ rule: MonitoringPolicy.Rule) -> [String] {
        rule.kind == .featureDrift ? ["monitored", rule.field ?? ""] : ["output"] + (rule.field.map { [$0] } ?? [])
    }

    private static func paths(of rule: MonitoringPolicy.Rule) -> [[String]] {
        switch rule.kind {
        case .outputDrift, .featureDrift: [valuePath(rule)]
        case .fairness: [["monitored", rule.group ?? ""], valuePath(rule)]
        case .volume where rule.by != nil: [["caller"]]
        default: []
        }
    }

    /// The log positions of the records predictions in the rule's scope are served by; nil for every prediction.
    private mutating func targets(_ rule: MonitoringPolicy.Rule) throws -> [Int64]? {
        if let known = scopes[rule.scope] { return known }
        var targets: [Int64]?
        if let name = rule.deployment {
            targets = try store.lookups.records(kind: .deployment, name: name).map(\.seq)
        } else if let model = rule.model {
            targets = []
            for version in try store.lookups.records(kind: .model, name: model) {
                targets! += [version.seq] + (try store.lookups.dependents(of: version.seq).filter { $0.relation == "model" && $0.record.kind == .deployment }.map(\.record.seq))
            }
        }
        scopes[rule.scope] = .some(targets)
        return targets
    }

    /// The predictions with a time in [from, to), with every rule's values (read once for every
    /// scope), and which of them (their rows) are in the rule's scope.
    mutating func window(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> (columns: PredictionColumns, rows: [Int]) {
        let key = "\(from) \(to)"
        if windows[key] == nil {
            var columns = PredictionColumns.empty(paths: paths.count)
            if let bounds = try store.predictionBounds(since: from, until: to) {
                columns = try store.predictionColumns(paths, positions: bounds, since: from, until: to)
            }
            windows[key] = columns
        }
        let columns = windows[key]!
        guard let targets = try targets(rule) else { return (columns, columns.rows) }
        if let rows = scoped[rule.scope + " " + key] { return (columns, rows) }
        // Predictions come in runs served by one record: the last answer is usually the next one's.
        let inScope = Set(targets)
        var last: (target: Int64, in: Bool) = (-1, false)
        let rows = columns.rows.filter { row in
            let target = columns.target(row)
            if target != last.target { last = (target, inScope.contains(target)) }
            return last.in
        }
        scoped[rule.scope + " " + key] = rows
        return (columns, rows)
    }

    /// The ids of (at most 20 of) the predictions at these rows.
    private func examples(_ columns: PredictionColumns, _ rows: some Sequence<Int>) throws -> [Digest] {
        try rows.prefix(20).compactMap { try store.lookups.record(seq: columns.seq($0))?.id }
    }

    private mutating func deployment(_ id: Digest) throws -> (name: String, model: String?, modelID: Digest?) {
        if let known = deployments[id] { return known }
        let record = try store.read(id: id)
        let modelID = record["model"]?.stringValue.flatMap(Digest.init)
        let model = try modelID.flatMap { try store.lookups.record(id: $0)?.name }
        let facts = (name: try store.lookups.record(id: id)?.name ?? "?", model: model, modelID: modelID)
        deployments[id] = facts
        return facts
    }

    private mutating func inScope(_ record: Record, _ rule: MonitoringPolicy.Rule) throws -> Bool {
        if rule.deployment == nil, rule.model == nil { return true }
        if let id = record["deployment"]?.stringValue.flatMap(Digest.init) {
            let facts = try deployment(id)
            return rule.deployment.map { $0 == facts.name } ?? (facts.model == rule.model)
        }
        guard let model = rule.model, let id = record["model"]?.stringValue.flatMap(Digest.init) else { return false }
        return try store.lookups.record(id: id)?.name == model
    }

    /// The start of a drift rule's reference: a week from the scope's first deployment (or first prediction).
    private mutating func firstWeek(_ rule: MonitoringPolicy.Rule) throws -> Int64? {
        var query = RecordQuery(kind: rule.deployment == nil && rule.model == nil ? .prediction : .deployment)
        query.name = rule.deployment
        var first: Int64?
        try store.query(query) { entry in
            if query.kind == .deployment, let model = rule.model, try deployment(entry.id).model != model { return true }
            first = entry.timeMilliseconds
            return false
        }
        return first
    }

    /// A rule's reference window before `from`: the window it names, the `reference` duration before
    /// `from`, or the first week from the scope's first deployment; nil when that is not before `from`.
    private mutating func referenceRange(_ rule: MonitoringPolicy.Rule, from: Int64) throws -> (Int64, Int64)? {
        let range = try rule.referenceInterval.map { ($0.0, min($0.1, from)) } ?? rule.referenceMilliseconds.map { (from - $0, from) }
            ?? firstWeek(rule).map { ($0, min($0 + 7 * 86_400_000, from)) }
        guard let range, range.1 > range.0 else { return nil }
        return range
    }

    mutating func evaluate(_ rule: MonitoringPolicy.Rule, now: Int64) throws -> MonitorFinding {
        let from = now - rule.windowMilliseconds
        switch rule.kind {
        case .outputDrift, .featureDrift: return try drift(rule, from: from, to: now)
        case .volume, .access: return try volume(rule, from: from, to: now)
        case .governance: return try governance(rule, from: from, to: now)
        case .overrideRate: return try overrideRate(rule, from: from, to: now)
        case .fairness: return try fairness(rule, from: from, to: now)
        case .performance: return try performance(rule, from: from, to: now)
        }
    }

    /// A value read as a label: a string as itself, anything else as its canonical JSON.
    private static func label(_ value: JSONValue) -> String { value.stringValue ?? String(decoding: value.canonicalBytes, as: UTF8.self) }

    /// The fewest predictions in each window for a drift to be measured.
    static let minimumSample = 30

    private mutating func drift(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        let what = rule.kind == .featureDrift ? "monitored.\(rule.field ?? "")" : rule.field.map { "output.\($0)" } ?? "output"
        guard let (referenceFrom, referenceTo) = try referenceRange(rule, from: from) else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil, detail: "no reference window yet for \(what)", records: [])
        }
        let path = paths.firstIndex(of: Self.valuePath(rule))!
        let (current, inWindow) = try window(rule, from: from, to: to), (reference, inReference) = try window(rule, from: referenceFrom, to: referenceTo)
        let (currentRows, currentNumbers) = current.present(path, inWindow), (referenceRows, referenceNumbers) = reference.present(path, inReference)
        guard currentRows.count >= Self.minimumSample, referenceRows.count >= Self.minimumSample else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil,
                                  detail: "\(what): \(currentRows.count) values in the window and \(referenceRows.count) in the reference, fewer than \(Self.minimumSample)", records: [])
        }
        let value: Double, how: String
        if let currentNumbers, let referenceNumbers {
            value = rule.metric == "ks" ? DriftStatistics.ksStatistic(referenceNumbers, currentNumbers) : DriftStatistics.psi(reference: referenceNumbers, current: currentNumbers)
            how = rule.metric == "ks" ? "Kolmogorov–Smirnov D" : "PSI"
        } else {
            // Labels: the PSI of each label's share (a number among labels counts as its JSON text).
            func labels(_ columns: PredictionColumns, _ rows: [Int]) -> [String] {
                rows.map { row in
                    switch columns.value(path, row) {
                    case .label(let text): text
                    case .number(let number): CanonicalNumber.format(number)
                    case .missing: ""
                    }
                }
            }
            value = DriftStatistics.categoricalPSI(reference: labels(reference, referenceRows), current: labels(current, currentRows))
            how = "PSI of label shares"
        }
        let reference_ = "\(RecordTime.format(milliseconds: referenceFrom)) to \(RecordTime.format(milliseconds: referenceTo))"
        return MonitorFinding(rule: rule, from: from, to: to, value: value,
                              detail: "\(how) of \(what): \(currentRows.count) predictions in the window against \(referenceRows.count) from \(reference_)",
                              records: try examples(current, currentRows))
    }

    /// What a volume or access rule counts in [from, to): per group (one group, "", when the rule
    /// counts everything together), how many and the first 20 of them.
    private mutating func groupCounts(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> [String: (count: Int, examples: [Digest])] {
        var groups: [String: (count: Int, examples: [Digest])] = [:]
        func add(_ group: String, _ id: @autoclosure () throws -> Digest?) rethrows {
            var entry = groups[group] ?? (0, [])
            entry.count += 1
            if entry.examples.count < 20, let id = try id() { entry.examples.append(id) }
            groups[group] = entry
        }
        if rule.kind == .access {
            var query = RecordQuery(kind: .access)
            (query.since, query.until) = (from, to)
            try store.query(query, readingRecords: true) { entry in
                let record = try store.read(entry)
                guard rule.outcome.map({ $0 == (record["outcome"]?.stringValue ?? "allowed") }) ?? true else { return true }
                add(record[rule.by ?? "token"]?.stringValue ?? "(none)", entry.id)
                return true
            }
            return groups
        }
        let (columns, rows) = try window(rule, from: from, to: to)
        let caller = rule.by == nil ? nil : paths.firstIndex(of: ["caller"])
        if caller == nil { groups[""] = (rows.count, try examples(columns, rows)) }
        for row in rows where caller != nil {
            let group: String
            switch columns.value(caller!, row) {
            case .label(let text): group = text
            case .number(let number): group = CanonicalNumber.format(number)
            case .missing: group = "(none)"
            }
            try add(group, try store.lookups.record(seq: columns.seq(row))?.id)
        }
        return groups
    }

    /// Volume and access rules: each group's count in the window against its counts in the windows
    /// before (z-score), or the count itself; the value is the highest of any group.
    private mutating func volume(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        let current = try groupCounts(rule, from: from, to: to)
        let what = rule.kind == .access ? (rule.outcome.map { "\($0) reads" } ?? "reads") : "predictions"
        func named(_ group: String) -> String { group.isEmpty ? "" : "\(rule.by ?? "") \(group): " }
        guard rule.metric == "zscore" else {
            let top = current.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }
            return MonitorFinding(rule: rule, from: from, to: to, value: Double(top?.value.count ?? 0),
                                  detail: top.map { "\(named($0.key))\($0.value.count) \(what) in the window" + (rule.by == nil ? "" : " (the most of any \(rule.by!))") } ?? "no \(what) in the window",
                                  records: top?.value.examples ?? [])
        }
        // The windows before: counted by the index when nothing is grouped, else group by group.
        var history: [[String: Int]] = []
        for i in 1...rule.history {
            let end = from - Int64(i - 1) * rule.windowMilliseconds
            if rule.kind == .volume, rule.by == nil {
                history.append(["": Int(try store.predictionCount(targets: try targets(rule), since: end - rule.windowMilliseconds, until: end))])
            } else {
                history.append(try groupCounts(rule, from: end - rule.windowMilliseconds, to: end).mapValues(\.count))
            }
        }
        var top: (group: String, z: Double, count: Int, mean: Double, examples: [Digest])?
        for (group, entry) in current.sorted(by: { $0.key < $1.key }) {
            let (mean, deviation) = DriftStatistics.meanAndDeviation(history.map { Double($0[group] ?? 0) })
            // A quiet history (no spread) is read as Poisson: a deviation of at least the square root of the mean.
            let z = (Double(entry.count) - mean) / max(deviation, max(mean, 1).squareRoot())
            if top == nil || z > top!.z { top = (group, z, entry.count, mean, entry.examples) }
        }
        guard let top else {
            return MonitorFinding(rule: rule, from: from, to: to, value: 0, detail: "no \(what) in the window", records: [])
        }
        return MonitorFinding(rule: rule, from: from, to: to, value: top.z,
                              detail: "\(named(top.group))\(top.count) \(what) in the window; the \(rule.history) windows before averaged \(CanonicalNumber.format((top.mean * 10).rounded() / 10)) (z-score against them" + (rule.by == nil ? ")" : "; the highest of any \(rule.by!))"),
                              records: top.examples)
    }

    private mutating func governance(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        var reasons: [String: Int] = [:], violating: [Int] = []
        let (served, rows) = try window(rule, from: from, to: to)
        // Each serving record judged once: the deployment records of its name after it, in force
        // from their time on, and whether its model was approved.
        var judged: [Int64: (name: String, retired: Bool, later: [(time: Int64, retire: Bool)], approved: Bool)?] = [:]
        var last: (target: Int64, facts: (name: String, retired: Bool, later: [(time: Int64, retire: Bool)], approved: Bool)?) = (-1, nil)
        for row in rows {
            let target = served.target(row)
            if target != last.target {
                if judged[target] == nil { judged[target] = .some(try judge(target)) }
                last = (target, judged[target]!)
            }
            guard let facts = last.facts, let reason = Self.violation(facts, at: served.time(row)) else { continue }
            reasons[reason, default: 0] += 1
            if violating.count < 20 { violating.append(row) }
        }
        let total = reasons.values.reduce(0, +)
        return MonitorFinding(rule: rule, from: from, to: to, value: Double(total),
                              detail: total == 0 ? "no prediction served against the deployment rules" : reasons.map { "\($0.value) \($0.key)" }.sorted().joined(separator: "; "),
                              records: try examples(served, violating))
    }

    /// What governance needs of a serving record: nil for a model predicted with directly.
    private mutating func judge(_ target: Int64) throws -> (name: String, retired: Bool, later: [(time: Int64, retire: Bool)], approved: Bool)? {
        guard let entry = try store.lookups.record(seq: target), entry.kind == .deployment else { return nil }
        let facts = try deployment(entry.id)
        if histories[facts.name] == nil {
            var query = RecordQuery(kind: .deployment)
            query.name = facts.name
            var history: [(Digest, Int64, String)] = []
            try store.query(query, readingRecords: true) { deployed in
                history.append((deployed.id, deployed.timeMilliseconds, try store.read(deployed)["action"]?.stringValue ?? "deploy"))
                return true
            }
            histories[facts.name] = history.map { (id: $0.0, time: $0.1, action: $0.2) }
        }
        let history = histories[facts.name]!
        let position = history.firstIndex { $0.id == entry.id } ?? history.count
        let later = history.suffix(from: min(position + 1, history.count)).map { (time: $0.time, retire: $0.action == "retire") }
        let retired = history.indices.contains(position) && history[position].action == "retire"
        return (facts.name, retired, later, try facts.modelID.map { try isApproved($0) } ?? true)
    }

    /// Why a prediction at `time` served by a record with these facts breaks the deployment rules, if it does.
    private static func violation(_ facts: (name: String, retired: Bool, later: [(time: Int64, retire: Bool)], approved: Bool), at time: Int64) -> String? {
        if facts.retired { return "served by a retire record of \(facts.name)" }
        var superseded = false
        for later in facts.later where later.time <= time {
            if later.retire { return "served by \(facts.name) after it was retired" }
            superseded = true
        }
        if superseded { return "served by a superseded deployment of \(facts.name)" }
        return facts.approved ? nil : "served by \(facts.name), whose model has no approval"
    }

    /// The fewest reviews, and predictions per group, a rate is measured on.
    static let minimumRateSample = 10

    private mutating func overrideRate(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        var query = RecordQuery(kind: .review)
        (query.since, query.until) = (from, to)
        var reviews: [(Digest, Record)] = []
        try store.query(query, readingRecords: true) { entry in
            reviews.append((entry.id, try store.read(entry)))
            return true
        }
        var total = 0, overrides: [Digest] = []
        for (id, review) in reviews {
            guard let prediction = review["prediction"]?.stringValue.flatMap(Digest.init), try inScope(try store.read(id: prediction), rule) else { continue }
            total += 1
            if review["decision"]?.stringValue == "override" { overrides.append(id) }
        }
        guard total >= Self.minimumRateSample else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil, detail: "\(total) reviews in the window, fewer than \(Self.minimumRateSample)", records: [])
        }
        return MonitorFinding(rule: rule, from: from, to: to, value: Double(overrides.count) / Double(total),
                              detail: "\(overrides.count) of \(total) reviews overrode the prediction", records: overrides.prefix(20).map { $0 })
    }

    /// The window's reviewed predictions against their ground truth: the latest review's corrected
    /// output when it overrode, the prediction's own when confirmed. With `drop`, the value is how
    /// far the metric fell from the reference window's (fires above `drop`); without, the metric
    /// itself (fires below the threshold).
    private mutating func performance(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        let current = try performanceMetric(rule, from: from, to: to)
        guard let value = current.value else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil, detail: current.detail, records: [])
        }
        guard rule.drop != nil else { return MonitorFinding(rule: rule, from: from, to: to, value: value, detail: current.detail, records: []) }
        guard let (referenceFrom, referenceTo) = try referenceRange(rule, from: from) else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil, detail: "no reference window yet for \(rule.metric)", records: [])
        }
        let reference = try performanceMetric(rule, from: referenceFrom, to: referenceTo)
        guard let before = reference.value else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil, detail: "the reference window: \(reference.detail)", records: [])
        }
        func rounded(_ x: Double) -> String { CanonicalNumber.format((x * 10_000).rounded() / 10_000) }
        return MonitorFinding(rule: rule, from: from, to: to, value: before - value,
                              detail: "\(current.detail): \(rounded(value)) against \(rounded(before)) from \(RecordTime.format(milliseconds: referenceFrom)) to \(RecordTime.format(milliseconds: referenceTo))",
                              records: [])
    }

    /// A performance rule's metric over the reviewed predictions of [from, to), or why there is none.
    private mutating func performanceMetric(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> (value: Double?, detail: String) {
        var query = RecordQuery(kind: .review)
        query.until = to
        var truth: [Digest: JSONValue?] = [:], order: [Digest] = []
        try store.query(query, readingRecords: true) { entry in
            let review = try store.read(entry)
            if let prediction = review["prediction"]?.stringValue.flatMap(Digest.init) {
                if truth[prediction] == nil { order.append(prediction) }
                truth[prediction] = review["decision"]?.stringValue == "override" ? review["output"] : .some(nil)
            }
            return true
        }
        let field = rule.field ?? "label"
        func label(_ output: JSONValue?) -> String? {
            guard let output else { return nil }
            return (output.objectValue?[field] ?? (output.objectValue == nil ? output : nil)).map(Self.label)
        }
        var pairs: [(predicted: String, actual: String, score: Double?)] = []
        for id in order {
            guard let entry = try store.lookups.record(id: id), entry.timeMilliseconds >= from, entry.timeMilliseconds < to else { continue }
            let record = try store.read(entry)
            guard try inScope(record, rule), let reviewed = truth[id], let predicted = label(record["output"]),
                  let actual = reviewed.map(label) ?? predicted else { continue }
            pairs.append((predicted, actual, rule.score.flatMap { record["output"]?.objectValue?[$0]?.numberValue }))
        }
        guard pairs.count >= Self.minimumRateSample else {
            return (nil, "\(pairs.count) reviewed predictions in the window, fewer than \(Self.minimumRateSample)")
        }
        let positive = rule.positive ?? ""
        let truePositives = pairs.filter { $0.predicted == positive && $0.actual == positive }.count
        var value: Double?
        switch rule.metric {
        case "precision":
            let predicted = pairs.filter { $0.predicted == positive }.count
            value = predicted == 0 ? nil : Double(truePositives) / Double(predicted)
        case "recall":
            let actual = pairs.filter { $0.actual == positive }.count
            value = actual == 0 ? nil : Double(truePositives) / Double(actual)
        case "auc":
            let scored = pairs.compactMap { pair in pair.score.map { ($0, pair.actual == positive) } }
            value = DriftStatistics.auc(scored)
        default:
            value = Double(pairs.filter { $0.predicted == $0.actual }.count) / Double(pairs.count)
        }
        return (value, "\(rule.metric) over \(pairs.count) reviewed predictions" + (value == nil ? ": undefined (no positive \(positive) among them)" : ""))
    }

    private mutating func fairness(_ rule: MonitoringPolicy.Rule, from: Int64, to: Int64) throws -> MonitorFinding {
        var counts: [String: (total: Int, favourable: Int)] = [:]
        let (columns, rows) = try window(rule, from: from, to: to)
        let (groupPath, outputPath) = (paths.firstIndex(of: ["monitored", rule.group ?? ""])!, paths.firstIndex(of: Self.valuePath(rule))!)
        func label(_ value: PredictionColumns.Value) -> String? {
            switch value {
            case .label(let text): text
            case .number(let number): CanonicalNumber.format(number)
            case .missing: nil
            }
        }
        for row in rows {
            guard let key = label(columns.value(groupPath, row)) else { continue }
            let favourable = label(columns.value(outputPath, row)) == rule.favourable
            counts[key, default: (0, 0)].total += 1
            if favourable { counts[key, default: (0, 0)].favourable += 1 }
        }
        let measured = counts.filter { $0.value.total >= Self.minimumRateSample }
        guard measured.count >= 2 else {
            return MonitorFinding(rule: rule, from: from, to: to, value: nil,
                                  detail: "fewer than two values of monitored.\(rule.group ?? "") with \(Self.minimumRateSample) predictions each", records: [])
        }
        let rates = measured.mapValues { Double($0.favourable) / Double($0.total) }
        let (low, high) = (rates.min { $0.value < $1.value }!, rates.max { $0.value < $1.value }!)
        let disparity = high.value == 0 ? 0 : 1 - low.value / high.value
        func percent(_ rate: Double) -> String { CanonicalNumber.format((rate * 1000).rounded() / 10) + "%" }
        return MonitorFinding(rule: rule, from: from, to: to, value: disparity,
                              detail: "favourable (\(rule.favourable ?? "")) rate \(percent(low.value)) for \(rule.group ?? "")=\(low.key) against \(percent(high.value)) for \(high.key): a ratio of \(CanonicalNumber.format((low.value / max(high.value, 1e-12) * 1000).rounded() / 1000))",
                              records: [])
    }

    private mutating func isApproved(_ model: Digest) throws -> Bool {
        if let known = approved[model] { return known }
        guard let entry = try store.lookups.record(id: model) else { return false }
        var query = RecordQuery(kind: .approval)
        query.linkedTo = [entry.seq]
        var found = false
        try store.query(query) { _ in found = true; return false }
        approved[model] = found
        return found
    }
}
