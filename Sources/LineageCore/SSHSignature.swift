import Crypto
import Foundation

/// SSH wire encoding helpers.
enum SSHWire {
    static func string(_ bytes: [UInt8]) -> [UInt8] {
        let n = UInt32(bytes.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + bytes
    }

    static func publicKeyBlob(_ key: [UInt8]) -> [UInt8] { string(Array("ssh-ed25519".utf8)) + string(key) }

    /// Reads SSH strings one after another.
    struct Reader {
        var bytes: ArraySlice<UInt8>
        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard bytes.count >= n else { return nil }
            defer { bytes = bytes.dropFirst(n) }
            return bytes.prefix(n)
        }
        mutating func string() -> [UInt8]? {
            guard let length = take(4) else { return nil }
            return take(Int(length.reduce(0) { $0 << 8 | UInt32($1) })).map(Array.init)
        }
    }
}

/// OpenSSH signatures (PROTOCOL.sshsig) made with Ed25519 keys, as `git verify-commit` checks them.
public enum SSHSignature {
    static let magic = Array("SSHSIG".utf8)
    static let hashAlgorithm = Array("sha512".utf8)

    static func signedData(_ message: [UInt8], namespace: String) -> [UInt8] {
        magic + SSHWire.string(Array(namespace.utf8)) + SSHWire.string([]) + SSHWire.string(hashAlgorithm)
            + SSHWire.string(Array(SHA512.hash(data: message)))
    }

    /// The armored signature of `message` in `namespace` (git uses "git").
    public static func sign(_ message: [UInt8], with key: SigningKey, namespace: String = "git") throws(RecordError) -> String {
        let signature = try key.sign(signedData(message, namespace: namespace))
        var blob = magic + [0, 0, 0, 1]
        blob += SSHWire.string(SSHWire.publicKeyBlob(try key.verifier.publicKey))
        blob += SSHWire.string(Array(namespace.utf8)) + SSHWire.string([]) + SSHWire.string(hashAlgorithm)
        blob += SSHWire.string(SSHWire.string(Array("ssh-ed25519".utf8)) + SSHWire.string(signature))
        let base64 = Data(blob).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(70))
            rest = rest.dropFirst(70)
        }
        return "-----BEGIN SSH SIGNATURE-----\n" + lines.joined(separator: "\n") + "\n-----END SSH SIGNATURE-----\n"
    }

    /// Verifies an armored signature of `message`; returns the trusted key that made it.
    public static func verify(_ armored: String, message: [UInt8], namespace: String = "git",
                              trusting keys: [VerifierKey]) throws(RecordError) -> VerifierKey {
        let body = armored.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard armored.contains("-----BEGIN SSH SIGNATURE-----"), let raw = Data(base64Encoded: body) else {
            throw RecordError("not an SSH signature")
        }
        var reader = SSHWire.Reader(bytes: ArraySlice(raw))
        guard reader.take(6).map(Array.init) == magic, reader.take(4).map(Array.init) == [0, 0, 0, 1],
              let publicBlob = reader.string(), let signedNamespace = reader.string(), reader.string() != nil,
              let hash = reader.string(), let signatureBlob = reader.string() else {
            throw RecordError("malformed SSH signature")
        }
        guard signedNamespace == Array(namespace.utf8), hash == hashAlgorithm else {
            throw RecordError("the SSH signature is for another namespace or hash")
        }
        var keyReader = SSHWire.Reader(bytes: ArraySlice(publicBlob))
        var signatureReader = SSHWire.Reader(bytes: ArraySlice(signatureBlob))
        guard keyReader.string() == Array("ssh-ed25519".utf8), let publicKey = keyReader.string(),
              signatureReader.string() == Array("ssh-ed25519".utf8), let signature = signatureReader.string() else {
            throw RecordError("the SSH signature is not an Ed25519 signature")
        }
        guard let key = keys.first(where: { $0.publicKey == publicKey }) else {
            throw RecordError("the SSH signature was made by an untrusted key")
        }
        guard key.isValidSignature(signature, for: signedData(message, namespace: namespace)) else {
            throw RecordError("the SSH signature does not verify: the signed content was altered")
        }
        return key
    }
}
