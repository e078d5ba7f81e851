import Foundation

/// An evidence bundle: one record and all its upstream records, each as its exact canonical bytes
/// with an RFC 6962 inclusion proof against one signed checkpoint. Checking it needs no store,
/// only the log's public key. docs/evidence-bundle.md describes the format.
public struct EvidenceBundle: Sendable {
    /// The format identifier written in every bundle.
    public static let format = "lineage-evidence-bundle/1"

    /// One record and its proof.
    public struct Entry: Sendable {
        /// The record's id, checked against its bytes.
        public let id: Digest
        /// The record's position in the log: its Merkle leaf index.
        public let leafIndex: UInt64
        /// The record's exact canonical bytes.
        public let canonicalBytes: [UInt8]
        /// The audit path from the record's leaf to the checkpoint's root.
        public let inclusionProof: [[UInt8]]

        /// Creates an entry from its parts.
        public init(id: Digest, leafIndex: UInt64, canonicalBytes: [UInt8], inclusionProof: [[UInt8]]) {
            self.id = id
            self.leafIndex = leafIndex
            self.canonicalBytes = canonicalBytes
            self.inclusionProof = inclusionProof
        }
    }

    /// The record the bundle is about.
    public let subject: Digest
    /// The signed checkpoint (C2SP signed note) every proof leads to.
    public let checkpoint: String
    /// The subject and its upstream records, subject first.
    public let entries: [Entry]
    /// The erasure records that name payloads of the bundle's records, proven like them: what an
    /// auditor needs to tell an erased payload from one withheld.
    public let erasures: [Entry]
    /// The upstream records that lie in other origins' logs (a prediction of an inference log whose
    /// model a training log recorded), each log's records proven against that log's signed checkpoint.
    public let otherLogs: [LogPart]

    /// Records of another log, proven against its checkpoint.
    public struct LogPart: Sendable {
        public let checkpoint: String
        public let entries: [Entry]

        public init(checkpoint: String, entries: [Entry]) {
            self.checkpoint = checkpoint
            self.entries = entries
        }
    }

    /// Creates a bundle from its parts.
    public init(subject: Digest, checkpoint: String, entries: [Entry], erasures: [Entry] = [], otherLogs: [LogPart] = []) {
        self.subject = subject
        self.checkpoint = checkpoint
        self.entries = entries
        self.erasures = erasures
        self.otherLogs = otherLogs
    }

    private static func json(_ entry: Entry) -> JSONValue {
        .object(JSONObject([
            ("id", .string(entry.id.description)),
            ("leafIndex", .number(Double(entry.leafIndex))),
            ("canonical", .string(Data(entry.canonicalBytes).base64EncodedString())),
            ("inclusionProof", .array(entry.inclusionProof.map { .string(Data($0).base64EncodedString()) })),
        ]))
    }

    /// The bundle as JSON; `erasures` and `logs` only when there are some.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(EvidenceBundle.format)),
            ("subject", .string(subject.description)),
            ("checkpoint", .string(checkpoint)),
            ("records", .array(entries.map(EvidenceBundle.json))),
        ]
        if !erasures.isEmpty { members.append(("erasures", .array(erasures.map(EvidenceBundle.json)))) }
        if !otherLogs.isEmpty {
            members.append(("logs", .array(otherLogs.map { part in
                .object(JSONObject([("checkpoint", .string(part.checkpoint)), ("records", .array(part.entries.map(EvidenceBundle.json)))]))
            })))
        }
        return .object(JSONObject(members))
    }

    /// Reads a bundle from JSON, checking its shape (not yet its proofs).
    public init(json value: JSONValue) throws(RecordError) {
        guard let object = value.objectValue, object["format"]?.stringValue == EvidenceBundle.format else {
            throw RecordError("not an evidence bundle: its format must be \(EvidenceBundle.format)")
        }
        if let unknown = object.keys.first(where: { !["format", "subject", "checkpoint", "records", "erasures", "logs"].contains($0) }) {
            throw RecordError("the bundle has a member \(Names.printable(unknown)) that the format does not define: it was not written by `lineage prove`")
        }
        guard let subjectText = object["subject"]?.stringValue, let subject = Digest(subjectText),
              let checkpoint = object["checkpoint"]?.stringValue, let records = object["records"]?.arrayValue else {
            throw RecordError("the bundle needs a subject id, a checkpoint and records")
        }
        let erasures = object["erasures"], logs = object["logs"]
        guard erasures == nil || erasures?.arrayValue != nil else { throw RecordError("the bundle's erasures must be a list") }
        guard logs == nil || logs?.arrayValue != nil else { throw RecordError("the bundle's logs must be a list") }
        var parts: [LogPart] = []
        for (i, item) in (logs?.arrayValue ?? []).enumerated() {
            guard let part = item.objectValue, let note = part["checkpoint"]?.stringValue, let entries = part["records"]?.arrayValue,
                  part.keys.allSatisfy({ ["checkpoint", "records"].contains($0) }) else {
                throw RecordError("bundle log \(i) is malformed: it needs exactly a checkpoint and records")
            }
            parts.append(LogPart(checkpoint: note, entries: try EvidenceBundle.entries(entries, what: "bundle record of log \(i)")))
        }
        self.init(subject: subject, checkpoint: checkpoint, entries: try EvidenceBundle.entries(records, what: "bundle record"),
                  erasures: try EvidenceBundle.entries(erasures?.arrayValue ?? [], what: "bundle erasure"), otherLogs: parts)
    }

    private static func entries(_ items: [JSONValue], what: String) throws(RecordError) -> [Entry] {
        var entries: [Entry] = []
        for (i, item) in items.enumerated() {
            guard let entry = item.objectValue, let idText = entry["id"]?.stringValue, let id = Digest(idText),
                  let index = entry["leafIndex"]?.integerValue, index >= 0,
                  let canonical = entry["canonical"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
                  let proof = entry["inclusionProof"]?.arrayValue else {
                throw RecordError("\(what) \(i) is malformed: it needs id, leafIndex, canonical (base64) and inclusionProof")
            }
            if let unknown = entry.keys.first(where: { !["id", "leafIndex", "canonical", "inclusionProof"].contains($0) }) {
                throw RecordError("\(what) \(i) has a member \(Names.printable(unknown)) that the format does not define")
            }
            // A proof in a log of at most 2^64 leaves has at most 64 hashes.
            guard proof.count <= 64 else { throw RecordError("the inclusion proof of \(what) \(i) has \(proof.count) hashes, more than any log needs") }
            var hashes: [[UInt8]] = []
            for element in proof {
                guard let hash = element.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
                    throw RecordError("the inclusion proof of \(what) \(i) holds something that is not base64")
                }
                guard hash.count == 32 else { throw RecordError("the inclusion proof of \(what) \(i) holds a hash of \(hash.count) bytes, not 32") }
                hashes.append(Array(hash))
            }
            entries.append(Entry(id: id, leafIndex: UInt64(index), canonicalBytes: Array(canonical), inclusionProof: hashes))
        }
        return entries
    }

    /// What a successful check established.
    public struct Verified: Sendable {
        /// The verified checkpoint the proofs lead to.
        public let checkpoint: Checkpoint
        /// The trusted keys whose signatures verified.
        public let signers: [VerifierKey]
        /// The records, parsed and checked.
        public let records: [Record]
        /// The erasure records, checked: each names a payload of a record above.
        public let erasures: [Record]
        /// The other logs' verified checkpoints, in the bundle's order, with the signers of each
        /// and how many of `records` each holds.
        public var otherLogs: [(checkpoint: Checkpoint, signers: [VerifierKey], records: Int)] = []
    }

    /// Checks the bundle: the checkpoint's signature by a trusted key; each record's bytes are
    /// canonical and hash to its id; each inclusion proof leads from the record's own leaf hash to
    /// the checkpoint's root (size and root are read only from the verified checkpoint); the subject
    /// is present, every record's upstream links are in the bundle, and the bundle holds exactly the
    /// subject and its upstream, each once: nothing a reader could count or show that is not evidence.
    public func verify(trusting keys: [VerifierKey]) throws(RecordError) -> Verified {
        let note = try SignedNote(parsing: checkpoint)
        let signers: [VerifierKey]
        do { signers = try note.verify(trusting: keys) } catch { throw RecordError("the checkpoint: \(error.message)") }
        let checkpoint = try Checkpoint(parsing: note.text)
        var records: [Digest: Record] = [:]
        var ordered: [Record] = []
        func take(_ entries: [Entry], what: String, checkpoint: Checkpoint) throws(RecordError) {
            for entry in entries {
                let record = try EvidenceBundle.check(entry, what: what, checkpoint: checkpoint)
                guard records.updateValue(record, forKey: record.id) == nil else {
                    throw RecordError("bundle record \(record.id) appears twice; a bundle holds each record once")
                }
                ordered.append(record)
            }
        }
        try take(entries, what: "bundle record", checkpoint: checkpoint)
        // Each other log: its own signed checkpoint, by a trusted key, of an origin not seen before.
        var origins: Set<String> = [checkpoint.origin]
        var others: [(checkpoint: Checkpoint, signers: [VerifierKey], records: Int)] = []
        for (i, part) in otherLogs.enumerated() {
            let partNote = try SignedNote(parsing: part.checkpoint)
            let partSigners: [VerifierKey]
            do { partSigners = try partNote.verify(trusting: keys) } catch {
                throw RecordError("the checkpoint of bundle log \(i) (upstream records in another origin's log): \(error.message); give that log's key with another --key")
            }
            let partCheckpoint = try Checkpoint(parsing: partNote.text)
            guard origins.insert(partCheckpoint.origin).inserted else {
                throw RecordError("bundle log \(i) is of the log \(partCheckpoint.origin), which the bundle already holds: each log appears once")
            }
            guard !part.entries.isEmpty else { throw RecordError("bundle log \(i) holds no records") }
            try take(part.entries, what: "bundle record of log \(partCheckpoint.origin)", checkpoint: partCheckpoint)
            others.append((partCheckpoint, partSigners, part.entries.count))
        }
        guard records[subject] != nil else { throw RecordError("the bundle does not contain its subject \(subject)") }
        for record in ordered {
            for link in record.links where records[link.target] == nil {
                throw RecordError("bundle record \(record.id) links through '\(link.relation)' to \(link.target), which the bundle does not contain: an upstream record is missing")
            }
        }
        // Every record must be the subject or upstream of it.
        var upstream: Set<Digest> = [subject], pending = [subject]
        while let id = pending.popLast() {
            for link in records[id]!.links where upstream.insert(link.target).inserted { pending.append(link.target) }
        }
        if let extra = ordered.first(where: { !upstream.contains($0.id) }) {
            throw RecordError("bundle record \(extra.id) (\(extra.kind)) is not upstream of the subject \(subject): a bundle holds only the subject and its upstream")
        }
        // Each erasure must be proven in the same log and name a payload of a record in the bundle.
        var erasures: [Record] = []
        for entry in self.erasures {
            let erasure = try EvidenceBundle.check(entry, what: "bundle erasure", checkpoint: checkpoint)
            let named = erasure.links.filter { $0.relation == "records" }.compactMap { records[$0.target] }
            let commitments = erasure.erasedCommitments
            guard erasure.kind == .erasure, named.contains(where: { !commitments.isDisjoint(with: $0.commitments.map(\.digest)) }) else {
                throw RecordError("bundle erasure \(erasure.id) is not an erasure of a payload of a record in the bundle")
            }
            guard !erasures.contains(where: { $0.id == erasure.id }) else {
                throw RecordError("bundle erasure \(erasure.id) appears twice; a bundle holds each record once")
            }
            erasures.append(erasure)
        }
        var verified = Verified(checkpoint: checkpoint, signers: signers, records: ordered, erasures: erasures)
        verified.otherLogs = others
        return verified
    }

    /// Checks one entry: its bytes are a canonical record hashing to its id, proven at its leaf
    /// index in the log of the checkpoint's size.
    private static func check(_ entry: Entry, what: String, checkpoint: Checkpoint) throws(RecordError) -> Record {
        let record: Record
        do { record = try Record(canonicalBytes: entry.canonicalBytes) } catch {
            throw RecordError("\(what) \(entry.id) is not a valid canonical record: \(error.message)")
        }
        guard record.id == entry.id else {
            throw RecordError("\(what) \(entry.id): its bytes hash to \(record.id), not to its id")
        }
        do {
            try Merkle.verifyInclusion(leafHash: Merkle.leafHash(entry.canonicalBytes), index: entry.leafIndex,
                                       size: checkpoint.size, proof: entry.inclusionProof, root: checkpoint.rootHash)
        } catch {
            throw RecordError("\(what) \(entry.id) is not proven to be leaf \(entry.leafIndex) of the signed log of size \(checkpoint.size): \(error)")
        }
        return record
    }
}
