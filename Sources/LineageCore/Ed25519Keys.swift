import Crypto
import Foundation

/// A public Ed25519 key with its name, as C2SP signed notes use it.
///
/// Its text form is the note verifier key: `<name>+<key id, 8 hex>+<base64(type || public key)>`,
/// type 0x01 for a key that signs notes (a log's checkpoints) and 0x04 for a witness's key that
/// makes C2SP tlog-cosignature/v1 cosignatures.
public struct VerifierKey: Hashable, Sendable {
    /// The key's name: the log's origin for a store's key, the witness's name for a witness's.
    public let name: String
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    /// `noteType` or `cosignatureType`.
    public let type: UInt8

    /// The type of a key that signs notes.
    public static let noteType: UInt8 = 0x01
    /// The type of a witness key (C2SP tlog-cosignature, Ed25519).
    public static let cosignatureType: UInt8 = 0x04

    /// True for a witness's key.
    public var isCosigner: Bool { type == VerifierKey.cosignatureType }

    /// Creates a key from its name and 32-byte public key; refuses names with spaces or '+'.
    public init(name: String, publicKey: [UInt8], type: UInt8 = VerifierKey.noteType) throws(RecordError) {
        guard !name.isEmpty, !name.contains("+"), !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw RecordError("a key name must be non-empty, without spaces or '+'")
        }
        guard publicKey.count == 32 else { throw RecordError("an Ed25519 public key is 32 bytes") }
        self.name = name
        self.publicKey = publicKey
        self.type = type
    }

    /// Parses the verifier key text form.
    public init(parsing text: String) throws(RecordError) {
        // The base64 part may itself contain '+'.
        let parts = Names.trimmed(text).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = UInt32(parts[1], radix: 16), parts[1].count == 8,
              let raw = Data(base64Encoded: String(parts[2])), raw.count == 33,
              raw.first == VerifierKey.noteType || raw.first == VerifierKey.cosignatureType else {
            throw RecordError("not a verifier key: expected NAME+KEYID+BASE64 as `lineage key show` prints it")
        }
        try self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()), type: raw.first!)
        guard keyID == id else { throw RecordError("the verifier key's id \(parts[1]) does not match its name and public key") }
    }

    /// SHA-256(name || 0x0A || type || public key)[:4], big-endian.
    public var keyID: UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, type] + publicKey))
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The text form.
    public var text: String {
        let id = String(keyID, radix: 16)
        return name + "+" + String(repeating: "0", count: 8 - id.count) + id + "+" + Data([type] + publicKey).base64EncodedString()
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
/// `PRIVATE+KEY+<name>+<key id>+<base64(type || 32-byte seed)>` (type as in `VerifierKey`).
public struct SigningKey {
    /// The key's name.
    public let name: String
    /// `VerifierKey.noteType` or `VerifierKey.cosignatureType`.
    public let type: UInt8
    private let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init(generatingFor name: String, type: UInt8 = VerifierKey.noteType) throws(RecordError) {
        self.name = name
        self.type = type
        key = Curve25519.Signing.PrivateKey()
        _ = try verifier
    }

    /// Parses the signer key text form.
    public init(parsing text: String) throws(RecordError) {
        let parts = Names.trimmed(text).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let raw = Data(base64Encoded: String(parts[4])),
              raw.count == 33, raw.first == VerifierKey.noteType || raw.first == VerifierKey.cosignatureType,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
            throw RecordError("not a lineage signing key: expected PRIVATE+KEY+NAME+KEYID+BASE64")
        }
        name = String(parts[2])
        type = raw.first!
        self.key = key
        guard try verifier.text.split(separator: "+")[1] == parts[3] else {
            throw RecordError("the signing key's id does not match its name and key")
        }
    }

    /// The matching public key.
    public var verifier: VerifierKey {
        get throws(RecordError) { try VerifierKey(name: name, publicKey: Array(key.publicKey.rawRepresentation), type: type) }
    }

    /// The text form; keep it secret.
    public var text: String {
        let verifierText = (try? verifier.text) ?? ""
        let id = verifierText.split(separator: "+").dropFirst().first ?? ""
        return "PRIVATE+KEY+\(name)+\(id)+" + Data([type] + Array(key.rawRepresentation)).base64EncodedString()
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

