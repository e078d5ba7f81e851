import Foundation
import LineageCore

/// The parsers that take untrusted bytes, each as a function of one input that must never crash,
/// hang or use unbounded memory, and must hold its invariants. `make fuzz` runs each under
/// libFuzzer (`LINEAGE_FUZZ_TARGET` names it); the test suite replays the seed corpus.
enum FuzzTargets {
    /// The key of the store the seed corpus was made with (a throwaway key, for fuzzing only), so
    /// that bundles and notes in the corpus carry valid signatures.
    static let verifier: VerifierKey = {
        let key = try! SigningKey(parsing: "PRIVATE+KEY+fuzz.example/log+32481707+AY8iQ6WWzH3sZxp8C/KvIUomd+UVN/UKGvDc7ORapPRO")
        return try! key.verifier
    }()

    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "json": json, "scan": scan, "line": line, "bundle": bundle, "note": note, "policy": policy, "time": time,
    ]

    /// The JSON parser: anything it accepts re-serialises canonically and parses back to itself.
    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let canonical = value.canonicalBytes
        guard let again = try? JSONParser.parse(canonical), again == value, again.canonicalBytes == canonical else {
            fatalError("JSON did not round-trip through its canonical form")
        }
    }

    /// Reading a stored record (the canonical scan, or the full path): what is accepted is exactly
    /// the record's canonical bytes.
    static func scan(_ bytes: [UInt8]) {
        guard let record = try? Record(canonicalBytes: bytes) else { return }
        guard record.canonicalBytes == bytes, record.id == Digest(hashing: bytes) else {
            fatalError("a record was accepted from bytes that are not its canonical form")
        }
    }

    /// Preparing an NDJSON line without a store: the tree-less build and the full build (parse,
    /// then make) agree whenever the first accepts.
    static func line(_ bytes: [UInt8]) {
        let known = Digest(hashing: Array("deployment".utf8))
        let scanned = Record.make(scanning: bytes, defaultKind: .prediction, timeMilliseconds: 1_700_000_000_000, actor: "fuzz") { _, kinds in
            kinds.contains(.deployment) ? known : nil
        }
        guard var object = (try? JSONParser.parse(bytes))?.objectValue else {
            if scanned != nil { fatalError("the scan accepted a line that is not a JSON object") }
            return
        }
        let kind = object["kind"]?.stringValue.flatMap(RecordKind.init(rawValue:)) ?? .prediction
        object["kind"] = nil
        for field in RecordSchema.of(kind).linkFields {
            if case .string(let reference)? = object[field.name], Digest(reference) == nil { object[field.name] = .string(known.description) }
        }
        let full = try? Record.make(kind, fields: object, timeMilliseconds: 1_700_000_000_000, actor: "fuzz")
        if let scanned, scanned.record.canonicalBytes != full?.canonicalBytes {
            fatalError("the tree-less build and the full build of a line differ")
        }
    }

    /// The evidence-bundle reader and verifier.
    static func bundle(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let parsed = try? EvidenceBundle(json: value) else { return }
        if let verified = try? parsed.verify(trusting: [verifier]) {
            guard verified.records.count == parsed.entries.count, verified.records.contains(where: { $0.id == parsed.subject }) else {
                fatalError("a bundle verified with records it does not hold")
            }
        }
    }

    /// Signed notes and checkpoints.
    static func note(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self), let note = try? SignedNote(parsing: text) else { return }
        _ = try? note.verify(trusting: [verifier])
        if let checkpoint = try? Checkpoint(parsing: note.text), (try? Checkpoint(parsing: checkpoint.text)) != checkpoint {
            fatalError("a checkpoint did not round-trip through its text")
        }
        if let proof = (try? JSONParser.parse(bytes)).flatMap({ try? ConsistencyProof(json: $0) }) {
            _ = try? CheckpointComparison.compare(proof.old, proof.new, proof: proof, trusting: [verifier])
        }
    }

    /// Gate policies (their JSON form; YAML is read into the same values).
    static func policy(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        _ = try? Policy(json: value)
    }

    /// Times and durations as users and services write them.
    static func time(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        if let milliseconds = RecordTime.parseRFC3339(text), RecordTime.parseRFC3339(RecordTime.format(milliseconds: milliseconds)) != milliseconds {
            fatalError("a time did not round-trip through its record form")
        }
        _ = RecordTime.parseUserTime(text, now: 1_700_000_000_000)
        _ = RecordTime.duration(text)
    }
}
