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

    /// A fresh random salt.
    public static func newSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
