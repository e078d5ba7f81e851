/// The fields each kind of record has (schema version 1). docs/records.md describes them for users.
public final class RecordSchema: Sendable {
    /// One field of a record.
    public struct Field: Sendable {
        /// The field's name.
        public let name: String
        /// What values the field takes.
        public let type: FieldType
        /// True when every record of the kind must have it.
        public let required: Bool
    }

    /// The current record schema version.
    public static let version: Int64 = 1

    /// The kind this schema describes.
    public let kind: RecordKind
    /// Fields in display order, common fields first.
    public let fields: [Field]

    /// Fields that hold links, in schema order.
    public let linkFields: [Field]
    private let byName: [String: Field]
    /// What `Record.scanned` keeps of a field's value beyond checking it: worked out once per
    /// schema, so that reading a record compares no field names as text.
    enum ScanRole {
        /// Only checked.
        case check
        /// `kind`: already read (and so checked) before the walk.
        case kind
        /// A prediction's `predictionId` or `subject`.
        case predictionID, subject
        /// The record's own `time` (other time fields are only checked).
        case time
        /// A link: a prediction's `deployment` or `model` (exactly one of them), or any other.
        case deployment, model, link
    }

    /// Fields in the order of their names' bytes (canonical member order: names are ASCII).
    let sortedFields: [(name: [UInt8], field: Field, role: ScanRole)]

    init(kind: RecordKind, fields: [Field]) {
        self.kind = kind
        self.fields = fields
        linkFields = fields.filter { $0.type.isLink }
        byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        sortedFields = fields.map { (Array($0.name.utf8), $0, RecordSchema.scanRole(of: $0, in: kind)) }
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    private static func scanRole(of field: Field, in kind: RecordKind) -> ScanRole {
        switch (field.type, field.name) {
        case (_, "kind"): .kind
        case (.predictionID, _) where kind == .prediction: .predictionID
        case (.subject, _) where kind == .prediction: .subject
        case (.time, "time"): .time
        case (.link, "deployment") where kind == .prediction: .deployment
        case (.link, "model") where kind == .prediction: .model
        case (.link, _): .link
        default: .check
        }
    }

    /// The field called `name`, if this kind has one.
    public func field(_ name: String) -> Field? { byName[name] }

    /// The schema of `kind`.
    public static func of(_ kind: RecordKind) -> RecordSchema { all[kind.ordinal] }

    /// By `RecordKind.ordinal`: asked for for every record read, so not through a dictionary.
    private static let all: [RecordSchema] = RecordKind.allCases.map { RecordSchema(kind: $0, fields: common + specific($0)) }

    private static func req(_ name: String, _ type: FieldType) -> Field { Field(name: name, type: type, required: true) }
    private static func opt(_ name: String, _ type: FieldType) -> Field { Field(name: name, type: type, required: false) }

    private static let common: [Field] = [
        req("kind", .choice(RecordKind.allCases.map(\.rawValue))),
        req("schemaVersion", .integer(minimum: 1)),
        req("time", .time),
        req("actor", .string),
        opt("tags", .object),
    ]

    private static let execution: [Field] = [
        opt("command", .command), opt("code", .code), opt("params", .object), opt("environment", .object),
        opt("startedAt", .time), opt("endedAt", .time), opt("exitStatus", .integer(minimum: Int64.min)),
    ]

    private static func specific(_ kind: RecordKind) -> [Field] {
        switch kind {
        case .dataset:
            [req("name", .name), req("version", .integer(minimum: 1)), req("digest", .digest),
             opt("size", .integer(minimum: 0)), opt("files", .integer(minimum: 0)), opt("uri", .string),
             opt("format", .string), opt("license", .string), opt("dataSchema", .any),
             opt("externalDigests", .digests), opt("derivedFrom", .link([.transform, .run]))]
        case .transform:
            [req("name", .name)] + execution + [opt("inputs", .links([.dataset]))]
        case .run:
            [req("name", .name)] + execution
                + [opt("metrics", .object), opt("status", .choice(["succeeded", "failed", "running"])),
                   opt("error", .string), opt("durationMs", .number), opt("inputs", .links([.dataset]))]
        case .model:
            [req("name", .name), req("version", .integer(minimum: 1)), req("digest", .digest),
             opt("size", .integer(minimum: 0)), opt("format", .string), opt("uri", .string),
             opt("externalDigests", .digests), opt("producedBy", .link([.run]))]
        case .deployment:
            [req("model", .link([.model])), req("environment", .name),
             req("action", .choice(["deploy", "rollback", "retire"])), opt("endpoint", .string),
             opt("approver", .string), opt("approval", .link([.approval])), opt("supersedes", .link([.deployment]))]
        case .approval:
            [req("model", .link([.model])), req("approver", .string), req("purpose", .string), opt("reason", .string)]
        case .prediction:
            [req("predictionId", .predictionID), opt("deployment", .link([.deployment])), opt("model", .link([.model])),
             opt("input", .commitment), opt("output", .any), opt("outputPayload", .commitment),
             opt("explanation", .object), opt("latencyMs", .number), opt("caller", .string),
             opt("session", .string), opt("request", .string), opt("subject", .subject), opt("monitored", .object)]
        case .review:
            [req("prediction", .link([.prediction])), req("reviewer", .string),
             req("decision", .choice(["confirm", "override"])), opt("reason", .string), opt("output", .any)]
        case .access:
            [req("action", .choice(["show", "trace", "query", "prove", "export", "impact", "diff", "checkpoint", "key", "verify", "ingest", "log", "payload"])),
             req("interface", .string), opt("records", .links(RecordKind.allCases)), opt("query", .string),
             opt("role", .string), opt("token", .string), opt("purpose", .string), opt("request", .string), opt("client", .string),
             opt("outcome", .choice(["allowed", "denied"])), opt("status", .integer(minimum: 100))]
        case .erasure:
            [req("commitments", .any), req("reason", .string), opt("policy", .string),
             req("records", .links(RecordKind.allCases)), opt("overrideHold", .boolean)]
        case .hold:
            [req("action", .choice(["add", "release"])), req("reason", .string),
             opt("prediction", .link([.prediction])), opt("deployment", .link([.deployment])), opt("model", .link([.model])),
             opt("subject", .subject), opt("hold", .link([.hold]))]
        case .alert:
            [req("action", .choice(["fire", "clear", "ack"])), req("rule", .string), req("scope", .string),
             opt("window", .object), opt("value", .number), opt("threshold", .number), opt("detail", .string),
             opt("records", .links(RecordKind.allCases)), opt("alert", .link([.alert])), opt("reason", .string)]
        }
    }

    /// Checks every field of `object` against this schema; names the first field that is wrong.
    public func validate(_ object: JSONObject) throws(RecordError) {
        for member in object {
            guard let field = field(member.key) else {
                throw RecordError("a \(kind) record has no field '\(member.key)'; see `lineage record \(kind) --help` or docs/records.md")
            }
            try field.type.check(member.value, field: member.key)
        }
        for field in fields where field.required && object[field.name] == nil {
            throw RecordError("a \(kind) record needs the field '\(field.name)'")
        }
        if object["schemaVersion"]?.integerValue != RecordSchema.version {
            throw RecordError("schemaVersion \(object["schemaVersion"]?.integerValue ?? 0) is not supported; this lineage writes version \(RecordSchema.version)")
        }
        if kind == .prediction, (object["deployment"] == nil) == (object["model"] == nil) {
            throw RecordError("a prediction record needs exactly one of 'deployment' or 'model'")
        }
        if kind == .alert {
            let action = object["action"]?.stringValue
            if action == "fire", object["value"] == nil || object["threshold"] == nil || object["alert"] != nil {
                throw RecordError("an alert that fires states its 'value' and 'threshold', and names no other alert")
            }
            if action != "fire", object["alert"] == nil {
                throw RecordError("an alert's \(action ?? "") names the alert it concerns in 'alert'")
            }
            if action == "ack", object["reason"] == nil { throw RecordError("acknowledging an alert needs a 'reason'") }
        }
        if kind == .hold {
            let scopes = ["prediction", "deployment", "model", "subject"].filter { object[$0] != nil }
            if object["action"]?.stringValue == "add", scopes.count != 1 || object["hold"] != nil {
                throw RecordError("a hold needs exactly one of 'prediction', 'deployment', 'model' or 'subject'")
            }
            if object["action"]?.stringValue == "release", object["hold"] == nil || !scopes.isEmpty {
                throw RecordError("a hold release names the hold it releases in 'hold', and nothing else")
            }
        }
    }
}
