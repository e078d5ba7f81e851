import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineageCore
import LineageStore

/// A transparency-log witness (C2SP tlog-witness): it cosigns a log's checkpoint only when it is
/// consistent with the latest checkpoint of that log it cosigned before, so a log's owner cannot
/// show two histories to two parties that each check for the witness's cosignature.
///
/// Its directory holds `witness.key` (its private key, type 0x04, mode 0600), `state/<hex SHA-256
/// of the origin>` (the latest cosigned checkpoint of each log, as the log signed it) and `lock`
/// (held while a witness process runs: one process per directory).
///
/// Thread-safe: `addCheckpoint` checks and persists under `lock`, one request at a time, as the
/// protocol requires (a check and its update must be atomic, or a rollback can be cosigned).
public final class Witness: @unchecked Sendable {
    /// An answer to `add-checkpoint`: the HTTP status, the content type and the body.
    public struct Answer: Sendable {
        public let status: Int
        public let contentType: String
        public let body: String

        public init(status: Int, contentType: String, body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        static func error(_ status: Int, _ message: String) -> Answer { Answer(status: status, contentType: "text/plain; charset=utf-8", body: message + "\n") }
    }

    /// The largest request accepted (an old size line, 63 proof lines and a checkpoint fit in 8 KiB).
    public static let maximumRequest = 64 << 10

    public let key: SigningKey
    public let logs: [VerifierKey]
    private let directory: String
    private let lock = NSLock()
    private let processLock: Int32

    /// Creates a witness directory with a new key named `name`; returns the witness's public key.
    public static func create(at directory: String, name: String) throws -> VerifierKey {
        let keyFile = directory + "/witness.key"
        if FileManager.default.fileExists(atPath: keyFile) {
            throw LineageError.input("\(directory) already holds a witness; its key is \(keyFile)")
        }
        let key = try LineageError.catching { try SigningKey(generatingFor: name, type: VerifierKey.cosignatureType) }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LineageError.storage("cannot create the witness directory \(directory): \(error.localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: keyFile, contents: Data((key.text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LineageError.storage("cannot write \(keyFile): check that \(directory) is writable")
        }
        return try LineageError.catching { try key.verifier }
    }

    /// Opens the witness in `directory` for the logs whose keys are given (their names are the origins).
    public init(directory: String, logs: [VerifierKey]) throws {
        guard let bytes = FileManager.default.contents(atPath: directory + "/witness.key") else {
            throw LineageError.notFound("\(directory) holds no witness (no witness.key); create one with `lineage witness init \(directory) --name NAME`")
        }
        let key = try LineageError.catching { try SigningKey(parsing: String(decoding: bytes, as: UTF8.self)) }
        guard key.type == VerifierKey.cosignatureType else { throw LineageError.input("\(directory)/witness.key is not a witness key") }
        guard !logs.isEmpty, logs.allSatisfy({ !$0.isCosigner }) else {
            throw LineageError.input("give the keys of the logs to witness (as `lineage key show` prints them), not witness keys")
        }
        let descriptor = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LineageError.storage("cannot open \(directory)/lock: \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw LineageError.storage("another witness process is running on \(directory); one directory serves one process")
        }
        self.key = key
        self.logs = logs
        self.directory = directory
        processLock = descriptor
    }

    deinit { close(processLock) }

    /// The witness's public key (type 0x04), for the logs' owners and for verifiers.
    public var verifier: VerifierKey { (try? key.verifier)! }

    /// Answers an `add-checkpoint` request body, as C2SP tlog-witness says: 200 and the
    /// cosignature line; 400 for a malformed request, 403 for a checkpoint no trusted key signed,
    /// 404 for a log not witnessed here, 409 (`text/x.tlog.size`, the size cosigned last) when the
    /// old size is not the one cosigned last or the same size has another root, 422 for a
    /// consistency proof that does not verify.
    public func addCheckpoint(_ body: [UInt8], now: UInt64 = UInt64(Date().timeIntervalSince1970)) -> Answer {
        guard body.count <= Witness.maximumRequest, let text = String(validating: body, as: UTF8.self) else {
            return .error(400, "the request is not UTF-8 text of at most \(Witness.maximumRequest) bytes")
        }
        guard let blank = text.range(of: "\n\n") else { return .error(400, "no empty line after the old size and the proof") }
        let head = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old "), let old = UInt64(first.dropFirst(4)),
              String(old) == first.dropFirst(4) else {
            return .error(400, "the first line must be `old N` (the size of the checkpoint cosigned before, 0 for none)")
        }
        var proof: [[UInt8]] = []
        for line in head.dropFirst() {
            guard let hash = Data(base64Encoded: String(line)), hash.count == 32 else { return .error(400, "a consistency proof line is not a base64 SHA-256 hash") }
            proof.append(Array(hash))
        }
        guard proof.count <= 63 else { return .error(400, "more than 63 consistency proof lines") }
        let noteText = String(text[blank.upperBound...])
        let note: SignedNote, checkpoint: Checkpoint
        do {
            note = try SignedNote(parsing: noteText)
            checkpoint = try Checkpoint(parsing: note.text)
        } catch {
            return .error(400, "the checkpoint is malformed: \(error)")
        }
        let trusted = logs.filter { $0.name == checkpoint.origin }
        guard !trusted.isEmpty else { return .error(404, "this witness does not witness the log \(checkpoint.origin)") }
        do { _ = try note.verify(trusting: trusted) } catch {
            return .error(403, "the checkpoint is not signed by a key this witness trusts for \(checkpoint.origin): \(error)")
        }
        guard old <= checkpoint.size else { return .error(400, "the old size \(old) is larger than the checkpoint's size \(checkpoint.size)") }
        return lock.withLock { () -> Answer in
            let latest: Checkpoint?
            do { latest = try self.latest(of: checkpoint.origin) } catch { return .error(500, "\(error)") }
            let latestSize = latest?.size ?? 0
            guard old == latestSize else {
                return Answer(status: 409, contentType: "text/x.tlog.size", body: "\(latestSize)\n")
            }
            if let latest {
                if old == checkpoint.size {
                    guard latest.rootHash == checkpoint.rootHash else {
                        return Answer(status: 409, contentType: "text/x.tlog.size", body: "\(latestSize)\n")
                    }
                } else {
                    do {
                        try Merkle.verifyConsistency(oldSize: old, newSize: checkpoint.size, oldRoot: latest.rootHash, newRoot: checkpoint.rootHash, proof: proof)
                    } catch {
                        return .error(422, "the consistency proof from size \(old) does not verify: \(error)")
                    }
                }
            } else if !proof.isEmpty {
                return .error(400, "a consistency proof from size 0 must be empty")
            }
            let line: String
            do {
                line = try Cosignature.sign(checkpointText: note.text, with: key, time: now)
                try persist(noteText, origin: checkpoint.origin)
            } catch {
                return .error(500, "the witness cannot record the checkpoint: \(error)")
            }
            return Answer(status: 200, contentType: "text/plain; charset=utf-8", body: line)
        }
    }

    private func stateFile(_ origin: String) -> String {
        directory + "/state/" + Hex.encode(Digest(hashing: Array(origin.utf8)).bytes)
    }

    /// The latest checkpoint of `origin` this witness cosigned, nil before the first.
    func latest(of origin: String) throws -> Checkpoint? {
        guard let bytes = FileManager.default.contents(atPath: stateFile(origin)) else { return nil }
        do {
            let checkpoint = try Checkpoint(parsing: SignedNote(parsing: String(decoding: bytes, as: UTF8.self)).text)
            guard checkpoint.origin == origin else { throw RecordError("it names another log") }
            return checkpoint
        } catch {
            throw LineageError.storage("the witness's state for \(origin) is damaged (\(error)); restore it from a backup")
        }
    }

    /// Writes the cosigned checkpoint durably (temporary file, fsync, rename, fsync of the directory).
    private func persist(_ note: String, origin: String) throws {
        let file = stateFile(origin), temporary = file + ".tmp"
        let bytes = Array(note.utf8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LineageError.storage("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = write(descriptor, bytes, bytes.count)
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, file) == 0 else {
            unlink(temporary)
            throw LineageError.storage("cannot write \(file): \(String(cString: strerror(errno)))")
        }
        let state = open(directory + "/state", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if state >= 0 {
            fsync(state)
            close(state)
        }
    }
}
