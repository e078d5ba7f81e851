import Foundation
import LineageCore
import LineageStore

/// One NDJSON input line, validated on its own, on its way into a batch. A class: lines are handed
/// between threads and kept in batches, and a copy then costs one reference count.
/// Unchecked Sendable: a line is written by one thread at a time, handed on through the pipeline's
/// lock (`IngestPipeline`), which orders the preparing thread's writes before the admitting thread's.
final class IngestLine: @unchecked Sendable {
    let line: Int
    let text: [UInt8]
    let kind: RecordKind
    /// The record's fields, links resolved to ids once `unresolved` is false.
    var fields: JSONObject
    /// Raw prediction payloads committed to.
    let payloads: [CommittedPayload]
    /// True while some link still needs the store to resolve.
    var unresolved: Bool
    /// The record, built up front for kinds the store does not number (all but datasets and models).
    var record: Record?
    /// The record's Merkle leaf hash.
    var leaf: [UInt8]?
    /// True when the line named a link target (not by id): the name was resolved with the
    /// references of `generation`, which a record landing later in the input may make stale.
    var namedLinks = false
    var generation = 0
    /// For a line read without a tree (see `Record.make(scanning:)`): the record's members the line
    /// did not give. Its `fields` are then empty.
    private var notGiven: [String]?

    init(line: Int, text: [UInt8], kind: RecordKind, fields: JSONObject, payloads: [CommittedPayload]) {
        self.line = line
        self.text = text
        self.kind = kind
        self.fields = fields
        self.payloads = payloads
        unresolved = true
    }

    /// The fields as given (links resolved), without the commitments made here: each is made under
    /// a fresh salt, so a prediction given again is compared without them (`isGivenAgain` checks the
    /// payloads against the record's commitments under their stored salts).
    var given: JSONObject {
        if let notGiven, let record {
            var given = record.object
            for name in notGiven { given[name] = nil }
            return given
        }
        var given = fields
        for payload in payloads {
            for member in fields where member.value.stringValue == payload.commitment.description { given[member.key] = nil }
        }
        return given
    }

    /// Link references already resolved, shared between the thread that admits lines and those that
    /// prepare them. Unchecked Sendable: its table and generation are read and written under `lock`;
    /// `subjects` is immutable.
    final class References: @unchecked Sendable {
        /// Hashes data subjects with the store's key; immutable, so safe on any thread.
        let subjects: SubjectHasher
        private let lock = NSLock()
        private var known: [String: (Digest, RecordKind)] = [:]
        private var current = 0

        init(subjects: SubjectHasher) { self.subjects = subjects }

        subscript(reference: String) -> (Digest, RecordKind)? {
            get { lock.withLock { known[reference] } }
            set { lock.withLock { known[reference] = newValue } }
        }

        /// Counts the times names were forgotten: a line resolved under an older generation is
        /// prepared again.
        var generation: Int { lock.withLock { current } }

        /// Forgets every name, once a record that a name may now resolve to (a new deployment,
        /// model version, dataset) has landed.
        func forgetNames() {
            lock.withLock {
                known.removeAll()
                current += 1
            }
        }
    }

    /// Parses and validates one line with no store at hand: links found in `references` are
    /// resolved, and if all are, the record is built. Nil for a blank line. Safe on any thread.
    static func prepare(_ line: LineReader.Line, actor: String, references: References) throws -> IngestLine? {
        let number: Int, bytes: [UInt8]
        switch line {
        case .tooLong(let n, let length):
            throw IngestLineError(line: n, reason: "the line is \(length) bytes long, more than --max-line-bytes allows", text: [])
        case .unterminated(let b, let n):
            if (try? JSONParser.parse(b)) == nil {
                throw IngestLineError(line: n, reason: "the last line is cut off: it has no newline and is not complete JSON", text: b)
            }
            (number, bytes) = (n, b)
        case .text(let b, let n):
            (number, bytes) = (n, b)
        }
        if LineReader.isBlank(bytes) { return nil }
        do {
            return try prepare(bytes, line: number, actor: actor, references: references)
        } catch {
            throw lineError(error, line: number, text: bytes)
        }
    }

    private static func prepare(_ bytes: [UInt8], line: Int, actor: String, references: References) throws -> IngestLine {
        let generation = references.generation
        var named = false
        let item = try prepare(bytes, line: line, actor: actor, subjects: references.subjects) { reference in
            if Digest(reference) == nil { named = true }
            return references[reference]
        }
        item.namedLinks = named
        item.generation = generation
        return item
    }

    private static func prepare(_ bytes: [UInt8], line: Int, actor: String, subjects: SubjectHasher,
                                references: (String) -> (Digest, RecordKind)?) throws -> IngestLine {
        if let scanned = prepareScanned(bytes, line: line, actor: actor, subjects: subjects, references: references) { return scanned }
        guard var fields = try JSONParser.parse(bytes).objectValue else {
            throw IngestLineError(line: line, reason: "a line must hold one JSON object", text: bytes)
        }
        let kindName = fields["kind"]?.stringValue ?? "prediction"
        guard let kind = RecordKind(rawValue: kindName) else {
            throw RecordError("unknown record kind \(Names.printable(kindName))")
        }
        fields["kind"] = nil
        var payloads: [CommittedPayload] = []
        if kind == .prediction {
            payloads = try IngestLine.commitPayloads(&fields)
            if let subject = fields["subject"]?.stringValue { fields["subject"] = .string(subjects.keyed(subject)) }
        }
        let item = IngestLine(line: line, text: bytes, kind: kind, fields: fields, payloads: payloads)
        if try LinkResolver.resolve(&item.fields, kind: kind, target: references) { try item.build(actor: actor) }
        return item
    }

    /// Replaces a prediction's raw payloads by their commitments and returns them: `input` or
    /// `outputPayload` given as any JSON other than a commitment (a string is taken as its UTF-8
    /// bytes, anything else as its canonical JSON), or as bytes in base64 (`inputBase64`,
    /// `outputPayloadBase64`, for binary payloads).
    static func commitPayloads(_ fields: inout JSONObject) throws -> [CommittedPayload] {
        var payloads: [CommittedPayload] = []
        for field in ["input", "outputPayload"] {
            let encoded = field + "Base64"
            if let base64 = fields[encoded] {
                guard fields[field] == nil else { throw RecordError("give \(field) or \(encoded), not both") }
                guard let text = base64.stringValue, let data = Data(base64Encoded: text) else {
                    throw RecordError("\(encoded) must be a string of base64")
                }
                fields[encoded] = nil
                let payload = CommittedPayload(field: field, bytes: Array(data))
                fields[field] = .string(payload.commitment.description)
                payloads.append(payload)
                continue
            }
            guard let value = fields[field], value.stringValue.flatMap({ Digest($0) }) == nil else { continue }
            let payload = CommittedPayload(field: field, bytes: value.stringValue.map { Array($0.utf8) } ?? value.canonicalBytes)
            fields[field] = .string(payload.commitment.description)
            payloads.append(payload)
        }
        return payloads
    }

    /// A line already in canonical form whose links are known, built without a JSON tree; nil
    /// for any other line.
    private static func prepareScanned(_ bytes: [UInt8], line: Int, actor: String, subjects: SubjectHasher,
                                       references: (String) -> (Digest, RecordKind)?) -> IngestLine? {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var payloads: [CommittedPayload] = []
        guard let (record, added) = Record.make(scanning: bytes, defaultKind: .prediction, timeMilliseconds: now, actor: actor, resolve: { reference, allowed in
            references(reference).flatMap { id, kind in allowed.contains(kind) ? id : nil }
        }, raw: { field, value in
            if field == "subject" { return subjects.hash(String(decoding: value, as: UTF8.self)) }
            let payload = CommittedPayload(field: field, bytes: value)
            payloads.append(payload)
            return payload.commitment.description
        }) else { return nil }
        let item = IngestLine(line: line, text: bytes, kind: record.kind, fields: JSONObject(), payloads: payloads)
        item.record = record
        item.leaf = Merkle.leafHash(record.canonicalBytes)
        item.unresolved = false
        item.notGiven = ["kind"] + added
        return item
    }

    /// Builds the record (or, for numbered kinds, checks that it would build) once links are resolved.
    func build(actor: String) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        unresolved = false
        if kind.isVersioned {
            var check = fields
            if check["version"] == nil { check["version"] = .number(1) }
            _ = try Record.make(kind, fields: check, timeMilliseconds: now, actor: actor)
        } else {
            let record = try Record.make(kind, fields: fields, timeMilliseconds: now, actor: actor)
            self.record = record
            leaf = Merkle.leafHash(record.canonicalBytes)
        }
    }

    /// The line error for a failure while validating line `line`.
    static func lineError(_ error: any Error, line: Int, text: [UInt8]) -> any Error {
        switch error {
        case let error as IngestLineError: error
        case let error as JSONError: IngestLineError(line: line, reason: "invalid JSON: \(error.reason) at column \(error.column)", text: text)
        case let error as RecordError: IngestLineError(line: line, reason: error.message, text: text)
        case let error as LineageError where error.kind != .storage: IngestLineError(line: line, reason: error.message, text: text)
        default: error
        }
    }
}
