import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineageCore

/// The last checkpoint this store wrote or verified for its origin (`checkpoints/<origin>`: the
/// checkpoint's text, origin, size and root, as computed from the records), held by the store as a client of its own log: every command checks that the log
/// is an append-only extension of it, so a log rolled back or rewritten (even re-signed with the
/// store's own key) is refused until the user accepts it with `lineage reindex --accept-rewrite`.
extension Store {
    var rememberedCheckpointPath: String { path + "/checkpoints/" + origin }
    /// One line per rewrite the user accepted: when, by whom, and both checkpoints.
    var acceptedRewritesPath: String { path + "/checkpoints/" + origin + ".accepted" }

    /// The remembered checkpoint, or nil when none was remembered yet (a new store, or one made
    /// before this was kept).
    func rememberedCheckpoint() throws -> Checkpoint? {
        // POSIX calls only: Foundation's first use costs a command ~0.1-0.5 ms (see FileBytes).
        guard let bytes = FileBytes.read(rememberedCheckpointPath) else {
            if errno == ENOENT { return nil }
            throw LineageError.storage("the remembered checkpoint \(rememberedCheckpointPath) cannot be read (\(String(cString: strerror(errno)))); check its permissions")
        }
        guard let checkpoint = try? Checkpoint(parsing: String(decoding: bytes, as: UTF8.self)),
              checkpoint.origin == origin else {
            throw LineageError.storage("the remembered checkpoint \(rememberedCheckpointPath) cannot be read; restore it from a copy, or accept the log as it is with `lineage reindex --accept-rewrite`")
        }
        return checkpoint
    }

    /// Remembers the log's state after `size` records with root `root`. Best effort: a store the
    /// user may only read keeps what it had, and says nothing.
    func remember(size: UInt64, root: [UInt8]) {
        let note = Array(Checkpoint(origin: origin, size: size, rootHash: root).text.utf8)
        let temporary = rememberedCheckpointPath + ".\(getpid()).tmp"
        var descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == ENOENT {
            // The first time: make checkpoints/ and the origin's directories (the origin may hold '/').
            try? FileManager.default.createDirectory(atPath: (rememberedCheckpointPath as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { return }
        let written = Glibc.write(descriptor, note, note.count)
        close(descriptor)
        if written != note.count || rename(temporary, rememberedCheckpointPath) != 0 { unlink(temporary) }
    }

    /// Checks that the indexed log extends the remembered checkpoint, and remembers the log's
    /// current checkpoint once it does. The index must be in step with the log (the caller synced
    /// it). Throws a verdict (exit 1) naming both checkpoints when the log was rolled back or rewritten.
    /// `known`: the index's state, when the caller just read it.
    func checkHistory(holdingLock: Bool = false, known: (size: UInt64, root: [UInt8])? = nil) throws {
        var (size, root) = try known ?? indexedState()
        guard let remembered = try rememberedCheckpoint() else { return remember(size: size, root: root) }
        // Another process may have appended (and remembered) after this one synced its index.
        var attempts = 0
        while remembered.size > size, !holdingLock, attempts < 3 {
            let before = try index.indexedHead()
            try syncIndex()
            (size, root) = try indexedState()
            if try index.indexedHead() == before { break }
            attempts += 1
        }
        if remembered.size == size, remembered.rootHash == root { return }
        try judge(remembered, size: size, root: root, prefixRoot: remembered.size <= size ? try indexedPrefixRoot(remembered.size) : nil)
    }

    /// The size and root of the log as the index holds it.
    private func indexedState() throws -> (size: UInt64, root: [UInt8]) {
        let range = try index.compactRange()
        return (range.size, range.root)
    }

    /// The Merkle root of the log's first `size` records, from the index's subtree hashes.
    private func indexedPrefixRoot(_ size: UInt64) throws -> [UInt8] {
        try Merkle.rangeHash(StoreTree(store: self), 0, size)
    }

    /// Refuses a log of `size` records and `root` that does not extend `remembered` (`prefixRoot`:
    /// the root of its first `remembered.size` records, nil when it has fewer); else remembers it.
    private func judge(_ remembered: Checkpoint, size: UInt64, root: [UInt8], prefixRoot: [UInt8]?) throws {
        guard remembered.size <= size else {
            throw rewriteVerdict(remembered, size: size, root: root,
                                 detail: "the log holds \(size) records, fewer than the \(remembered.size) of the last checkpoint this store wrote or verified: it was rolled back or truncated")
        }
        guard prefixRoot == remembered.rootHash else {
            throw rewriteVerdict(remembered, size: size, root: root,
                                 detail: "the log's first \(remembered.size) records are not those of the last checkpoint this store wrote or verified: its history was rewritten")
        }
        remember(size: size, root: root)
    }

    /// Checks a log that `verify` recomputed (its size, its root, and the root of its first
    /// `remembered.size` leaves when it reached that size) against the remembered checkpoint, and
    /// remembers the log's state when it extends it.
    func checkVerifiedHistory(size: UInt64, root: [UInt8], prefixRoot: [UInt8]?, remembered: Checkpoint?) throws {
        guard let remembered else { return remember(size: size, root: root) }
        // The log may have grown after verify read it: judge a shorter log only if it did not move.
        if remembered.size > size, try logTip().size != size { return }
        try judge(remembered, size: size, root: root, prefixRoot: prefixRoot)
    }

    private func rewriteVerdict(_ remembered: Checkpoint, size: UInt64, root: [UInt8], detail: String) -> LineageError {
        LineageError(.verdict, "\(detail) (remembered: size \(remembered.size), root \(Data(remembered.rootHash).base64EncodedString()); now: size \(size), root \(Data(root).base64EncodedString())); nothing is read or written until you accept the new history on purpose with `lineage reindex --accept-rewrite`")
    }

    /// Accepts the log as it now is, after `reindex`: remembers its checkpoint and, when it does not
    /// extend the one remembered before, appends a line saying so to `checkpoints/<origin>.accepted`.
    /// Returns that line, or nil when the log extended the remembered checkpoint anyway.
    public func acceptRewrite(actor: String) throws -> String? {
        let remembered = try? rememberedCheckpoint()
        let (size, root) = try indexedState()
        var extends = remembered == nil
        if let remembered, remembered.size <= size { extends = try indexedPrefixRoot(remembered.size) == remembered.rootHash }
        remember(size: size, root: root)
        guard !extends else { return nil }
        let time = RecordTime.format(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let line = "\(time) \(actor) accepted a rewritten log: remembered size \(remembered?.size ?? 0) root \(remembered.map { Data($0.rootHash).base64EncodedString() } ?? "?"), now size \(size) root \(Data(root).base64EncodedString())"
        try? FileManager.default.createDirectory(atPath: (acceptedRewritesPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = Glibc.open(acceptedRewritesPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LineageError.storage("cannot record the accepted rewrite in \(acceptedRewritesPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count else {
            throw LineageError.storage("cannot record the accepted rewrite in \(acceptedRewritesPath): \(String(cString: strerror(errno)))")
        }
        return line
    }
}
