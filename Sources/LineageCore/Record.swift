import Synchronization

/// One immutable fact in the log: a validated JSON object, its canonical bytes and its id.
///
/// The id is `sha256:<hex>` of the RFC 8785 canonical bytes. Links are ids of other records, so a
/// record's id covers its whole upstream.
public struct Record: Sendable {
    /// A link from this record to another.
    public struct Link: Sendable, Hashable {
        /// The field the link sits in, e.g. `inputs`, `producedBy`.
        public let relation: String
        /// The id linked to.
        public let target: Digest
    }

    /// The record's parts, in one shared box: a copy of a record costs one reference count.
    final class Storage: Sendable {
        let kind: RecordKind
        let canonicalBytes: [UInt8]
        let id: Digest
        let links: [Link]
        let predictionID: String?
        /// A prediction's `subject` (kept so that indexing a prediction never parses it).
        let subject: String?
        let timeMilliseconds: Int64
        /// The record object: given, or parsed from the canonical bytes when first asked for.
        private let parsed: Mutex<JSONObject?>

        init(kind: RecordKind, object: JSONObject, canonicalBytes: [UInt8]) {
            self.kind = kind
            self.canonicalBytes = canonicalBytes
            id = Digest(hashing: canonicalBytes)
            links = Record.links(kind: kind, object: object)
            predictionID = kind == .prediction ? object["predictionId"]?.stringValue : nil
            subject = kind == .prediction ? object["subject"]?.stringValue : nil
            timeMilliseconds = object["time"]?.stringValue.flatMap(RecordTime.parse) ?? 0
            parsed = Mutex(object)
        }

        /// A record read by `CanonicalScan`, whose object is parsed only if asked for.
        init(kind: RecordKind, canonicalBytes: [UInt8], links: [Link], predictionID: String?, subject: String?, timeMilliseconds: Int64) {
            self.kind = kind
            self.canonicalBytes = canonicalBytes
            id = Digest(hashing: canonicalBytes)
            self.links = links
            self.predictionID = predictionID
            self.subject = subject
            self.timeMilliseconds = timeMilliseconds
            parsed = Mutex(nil)
        }

        var object: JSONObject {
            parsed.withLock { object in
                if let object { return object }
                // The scan accepted these bytes, and the parser accepts all it accepts.
                guard case .object(let parsed)? = try? JSONParser.parse(canonicalBytes) else {
                    preconditionFailure("canonical record bytes did not parse")
                }
                object = parsed
                return parsed
            }
        }
    }

    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// What kind of fact this is.
    public var kind: RecordKind { storage.kind }
    /// The validated record object.
    public var object: JSONObject { storage.object }
    /// The RFC 8785 canonical bytes: what the id and the Merkle leaf are computed over.
    public var canonicalBytes: [UInt8] { storage.canonicalBytes }
    /// `sha256:` of the canonical bytes.
    public var id: Digest { storage.id }
    /// Every link this record makes, in schema order.
    public var links: [Link] { storage.links }
    /// The caller's prediction id, for predictions.
    public var predictionID: String? { storage.predictionID }
    /// A prediction's data subject (`subject`), if it names one.
    public var subject: String? { storage.subject }
    /// The record time in milliseconds since 1970.
    public var timeMilliseconds: Int64 { storage.timeMilliseconds }

    /// Validates `object` against its kind's schema and computes its canonical bytes and id.
    public init(_ object: JSONObject) throws(RecordError) {
        guard let kindName = object["kind"]?.stringValue else {
            throw RecordError("a record needs a 'kind' string: one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = RecordKind(rawValue: kindName) else {
            throw RecordError("unknown record kind \(Names.printable(kindName)): use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try RecordSchema.of(kind).validate(object)
        self.init(kind: kind, object: object, canonicalBytes: JSONValue.object(object).canonicalBytes)
    }

    /// Computes what every reader of a record asks for once: its id, links, prediction id and time.
    private init(kind: RecordKind, object: JSONObject, canonicalBytes: [UInt8]) {
        storage = Storage(kind: kind, object: object, canonicalBytes: canonicalBytes)
    }

    /// Reads a record from its canonical bytes, refusing bytes that are not exactly canonical.
    public init(canonicalBytes bytes: [UInt8]) throws(RecordError) {
        if let scanned = Record.scanned(bytes) {
            self = scanned
            return
        }
        try self.init(try Record.object(bytes))
        guard canonicalBytes == bytes else { throw RecordError("record bytes are not in canonical form") }
    }

    /// Reads a record from bytes the log already holds, checking only that they are a JSON object of
    /// a known kind: for rebuilding the index, where `verify`, not the reader, checks the log.
    public init(storedBytes bytes: [UInt8]) throws(RecordError) {
        if let scanned = Record.scanned(bytes) {
            self = scanned
            return
        }
        let object = try Record.object(bytes)
        guard let kind = object["kind"]?.stringValue.flatMap(RecordKind.init(rawValue:)) else {
            throw RecordError("a record needs a known 'kind'")
        }
        self.init(kind: kind, object: object, canonicalBytes: bytes)
    }

    /// The JSON object in a record's bytes.
    private static func object(_ bytes: [UInt8]) throws(RecordError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw RecordError("record bytes are not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw RecordError("a record must be a JSON object") }
        return object
    }

    /// Builds a record of `kind` from `fields`, stamping the common fields.
    public static func make(
        _ kind: RecordKind, fields: JSONObject, timeMilliseconds: Int64, actor: String
    ) throws(RecordError) -> Record {
        var object = fields
        if let given = object["schemaVersion"], given != .number(Double(RecordSchema.version)) {
            throw RecordError("schemaVersion \(given.canonicalString) is not one this lineage writes: give \(RecordSchema.version), or leave it out")
        }
        // Times may be given in any RFC 3339 form; records hold them as UTC milliseconds.
        for field in RecordSchema.of(kind).fields {
            guard case .time = field.type, let text = object[field.name]?.stringValue, RecordTime.parse(text) == nil else { continue }
            guard let milliseconds = RecordTime.parseRFC3339(text) else {
                throw RecordError("field '\(field.name)' must be an RFC 3339 time like 2026-01-31T12:00:00Z (fractions and offsets allowed), not \(Names.printable(text))")
            }
            object[field.name] = .string(RecordTime.format(milliseconds: milliseconds))
        }
        object["kind"] = .string(kind.rawValue)
        object["schemaVersion"] = .number(Double(RecordSchema.version))
        if object["time"] == nil { object["time"] = .string(RecordTime.format(milliseconds: timeMilliseconds)) }
        if object["actor"] == nil { object["actor"] = .string(actor) }
        return try Record(object)
    }

    /// The value of a field.
    public subscript(field: String) -> JSONValue? { object[field] }

    /// The record's name, for named kinds.
    public var name: String? { kind.isNamed ? object["name"]?.stringValue : nil }

    /// The per-name version of a dataset or model.
    public var version: Int? { kind.isVersioned ? object["version"]?.integerValue.map(Int.init) : nil }

    /// The artifact digest of a dataset or model (its `digest` field).
    public var artifactDigest: Digest? { kind.isVersioned ? object["digest"]?.stringValue.flatMap { Digest($0) } : nil }

    fileprivate static func links(kind: RecordKind, object: JSONObject) -> [Link] {
        var result: [Link] = []
        for field in RecordSchema.of(kind).linkFields {
            switch object[field.name] {
            case .string(let s)?:
                if let d = Digest(s) { result.append(Link(relation: field.name, target: d)) }
            case .array(let items)?:
                for case .string(let s) in items {
                    if let d = Digest(s) { result.append(Link(relation: field.name, target: d)) }
                }
            default: break
            }
        }
        return result
    }

    /// The commitments an `erasure` record names as erased (empty for other records).
    public var erasedCommitments: Set<Digest> {
        guard kind == .erasure else { return [] }
        return Set(object["commitments"]?.arrayValue?.compactMap { $0.stringValue.flatMap { Digest($0) } } ?? [])
    }

    /// Payload commitments this record holds (prediction inputs and outputs).
    public var commitments: [(field: String, digest: Digest)] {
        RecordSchema.of(kind).fields.compactMap { field in
            guard case .commitment = field.type, let s = object[field.name]?.stringValue, let d = Digest(s) else {
                return nil
            }
            return (field.name, d)
        }
    }
}
