import LineageCore
import LineageStore

/// The log's latest signed checkpoint.
public struct CheckpointView: Sendable {
    public let origin: String
    /// The C2SP signed note, as signed.
    public let note: String
    /// The tree size it commits to (nil if the note does not parse as a checkpoint).
    public let size: UInt64?

    /// The `checkpoint show --json` shape: `{"origin", "size", "note"}`.
    public var json: JSONValue {
        .object(JSONObject([("origin", .string(origin)), ("size", size.map { .number(Double($0)) } ?? .null), ("note", .string(note))]))
    }
}

/// The verdict of comparing two checkpoints of one log with no store, in words and as JSON.
public struct CheckpointVerdict: Sendable {
    /// identical, consistent, fork, not-proven or needs-proof.
    public let status: String
    /// Why it is not OK (nil when it is).
    public let reason: String?
    /// What was shown, when OK.
    public let summary: String

    public var ok: Bool { reason == nil }

    /// Compares checkpoints `a` and `b` (signed notes), with a consistency proof between them if given.
    public init(_ a: String, _ b: String, proof: ConsistencyProof?, trusting trusted: [VerifierKey]) throws {
        switch try LineageError.catching({ try CheckpointComparison.compare(a, b, proof: proof, trusting: trusted) }) {
        case .identical(let size):
            (status, reason, summary) = ("identical", nil, "OK: both checkpoints are the log at size \(size).")
        case .consistent(let old, let new):
            (status, reason, summary) = ("consistent", nil, "OK: the checkpoint of size \(new) extends the one of size \(old): one history.")
        case .fork(let why):
            (status, reason, summary) = ("fork", "FORK: \(why): the log's owner showed two histories", "")
        case .notProven(let why):
            (status, reason, summary) = ("not-proven", why, "")
        case .needsProof(let old, let new):
            (status, reason, summary) = ("needs-proof", "the checkpoints hold \(old) and \(new) records: nothing is proven without a consistency proof; ask the log's owner for `lineage checkpoint proof` of the older one and pass it with --proof", "")
        }
    }

    /// The `checkpoint compare --json` shape: `{"status", "ok", "reason"?, "exitCode"}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["status"] = .string(status)
        object["ok"] = .bool(ok)
        if let reason { object["reason"] = .string(reason) }
        object["exitCode"] = .number(ok ? 0 : 1)
        return .object(object)
    }
}

/// The log's signing key as `key show` reports it.
public struct KeyView: Sendable {
    public let verifier: VerifierKey
    /// Every key this store trusts, as verifier keys.
    public let trusted: [String]

    /// The `key show --json` shape: `{"name", "verifierKey", "ssh", "fingerprint", "trusted"}`.
    public var json: JSONValue {
        .object(JSONObject([("name", .string(verifier.name)), ("verifierKey", .string(verifier.text)),
                            ("ssh", .string(verifier.sshPublicKey)), ("fingerprint", .string(verifier.fingerprint)),
                            ("trusted", .array(trusted.map(JSONValue.string)))]))
    }
}

extension Store {
    /// The latest signed checkpoint; not found when the log is empty.
    public func checkpointView() throws -> CheckpointView {
        guard let note = try latestCheckpoint() else {
            throw LineageError.notFound("the log is empty: there is no checkpoint yet; record something first")
        }
        return CheckpointView(origin: origin, note: note, size: (try? Checkpoint(parsing: SignedNote(parsing: note).text))?.size)
    }

    /// The signing key and the trusted keys.
    public func keyView() throws -> KeyView {
        let verifier = try LineageError.catching { try signingKey().verifier }
        return KeyView(verifier: verifier, trusted: try trustedKeys().map(\.text))
    }
}
