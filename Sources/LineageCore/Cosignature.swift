import Foundation

/// C2SP tlog-cosignature/v1 (Ed25519): a witness's timestamped statement that a checkpoint is the
/// largest consistent tree it has seen of the log. A note signature line
/// `— <witness name> base64(key id || u64 timestamp || Ed25519 signature)` over
/// `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint's text.
public enum Cosignature {
    /// A cosignature that verified: the witness's key and when it signed (seconds since the epoch).
    public struct Verified: Sendable, Equatable {
        public let key: VerifierKey
        public let time: UInt64
    }

    /// The message a witness signs for `checkpointText` at `time`.
    public static func message(checkpointText: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + Array(checkpointText.utf8)
    }

    /// The signature line (ending in a newline) by `key`, a witness key, over the checkpoint at `time`.
    public static func sign(checkpointText: String, with key: SigningKey, time: UInt64) throws(RecordError) -> String {
        guard key.type == VerifierKey.cosignatureType else { throw RecordError("a cosignature needs a witness key") }
        guard time <= UInt64(Int64.max) else { throw RecordError("a cosignature's time must not exceed 2^63-1") }
        let id = try key.verifier.keyID
        let idBytes = (0..<4).reversed().map { UInt8(truncatingIfNeeded: id >> UInt32($0 * 8)) }
        let timeBytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: time >> UInt64($0 * 8)) }
        let signature = try key.sign(message(checkpointText: checkpointText, time: time))
        return "— \(key.name) " + Data(idBytes + timeBytes + signature).base64EncodedString() + "\n"
    }

    /// The cosignatures on `note` by `witnesses` that verify, at most one per witness. Lines by
    /// other keys are ignored; a line that names a witness key but does not verify is reported
    /// in `failed` (the witness's name), never counted.
    public static func verify(_ note: SignedNote, witnesses: [VerifierKey]) -> (verified: [Verified], failed: [String]) {
        var verified: [Verified] = [], failed: [String] = []
        for line in note.signatures {
            guard let key = witnesses.first(where: { $0.isCosigner && $0.name == line.name && $0.keyID == line.keyID }),
                  !verified.contains(where: { $0.key == key }) else { continue }
            guard line.signature.count == 72 else { failed.append(key.name); continue }
            let time = line.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if time <= UInt64(Int64.max), key.isValidSignature(Array(line.signature.dropFirst(8)), for: message(checkpointText: note.text, time: time)) {
                verified.append(Verified(key: key, time: time))
            } else {
                failed.append(key.name)
            }
        }
        return (verified, failed)
    }
}
