import Foundation

/// A C2SP tlog-proof (c2sp.org/tlog-proof@v1): one log entry's offline proof as text: the
/// entry's index, its RFC 6962 inclusion proof, and the checkpoint (with any witnesses'
/// cosignatures). lineage puts the record's canonical bytes in the optional `extra` line, so the
/// proof carries the record it proves; `extra` is not trusted: the record is checked by hashing it
/// to the leaf the proof leads from.
public struct TlogProof: Sendable {
    /// The first line.
    public static let header = "c2sp.org/tlog-proof@v1"

    /// The record's canonical bytes (`extra`), if carried.
    public let extra: [UInt8]?
    public let index: UInt64
    public let inclusionProof: [[UInt8]]
    /// The signed checkpoint, verbatim.
    public let checkpoint: String

    public init(extra: [UInt8]?, index: UInt64, inclusionProof: [[UInt8]], checkpoint: String) {
        (self.extra, self.index, self.inclusionProof, self.checkpoint) = (extra, index, inclusionProof, checkpoint)
    }

    /// The subject of an evidence bundle as a tlog-proof.
    public init(subjectOf bundle: EvidenceBundle) throws(RecordError) {
        guard let entry = bundle.entries.first(where: { $0.id == bundle.subject }) else { throw RecordError("the bundle lacks its subject") }
        self.init(extra: entry.canonicalBytes, index: entry.leafIndex, inclusionProof: entry.inclusionProof, checkpoint: bundle.checkpoint)
    }

    /// The proof's text.
    public var text: String {
        var lines = [TlogProof.header]
        if let extra { lines.append("extra " + Data(extra).base64EncodedString()) }
        lines.append("index \(index)")
        lines += inclusionProof.map { Data($0).base64EncodedString() }
        return lines.joined(separator: "\n") + "\n\n" + checkpoint
    }

    /// True when `bytes` start as a tlog-proof does.
    public static func looksLike(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array((header + "\n").utf8)) }

    /// Parses a proof; does not verify it.
    public init(parsing text: String) throws(RecordError) {
        guard let blank = text.range(of: "\n\n") else { throw RecordError("not a tlog-proof: no empty line before the checkpoint") }
        var lines = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        guard lines.next() == Substring(TlogProof.header) else { throw RecordError("not a tlog-proof: the first line must be \(TlogProof.header)") }
        var line = lines.next()
        var extra: [UInt8]?
        if let value = line, value.hasPrefix("extra ") {
            guard let bytes = Data(base64Encoded: String(value.dropFirst(6))) else { throw RecordError("the tlog-proof's extra line is not base64") }
            extra = Array(bytes)
            line = lines.next()
        }
        guard let value = line, value.hasPrefix("index "), let index = UInt64(value.dropFirst(6)), String(index) == value.dropFirst(6) else {
            throw RecordError("the tlog-proof needs an `index N` line (a decimal with no leading zeros)")
        }
        var proof: [[UInt8]] = []
        while let value = lines.next() {
            guard let hash = Data(base64Encoded: String(value)), hash.count == 32 else { throw RecordError("a tlog-proof inclusion proof line is not a base64 SHA-256 hash") }
            proof.append(Array(hash))
        }
        guard proof.count <= 64 else { throw RecordError("the tlog-proof's inclusion proof has more than 64 hashes") }
        self.init(extra: extra, index: index, inclusionProof: proof, checkpoint: String(text[blank.upperBound...]))
    }

    /// Checks the proof: the checkpoint's signature by a trusted key, and that the record carried
    /// in `extra` (a canonical record) is the entry at `index` of the signed tree.
    public func verify(trusting keys: [VerifierKey]) throws(RecordError) -> EvidenceBundle.Verified {
        let note = try SignedNote(parsing: checkpoint)
        let signers: [VerifierKey]
        do { signers = try note.verify(trusting: keys) } catch { throw RecordError("the checkpoint: \(error.message)") }
        let checkpoint = try Checkpoint(parsing: note.text)
        guard let extra else { throw RecordError("the tlog-proof carries no record (lineage's proofs carry its canonical bytes in the extra line)") }
        let record: Record
        do { record = try Record(canonicalBytes: extra) } catch { throw RecordError("the tlog-proof's record is not a valid canonical record: \(error.message)") }
        do {
            try Merkle.verifyInclusion(leafHash: Merkle.leafHash(extra), index: index, size: checkpoint.size, proof: inclusionProof, root: checkpoint.rootHash)
        } catch {
            throw RecordError("record \(record.id) is not proven to be leaf \(index) of the signed log of size \(checkpoint.size): \(error)")
        }
        return EvidenceBundle.Verified(checkpoint: checkpoint, signers: signers, records: [record], erasures: [])
    }
}
