import Foundation
import GitStore
import LineageCore

/// The result of a write: the batch that landed, if anything new was written.
public struct AppendResult: Sendable {
    /// The batch appended, or nil when every record already existed.
    public let batch: BatchInfo?
}

extension Store {
    /// Runs `body` under the store's write lock and appends what it added as one batch: one commit
    /// on the log ref, moved by compare-and-swap. If `body` throws, nothing is written.
    /// `prewritten`: the batch's segments, if a `BatchPrewriter` guessed them; used only if they fit.
    public func write<T>(actor: String, prewritten: PrewrittenBatch? = nil, _ body: (WriteTransaction) throws -> T) throws -> (T, AppendResult) {
        let (lock, tip) = try lockForChange()
        defer { withExtendedLifetime(lock) {} }
        try ensureKeysPublished()
        try removeOrphanPacks()
        return try index.batchReads(forWriting: true) {
            let transaction = WriteTransaction(store: self)
            let value = try body(transaction)
            guard !transaction.pending.isEmpty else { return (value, AppendResult(batch: nil)) }
            let batch = try append(transaction, tip: tip, actor: actor, prewritten: prewritten)
            return (value, AppendResult(batch: batch))
        }
    }

    /// Takes the write lock and brings the index and the remembered checkpoint in step with the
    /// log: what every change to the log (a batch, a pull) starts with. The lock is held until the
    /// returned `WriteLock` is released.
    func lockForChange() throws -> (WriteLock, LogTip) {
        let lock = try WriteLock(path: (path as NSString).appendingPathComponent("lock"))
        try removeStaleRefLocks()
        try syncIndex(holdingLock: true)
        // The next position, batch number and Merkle state come from the log's head, never from the
        // index alone: an index that disagrees is rebuilt before anything is built on it.
        let tip = try logTip()
        try ensureIndexAgrees(with: tip)
        try checkHistory(holdingLock: true, known: (tip.size, tip.root))
        return (lock, tip)
    }

    private func append(_ transaction: WriteTransaction, tip: LogTip, actor: String, prewritten: PrewrittenBatch?) throws -> BatchInfo {
        let records = transaction.pending
        let parent = tip.commit
        let number = tip.batches
        let firstSeq = Int64(tip.size)
        let guessed = prewritten.flatMap { $0.fits(records, firstSeq: firstSeq) ? $0 : nil }
        // The subject names the records only when there are a few.
        let labels = try records.count > BatchMessage.namedRecords ? [] : records.map { record -> String in
            let name = try transaction.indexName(of: record)
            return BatchMessage.label(kind: record.kind, name: name, version: record.version, id: record.id)
        }
        let key = try signingKey()
        let (range, nodes) = try extendedRange(by: transaction.leaves)
        let checkpoint = Checkpoint(origin: origin, size: range.size, rootHash: range.root)
        let note = try LineageError.catching { try SignedNote.sign(checkpoint.text, with: [key]) }
        let message = BatchMessage.compose(labels: labels, kinds: records.map(\.kind), batch: number,
                                           firstSeq: firstSeq, origin: origin, checkpointNote: note)
        let commit: ObjectID, written: [(ObjectID, Segment.Part)]
        do {
            written = try guessed?.parts
                ?? Segment.encode(records, firstSeq: UInt64(firstSeq)).map { (try repository.writeBlob($0.bytes), $0) }
            let tree = try repository.writeTree(written.map { TreeEntry(name: $0.1.name, id: $0.0) })
            let now = Int64(Date().timeIntervalSince1970)
            commit = try repository.writeCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message,
                                                      signature: BatchMessage.signature(actor: actor, time: now)) { content in
                try SSHSignature.sign(content, with: key)
            }
            // Payloads are durable before the ref moves, in a pack named for the batch's commit: a
            // crash after the move leaves none acknowledged and lost, one before it leaves a pack of
            // no batch, which the next writer removes.
            try payloads.writePack(transaction.stagedPayloads, name: commit.hex)
            do {
                try repository.updateReference(logReference, to: commit, expecting: parent,
                                               message: "lineage: append batch \(number)")
            } catch {
                // Refused at the ref: certainly not landed. Other failures leave it to the next writer.
                if GitError.modified ~= error || GitError.exists ~= error { payloads.removePack(commit.hex) }
                throw error
            }
            // For the crash tests: die the moment the batch has landed, before anything else.
            if getenv("LINEAGE_TEST_KILL_AFTER_REF_MOVE") != nil { kill(getpid(), SIGKILL) }
        } catch GitError.modified, GitError.exists {
            throw LineageError.storage("another writer moved the log while this batch was being written; nothing was written, run the command again")
        } catch {
            throw LineageError.wrap(error, context: "cannot append batch \(number)")
        }
        remember(size: range.size, root: range.root)
        guessed?.used = true
        let info = BatchInfo(number: number, commit: commit, segment: written[0].0, firstSeq: firstSeq, count: Int64(records.count))
        try addToIndex(batch: info, parts: written, records: records, transaction: transaction, range: range, nodes: nodes)
        return info
    }
}

extension Store {
    /// How old a temporary object file must be to be taken as left behind.
    static let staleTemporaryObjectSeconds = 300

    /// Removes the log ref's lock file a writer killed while moving the ref leaves behind (it would
    /// make every later write fail), under the write lock, so no live lineage writer owns it. Says
    /// so on stderr. POSIX calls only: this runs before every write.
    func removeStaleRefLocks() throws {
        for lock in [path + "/" + logReference + ".lock", path + "/packed-refs.lock"] where access(lock, F_OK) == 0 {
            guard unlink(lock) == 0 || errno == ENOENT else {
                throw LineageError.storage("cannot remove the stale lock \(lock) left by a writer that was killed: \(String(cString: strerror(errno)))")
            }
            notice("removed \(lock), left by a writer that was killed while moving the log ref")
        }
    }

    /// Removes what a killed writer leaves behind: stale ref locks, and libgit2's temporary object
    /// files (only garbage, never in the way of a write: removed by `reindex`, not by every write).
    func removeStaleLeftovers() throws {
        try removeStaleRefLocks()
        // Temporary object files only when older than a few minutes: ingest writes segments ahead on a
        // thread that does not hold the lock, and another writer's fresh files may be in progress.
        guard let directory = opendir(path + "/objects") else { return }
        defer { closedir(directory) }
        var removed = 0
        let cutoff = time(nil) - Store.staleTemporaryObjectSeconds
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("tmp_object_git2_") else { continue }
            var info = stat()
            let file = path + "/objects/" + name
            if stat(file, &info) == 0, info.st_mtim.tv_sec < cutoff, unlink(file) == 0 { removed += 1 }
        }
        if removed > 0 { notice("removed \(removed) temporary object file\(removed == 1 ? "" : "s") left by a writer that was killed or failed") }
    }
}
