import Foundation

/// An RFC 6962 consistency proof between two signed checkpoints of one log: the evidence that the
/// later one extends the earlier, which two parties holding different checkpoints can check with
/// no store. Written by `lineage checkpoint proof`, read by `lineage checkpoint compare`.
public struct ConsistencyProof: Sendable {
    /// The format identifier written in every proof.
    public static let format = "lineage-consistency-proof/1"

    /// The earlier signed checkpoint.
    public let old: String
    /// The later signed checkpoint.
    public let new: String
    /// The proof's hashes.
    public let hashes: [[UInt8]]

    /// Creates a proof from its parts.
    public init(old: String, new: String, hashes: [[UInt8]]) {
        self.old = old
        self.new = new
        self.hashes = hashes
    }

    /// The proof as JSON.
    public var json: JSONValue {
        .object(JSONObject([
            ("format", .string(ConsistencyProof.format)), ("old", .string(old)), ("new", .string(new)),
            ("proof", .array(hashes.map { .string(Data($0).base64EncodedString()) })),
        ]))
    }

    /// Reads a proof from JSON, checking its shape.
    public init(json value: JSONValue) throws(RecordError) {
        guard let object = value.objectValue, object["format"]?.stringValue == ConsistencyProof.format else {
            throw RecordError("not a consistency proof: its format must be \(ConsistencyProof.format)")
        }
        if let unknown = object.keys.first(where: { !["format", "old", "new", "proof"].contains($0) }) {
            throw RecordError("the consistency proof has a member \(Names.printable(unknown)) that the format does not define")
        }
        guard let old = object["old"]?.stringValue, let new = object["new"]?.stringValue, let items = object["proof"]?.arrayValue,
              items.count <= 128 else {
            throw RecordError("the consistency proof needs old and new checkpoints and at most 128 proof hashes")
        }
        var hashes: [[UInt8]] = []
        for item in items {
            guard let hash = item.stringValue.flatMap({ Data(base64Encoded: $0) }), hash.count == 32 else {
                throw RecordError("the consistency proof holds something that is not a base64 SHA-256 hash")
            }
            hashes.append(Array(hash))
        }
        self.init(old: old, new: new, hashes: hashes)
    }
}

/// What comparing two signed checkpoints of one log established.
public enum CheckpointComparison: Sendable, Equatable {
    /// The same checkpoint (size and root), maybe signed differently.
    case identical(size: UInt64)
    /// The later one extends the earlier, proven.
    case consistent(oldSize: UInt64, newSize: UInt64)
    /// Two histories, both signed: the log's owner showed different logs to different parties.
    case fork(reason: String)
    /// The proof given does not show that the later checkpoint extends the earlier: either the
    /// proof is wrong or the log forked; ask for a proof from the log and compare again.
    case notProven(reason: String)
    /// Sizes differ and no proof was given: nothing can be said yet.
    case needsProof(oldSize: UInt64, newSize: UInt64)

    /// Compares two signed checkpoints, each verified against `keys`, with an optional proof.
    public static func compare(_ a: String, _ b: String, proof: ConsistencyProof?, trusting keys: [VerifierKey]) throws(RecordError) -> CheckpointComparison {
        func open(_ text: String, _ which: String) throws(RecordError) -> Checkpoint {
            let note: SignedNote
            do { note = try SignedNote(parsing: text) } catch { throw RecordError("checkpoint \(which) is not a signed note: \(error.message)") }
            do { _ = try note.verify(trusting: keys) } catch { throw RecordError("checkpoint \(which): \(error.message)") }
            do { return try Checkpoint(parsing: note.text) } catch { throw RecordError("checkpoint \(which): \(error.message)") }
        }
        let first = try open(a, "A"), second = try open(b, "B")
        guard first.origin == second.origin else {
            throw RecordError("the checkpoints are of two logs, \(first.origin) and \(second.origin): compare checkpoints of one log")
        }
        let (old, new) = first.size <= second.size ? (first, second) : (second, first)
        if old.size == new.size {
            return old.rootHash == new.rootHash ? .identical(size: old.size)
                : .fork(reason: "both hold \(old.size) records but their roots differ (\(Data(old.rootHash).base64EncodedString()) and \(Data(new.rootHash).base64EncodedString()))")
        }
        guard let proof else { return .needsProof(oldSize: old.size, newSize: new.size) }
        let proofOld = try open(proof.old, "in the proof's old"), proofNew = try open(proof.new, "in the proof's new")
        guard proofOld == old, proofNew == new else {
            throw RecordError("the proof is between checkpoints of sizes \(proofOld.size) and \(proofNew.size), not between these of sizes \(old.size) and \(new.size)")
        }
        do {
            try Merkle.verifyConsistency(oldSize: old.size, newSize: new.size, oldRoot: old.rootHash, newRoot: new.rootHash, proof: proof.hashes)
        } catch {
            return .notProven(reason: "the proof does not show that the checkpoint of size \(new.size) extends the one of size \(old.size) (\(error)): either the proof is wrong or the log forked")
        }
        return .consistent(oldSize: old.size, newSize: new.size)
    }
}
