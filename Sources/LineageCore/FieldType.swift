/// The type of one record field, and how a value of it is checked.
public enum FieldType: Sendable {
    case string
    case name
    case predictionID
    case integer(minimum: Int64)
    case number
    case boolean
    case object
    case any
    case time
    case digest
    /// A salted SHA-256 commitment to a payload kept outside the log.
    case commitment
    /// A data subject's keyed hash (`hmac-sha256:<64 hex>`, see `SubjectHasher`).
    case subject
    case choice([String])
    /// A string, or an array of strings (a command's argv).
    case command
    /// `{repo, commit, path, dirty}`: where code came from.
    case code
    case digests
    case link([RecordKind])
    case links([RecordKind])

    /// True for fields whose values are ids of other records.
    public var isLink: Bool {
        switch self {
        case .link, .links: true
        default: false
        }
    }

    func check(_ value: JSONValue, field: String) throws(RecordError) {
        func fail(_ expected: String) -> RecordError {
            RecordError("field '\(field)' must be \(expected), not \(value.typeName)")
        }
        switch self {
        case .string:
            guard value.stringValue != nil else { throw fail("a string") }
        case .name:
            guard let s = value.stringValue else { throw fail("a string") }
            try Names.validate(s, what: "'\(field)'")
        case .predictionID:
            guard let s = value.stringValue else { throw fail("a string") }
            try Names.validatePredictionID(s)
        case .integer(let minimum):
            guard let n = value.integerValue else { throw fail("an integer") }
            guard n >= minimum else { throw RecordError("field '\(field)' must be at least \(minimum), not \(n)") }
        case .number:
            guard value.numberValue != nil else { throw fail("a number") }
        case .boolean:
            guard case .bool = value else { throw fail("true or false") }
        case .object:
            guard value.objectValue != nil else { throw fail("an object") }
        case .any:
            break
        case .time:
            guard let s = value.stringValue else { throw fail("a timestamp string") }
            guard RecordTime.parse(s) != nil else {
                throw RecordError("field '\(field)' must be a UTC timestamp like 2026-01-31T12:00:00.000Z, not \(Names.printable(s))")
            }
        case .digest, .commitment:
            guard let s = value.stringValue else { throw fail("a sha256:<hex> string") }
            guard Digest(s) != nil else {
                throw RecordError("field '\(field)' must be sha256: followed by 64 lower-case hex digits, not \(Names.printable(s))")
            }
        case .subject:
            guard let s = value.stringValue else { throw fail("a string (the data subject's id)") }
            guard SubjectHasher.isKeyed(s) else {
                throw RecordError("field '\(field)' must be a keyed hash (hmac-sha256:<64 hex>); give the subject's id to `lineage ingest` or `lineage record` and they store its keyed hash")
            }
        case .choice(let options):
            guard let s = value.stringValue, options.contains(s) else {
                throw RecordError("field '\(field)' must be one of \(options.joined(separator: ", "))")
            }
        case .command:
            if value.stringValue != nil { return }
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw fail("a string or an array of strings")
            }
        case .code:
            guard let object = value.objectValue else { throw fail("an object {repo, commit, path, dirty}") }
            for member in object {
                switch member.key {
                case "repo", "commit", "path", "diffDigest", "branch":
                    guard member.value.stringValue != nil else {
                        throw RecordError("field '\(field).\(member.key)' must be a string")
                    }
                case "dirty":
                    guard case .bool = member.value else { throw RecordError("field '\(field).dirty' must be true or false") }
                default:
                    throw RecordError("field '\(field)' has an unknown member '\(member.key)': use repo, commit, path, dirty, branch, diffDigest")
                }
            }
        case .digests:
            guard let object = value.objectValue, object.allSatisfy({ $0.value.stringValue != nil }) else {
                throw fail("an object of algorithm to digest strings")
            }
        case .link:
            guard let s = value.stringValue else { throw fail("a record id") }
            guard Digest(s) != nil else {
                throw RecordError("field '\(field)' must be a full record id (sha256:<64 hex>), not \(Names.printable(s))")
            }
        case .links:
            guard let items = value.arrayValue else { throw fail("an array of record ids") }
            for item in items {
                guard let s = item.stringValue, Digest(s) != nil else {
                    throw RecordError("field '\(field)' must hold full record ids (sha256:<64 hex>)")
                }
            }
        }
    }
}

extension FieldType {
    /// What the fast scan learns of a valid value: for times and ids, the value itself.
    enum Scanned {
        case valid
        case time(Int64)
        case digest(Digest)
    }

    /// The same rules as `check`, for a value the fast scan read in canonical form (`text`: a
    /// string's contents, nil for other values): nil when the value is not valid or needs the full
    /// path (which then names what is wrong). Kept beside `check` so that a rule changes in one place.
    func scanned(_ text: UnsafeBufferPointer<UInt8>?, _ type: CanonicalScan.Value, field: String) -> Scanned? {
        switch self {
        case .string: return text != nil ? .valid : nil
        case .any: return .valid
        case .predictionID: return text.map(Names.isAllowedPredictionID) == true ? .valid : nil
        case .name: return text.map { (try? Names.validate(String(decoding: $0, as: UTF8.self), what: "")) != nil } == true ? .valid : nil
        case .integer(let minimum):
            guard case .integer(let n) = type, n >= minimum, field != "schemaVersion" || n == RecordSchema.version else { return nil }
            return .valid
        case .number: return type.isNumber ? .valid : nil
        case .boolean: return type == .bool ? .valid : nil
        case .object: return type == .object ? .valid : nil
        case .time: return text.flatMap { RecordTime.parse(utf8: $0) }.map(Scanned.time)
        case .digest, .commitment, .link: return text.flatMap { Digest(utf8: $0) }.map(Scanned.digest)
        case .subject: return text.map { SubjectHasher.isKeyed(String(decoding: $0, as: UTF8.self)) } == true ? .valid : nil
        case .choice(let options): return text.map { value in options.contains { Bytes.order($0.utf8, value) == 0 } } == true ? .valid : nil
        case .command, .code, .digests, .links: return nil
        }
    }
}
