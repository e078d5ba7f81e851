import Foundation

/// A payload handed to someone outside the store (an auditor, a data subject) with what they need
/// to check it against a record's commitment: `SHA-256(salt || payload)` must be the commitment in
/// the record's field. Checked against a verified evidence bundle, it proves the payload is what
/// the signed log committed to. docs/evidence-bundle.md describes the format.
public struct PayloadEvidence: Sendable, Equatable {
    /// The format identifier written in every payload file.
    public static let format = "lineage-payload/1"

    /// The record whose field commits to the payload.
    public let record: Digest
    /// The field holding the commitment (`input`, `outputPayload`).
    public let field: String
    /// The commitment, as the record holds it.
    public let commitment: Digest
    /// The salt of the commitment.
    public let salt: [UInt8]
    /// The payload's bytes.
    public let payload: [UInt8]

    /// Creates payload evidence from its parts.
    public init(record: Digest, field: String, commitment: Digest, salt: [UInt8], payload: [UInt8]) {
        self.record = record
        self.field = field
        self.commitment = commitment
        self.salt = salt
        self.payload = payload
    }

    /// The file's JSON: `{"format", "record", "field", "commitment", "salt" (hex), "payload" (base64)}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("format", .string(Self.format)), ("record", .string(record.description)), ("field", .string(field)),
            ("commitment", .string(commitment.description)), ("salt", .string(Hex.encode(salt))),
            ("payload", .string(Data(payload).base64EncodedString())),
        ]))
    }

    /// Reads payload evidence, checking its shape (not yet the commitment).
    public init(json value: JSONValue) throws(RecordError) {
        guard let object = value.objectValue, object["format"]?.stringValue == Self.format else {
            throw RecordError("not a payload file: it needs \"format\": \"\(Self.format)\" (write one with `lineage payload export`)")
        }
        let known: Set<String> = ["format", "record", "field", "commitment", "salt", "payload"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw RecordError("the payload file has an unknown member \(Names.printable(unknown))")
        }
        guard let record = object["record"]?.stringValue.flatMap({ Digest($0) }),
              let field = object["field"]?.stringValue, !field.isEmpty,
              let commitment = object["commitment"]?.stringValue.flatMap({ Digest($0) }),
              let salt = object["salt"]?.stringValue.flatMap({ Hex.decode($0) }), salt.count == Commitment.saltLength,
              let payload = object["payload"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
            throw RecordError("the payload file needs record and commitment (sha256:…), field, salt (64 hex digits) and payload (base64)")
        }
        self.init(record: record, field: field, commitment: commitment, salt: salt, payload: Array(payload))
    }

    /// Checks the payload against `record`, which must be the record this evidence names and hold
    /// its commitment in `field`; throws the first thing that does not hold.
    public func check(against record: Record) throws(RecordError) {
        guard record.id == self.record else {
            throw RecordError("the payload file is for record \(self.record), not \(record.id)")
        }
        guard record.object[field]?.stringValue == commitment.description else {
            throw RecordError("record \(record.id) does not hold commitment \(commitment) in its field \(Names.printable(field))")
        }
        guard Commitment.commit(payload: payload, salt: salt) == commitment else {
            throw RecordError("the payload does not match its commitment: SHA-256(salt || payload) is not \(commitment)")
        }
    }
}
