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

/// Keyed hashes of data subjects (the customer or user a prediction is about): the log holds
/// `hmac-sha256:` plus `HMAC-SHA256(key, "lineage subject" 0 subject)` in hex, never the subject
/// itself, with a 32-byte key the store keeps outside git (`keys/subject-key`). Whoever holds the
/// key finds every record of a subject; the log alone reveals nothing, not even for a guessable id.
public struct SubjectHasher: Sendable {
    private let key: [UInt8]

    /// The prefix of a keyed subject in a record.
    public static let prefix = "hmac-sha256:"

    /// A hasher keyed with `key` (32 random bytes).
    public init(key: [UInt8]) { self.key = key }

    /// The keyed hash of `subject`, as a record holds it.
    public func hash(_ subject: String) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        mac.update(data: Array("lineage subject".utf8) + [0] + Array(subject.utf8))
        return SubjectHasher.prefix + Hex.encode(Array(mac.finalize()))
    }

    /// `subject` as a record holds it: its keyed hash, or itself when it is one already (a record
    /// exported and given again keeps its subject).
    public func keyed(_ subject: String) -> String { SubjectHasher.isKeyed(subject) ? subject : hash(subject) }

    /// True if `text` is a keyed subject already (`hmac-sha256:` and 64 lower-case hex digits).
    public static func isKeyed(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 64
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// A raw payload committed to in a record's field: the record holds `commitment`; the payload
/// store keeps `bytes` with `salt` (sealed under a key of their own, see `PayloadPack`). A class,
/// immutable: payloads pass from thread to thread and batch to batch, and a copy costs one count.
public final class CommittedPayload: Sendable {
    public let field: String
    public let commitment: Digest
    public let salt: [UInt8]
    public let bytes: [UInt8]

    /// Commits to `bytes` for `field` under a fresh random salt: the one way a raw payload becomes
    /// a commitment in a record and an entry for the payload store. The salt is kept only beside
    /// the payload, so erasing both leaves nothing that could test a guess against the commitment.
    public convenience init(field: String, bytes: [UInt8]) {
        let salt = RandomBytes.take(32)
        self.init(field: field, commitment: Commitment.commit(payload: bytes, salt: salt), salt: salt, bytes: bytes)
    }

    public init(field: String, commitment: Digest, salt: [UInt8], bytes: [UInt8]) {
        self.field = field
        self.commitment = commitment
        self.salt = salt
        self.bytes = bytes
    }
}
