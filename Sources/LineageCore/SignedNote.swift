import Foundation

/// A C2SP signed note: text ending in a newline, a blank line, then signature lines
/// `— <key name> <base64(key id || signature)>`.
public struct SignedNote: Sendable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        /// The signing key's name.
        public let name: String
        /// The signing key's 4-byte id.
        public let keyID: UInt32
        /// The signature over the note text.
        public let signature: [UInt8]
    }

    /// The signed text, including its final newline.
    public let text: String
    /// Every signature line, in order.
    public let signatures: [Signature]

    /// The most signature lines accepted.
    public static let maximumSignatures = 100

    /// Signs `text` (which must end in a newline) with `keys`.
    public static func sign(_ text: String, with keys: [SigningKey]) throws(RecordError) -> String {
        guard text.hasSuffix("\n") else { throw RecordError("a note's text must end with a newline") }
        var out = text + "\n"
        for key in keys {
            let id = try key.verifier.keyID
            let idBytes = (0..<4).reversed().map { UInt8(truncatingIfNeeded: id >> UInt32($0 * 8)) }
            out += "— \(key.name) " + Data(idBytes + (try key.sign(Array(text.utf8)))).base64EncodedString() + "\n"
        }
        return out
    }

    /// Parses a signed note; does not verify it.
    public init(parsing note: String) throws(RecordError) {
        guard note.unicodeScalars.allSatisfy({ $0 == "\n" || $0.value >= 0x20 }) else {
            throw RecordError("the note holds control characters")
        }
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw RecordError("the note has no signatures (no blank line before signature lines)")
        }
        text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "", lines.count >= 2 else { throw RecordError("the note's signature block must end with a newline") }
        var signatures: [Signature] = []
        for line in lines.dropLast() {
            guard line.hasPrefix("— ") else { throw RecordError("malformed signature line in the note") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, let raw = Data(base64Encoded: String(fields[1])), raw.count > 4 else {
                throw RecordError("malformed signature line in the note")
            }
            signatures.append(Signature(name: String(fields[0]), keyID: raw.prefix(4).reduce(0) { $0 << 8 | UInt32($1) },
                                        signature: Array(raw.dropFirst(4))))
        }
        guard signatures.count <= SignedNote.maximumSignatures else { throw RecordError("the note has too many signatures") }
        self.signatures = signatures
    }

    /// Verifies the note against trusted keys: signatures by unknown keys are ignored, a failing
    /// signature by a known key rejects the note, and at least one known key must have signed.
    /// Returns the keys that verified.
    public func verify(trusting keys: [VerifierKey]) throws(RecordError) -> [VerifierKey] {
        var verified: [VerifierKey] = []
        for signature in signatures {
            guard let key = keys.first(where: { !$0.isCosigner && $0.name == signature.name && $0.keyID == signature.keyID }) else { continue }
            guard key.isValidSignature(signature.signature, for: Array(text.utf8)) else {
                throw RecordError("the signature by \(key.name) does not verify: the note was altered or signed with another key")
            }
            verified.append(key)
        }
        guard !verified.isEmpty else {
            let names = Set(signatures.map(\.name)).sorted().joined(separator: ", ")
            throw RecordError("the note is not signed by a trusted key (signed by: \(names.isEmpty ? "nobody" : names))")
        }
        return verified
    }
}

/// A C2SP tlog-checkpoint: the log's origin, its size and its Merkle root.
public struct Checkpoint: Sendable, Equatable {
    /// The log's origin.
    public let origin: String
    /// The number of records in the log.
    public let size: UInt64
    /// The Merkle root of those records.
    public let rootHash: [UInt8]

    /// Creates a checkpoint from its parts.
    public init(origin: String, size: UInt64, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// The note text: origin, size and base64 root, each on its own line.
    public var text: String { "\(origin)\n\(size)\n\(Data(rootHash).base64EncodedString())\n" }

    /// Parses a checkpoint's note text (extension lines after the root are allowed and ignored).
    public init(parsing text: String) throws(RecordError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty,
              let size = UInt64(lines[1]), String(size) == lines[1],
              let root = Data(base64Encoded: String(lines[2])), root.count == 32 else {
            throw RecordError("not a checkpoint: expected the origin, the size and a base64 SHA-256 root on three lines")
        }
        origin = String(lines[0])
        self.size = size
        rootHash = Array(root)
    }
}
