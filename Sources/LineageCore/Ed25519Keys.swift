import Crypto
import Foundation

/// A public Ed25519 key with its name, as C2SP signed notes use it.
///
/// Its text form is the note verifier key: `<name>+<key id, 8 hex>+<base64(0x01 || public key)>`.
public struct VerifierKey: Hashable, Sendable {
    /// The key's name: the log's origin for a store's key.
    public let name: String
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// Creates a key from its name and 32-byte public key; refuses names with spaces or '+'.
    public init(name: String, publicKey: [UInt8]) throws(RecordError) {
        guard !name.isEmpty, !name.contains("+"), !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw RecordError("a key name must be non-empty, without spaces or '+'")
        }
        guard publicKey.count == 32 else { throw RecordError("an Ed25519 public key is 32 bytes") }
        self.name = name
        self.publicKey = publicKey
    }

    /// Parses the verifier key text form.
    public init(parsing text: String) throws(RecordError) {
        // The base64 part may itself contain '+'.
        let parts = Names.trimmed(text).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = UInt32(parts[1], radix: 16), parts[1].count == 8,
              let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == 0x01 else {
            throw RecordError("not a verifier key: expected NAME+KEYID+BASE64 as `lineage key show` prints it")
        }
        try self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()))
        guard keyID == id else { throw RecordError("the verifier key's id \(parts[1]) does not match its name and public key") }
    }

    /// SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
    public var keyID: UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + publicKey))
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The text form.
    public var text: String {
        let id = String(keyID, radix: 16)
        return name + "+" + String(repeating: "0", count: 8 - id.count) + id + "+" + Data([0x01] + publicKey).base64EncodedString()
    }

    /// The OpenSSH public key line: `ssh-ed25519 <base64 blob>`.
    public var sshPublicKey: String { "ssh-ed25519 " + Data(SSHWire.publicKeyBlob(publicKey)).base64EncodedString() }

    /// The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of
    /// the SHA-256 of its OpenSSH public key blob. What `lineage clone --key-fingerprint` pins.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: SSHWire.publicKeyBlob(publicKey))).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// True when `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// A private Ed25519 key with its name. Its text form is the note signer key:
/// `PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>`.
public struct SigningKey {
    /// The key's name.
    public let name: String
    private let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init(generatingFor name: String) throws(RecordError) {
        self.name = name
        key = Curve25519.Signing.PrivateKey()
        _ = try verifier
    }

    /// Parses the signer key text form.
    public init(parsing text: String) throws(RecordError) {
        let parts = Names.trimmed(text).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let raw = Data(base64Encoded: String(parts[4])),
              raw.count == 33, raw.first == 0x01, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
            throw RecordError("not a lineage signing key: expected PRIVATE+KEY+NAME+KEYID+BASE64")
        }
        name = String(parts[2])
        self.key = key
        guard try verifier.text.split(separator: "+")[1] == parts[3] else {
            throw RecordError("the signing key's id does not match its name and key")
        }
    }

    /// The matching public key.
    public var verifier: VerifierKey {
        get throws(RecordError) { try VerifierKey(name: name, publicKey: Array(key.publicKey.rawRepresentation)) }
    }

    /// The text form; keep it secret.
    public var text: String {
        let verifierText = (try? verifier.text) ?? ""
        let id = verifierText.split(separator: "+").dropFirst().first ?? ""
        return "PRIVATE+KEY+\(name)+\(id)+" + Data([0x01] + Array(key.rawRepresentation)).base64EncodedString()
    }

    /// The Ed25519 signature of `message`. Throws rather than return anything but a signature.
    public func sign(_ message: [UInt8]) throws(RecordError) -> [UInt8] {
        do {
            let signature = Array(try key.signature(for: message))
            guard signature.count == 64 else { throw RecordError("the signing key made a signature of \(signature.count) bytes, not 64") }
            return signature
        } catch let error as RecordError {
            throw error
        } catch {
            throw RecordError("cannot sign with the store's key: \(error)")
        }
    }
}

