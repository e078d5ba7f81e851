import Crypto

/// Salted commitments to payloads that may hold personal data.
///
/// The log keeps only `SHA-256(salt || payload)`; the salt and payload live in the erasable
/// payload store. Without the salt, the commitment reveals nothing about a guessable payload.
public enum Commitment {
    /// The salt length in bytes.
    public static let saltLength = 32

    /// The commitment to `payload` under `salt`.
    public static func commit(payload: [UInt8], salt: [UInt8]) -> Digest {
        var digest = StreamingDigest()
        digest.update(salt)
        digest.update(payload)
        return digest.finalize()
    }
}

/// Derives the salt of a payload's commitment from a secret the store keeps (`keys/payload-salt`),
/// the record's identity and the payload: the same payload given again for the same record gets
/// the same commitment, so a payload whose record landed but whose file was lost can be restored
/// by giving it again, and is accepted only if it matches the commitment in the log. Without the
/// secret, a commitment reveals nothing about a guessable payload; with it, a guess can be tested
/// (see docs/integrity.md).
public struct PayloadSalter: Sendable {
    private let secret: [UInt8]

    /// A salter keyed with `secret` (32 random bytes).
    public init(secret: [UInt8]) { self.secret = secret }

    /// The salt for `payload` in `field` of the record known by `recordKey` (a prediction's id).
    public func salt(field: String, recordKey: String, payload: [UInt8]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        for part in [Array("lineage payload salt".utf8), Array(field.utf8), Array(recordKey.utf8)] {
            mac.update(data: part)
            mac.update(data: [0])
        }
        mac.update(data: payload)
        return Array(mac.finalize())
    }

    /// Commits to `payload` for `field` of the record known by `recordKey`: the one way a raw
    /// payload becomes a commitment in a record and an entry for the payload store.
    public func commit(_ payload: [UInt8], field: String, recordKey: String) -> CommittedPayload {
        let salt = salt(field: field, recordKey: recordKey, payload: payload)
        return CommittedPayload(field: field, commitment: Commitment.commit(payload: payload, salt: salt), salt: salt, bytes: payload)
    }
}

/// A raw payload committed to in a record's field: the record holds `commitment`, the payload
/// store keeps `bytes` with `salt`.
public struct CommittedPayload: Sendable {
    public let field: String
    public let commitment: Digest
    public let salt: [UInt8]
    public let bytes: [UInt8]

    public init(field: String, commitment: Digest, salt: [UInt8], bytes: [UInt8]) {
        self.field = field
        self.commitment = commitment
        self.salt = salt
        self.bytes = bytes
    }
}
