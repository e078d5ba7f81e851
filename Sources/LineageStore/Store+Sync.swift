import Foundation
import GitStore
import LineageCore

/// What `pull` did.
public struct PullReport: Sendable {
    public let remote: Remote
    public let origin: String
    /// The log's size before and after.
    public let sizeBefore: UInt64
    public let size: UInt64
    /// The batches added.
    public let batches: Int
    /// Keys the remote published that this store now trusts.
    public let newKeys: [VerifierKey]
    /// On the first pull of a copy: the key that vouched for the log's keys, and whether it was
    /// pinned by fingerprint (false: trusted on first use).
    public let firstKey: (key: VerifierKey, pinned: Bool)?
    /// Cosigned checkpoints taken (checked against the keys and the log; see `importCosigned`).
    public let cosigned: Int
    /// The log's signed checkpoint after the pull (nil for an empty log).
    public let checkpoint: String?
    /// False when the remote holds no log of this store's origin (a store that owns its log may pull
    /// other origins' logs from a remote it never pushed to).
    public var atRemote = true
    /// The other origins' logs pulled with it (see Store+Origins), in the order of their origins.
    public var others: [PullReport] = []
}

/// What `push` did.
public struct PushReport: Sendable {
    public let remote: Remote
    public let origin: String
    /// The remote log's size before the push (nil when it had none).
    public let remoteSizeBefore: UInt64?
    public let size: UInt64
    /// False when the remote already held this log as it is.
    public let pushed: Bool
}

extension Store {
    /// Fetches the remote's logs and published keys, with the stock git program, into staging refs
    /// (`refs/lineage/incoming/<remote>/log/*`, `…/keys/*`) that nothing reads as the log. Returns
    /// the staging prefix; the caller removes it when done.
    /// A copy of another origin's log held under a store's `origins/` fetches only refs of its own
    /// origin (and of origins whose names extend it: a refspec pattern cannot say less).
    func fetch(_ remote: Remote) throws -> String {
        let staging = "refs/lineage/incoming/" + remote.name
        try clearStaging(staging)
        let pattern = isHeldCopy ? origin + "*" : "*"
        do {
            try GitProgram.run(gitDirectory: path, [
                "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules", "--", remote.url,
            ] + ["log", "keys", "cosigned"].map { "+refs/lineage/\($0)/\(pattern):\(staging)/\($0)/\(pattern)" })
        } catch let failure as GitProgram.Failure {
            throw LineageError(failure.status == -1 ? .storage : .notFound,
                               "cannot fetch from \(remote.url) (git: \(failure.message)); check the URL (`lineage remote list`) and that it is a lineage store or a repository a store pushed to")
        }
        // Which logs the remote holds, remembered for the advice on a link to a log not pulled.
        if !isHeldCopy { try? repository.setConfigValue("remote.\(remote.name).lineageorigins", try fetchedOrigins(staging).joined(separator: " ")) }
        return staging
    }

    /// Removes the staging refs of a fetch.
    func clearStaging(_ staging: String) throws {
        do {
            for name in try repository.referenceNames(matching: staging + "/*") { try repository.deleteReference(name) }
        } catch {
            throw LineageError.wrap(error, context: "cannot clear the refs fetched earlier from a remote")
        }
    }

    /// The origins whose logs a fetch brought.
    private func fetchedOrigins(_ staging: String) throws -> [String] {
        try repository.referenceNames(matching: staging + "/log/*").map { String($0.dropFirst((staging + "/log/").count)) }
    }

    /// The fetched log of this store's origin; nil when the remote holds none but other origins' logs
    /// and this store owns its log; otherwise not found, naming what the remote holds.
    private func fetchedLog(_ staging: String, from remote: Remote) throws -> ObjectID? {
        if let head = try repository.referenceTarget(staging + "/log/" + origin) { return head }
        let others = try fetchedOrigins(staging)
        if others.isEmpty {
            throw LineageError.notFound("\(remote.url) holds no lineage log (no refs/lineage/log/*): it is not a lineage store, or nothing was pushed to it yet")
        }
        if copiedFrom == nil { return nil }
        throw LineageError.notFound("\(remote.url) holds no log for \(origin), only for \(others.joined(separator: ", ")); this store follows \(origin)")
    }

    /// Brings the log of this store's origin from a remote, as the remote holds it, if and only if
    /// it is an append-only extension of the log here (of the checkpoint this store last verified):
    /// every new batch is checked as `verify` checks it (records, links, Merkle roots, checkpoint
    /// and commit signatures). A rollback or a fork is a verdict naming both checkpoints, and
    /// nothing changes. New keys the remote publishes are trusted only when signed by a key trusted
    /// here; a store with no keys yet (a fresh copy) takes them on first use, or checks their
    /// signer against `keyFingerprint`. Erasure records that arrive erase the local copies of
    /// those payloads, as indexing does for any batch.
    ///
    /// Then the logs of the other origins the remote holds (all of them, or those in `origins`) are
    /// pulled the same way into the copies this store keeps of them (see Store+Origins), each made
    /// on its first pull (its keys taken on first use, or, with `origins` naming one other origin,
    /// checked against `keyFingerprint`). A copy of another origin's log pulls only that log.
    public func pull(from remoteName: String, keyFingerprint: String? = nil, origins: [String]? = nil,
                     progress: ((UInt64) -> Void)? = nil) throws -> PullReport {
        let remote = try remote(named: remoteName)
        let pinned = origins?.count == 1 && origins?.first != origin ? origins?.first : nil
        let staging = try fetch(remote)
        defer { try? clearStaging(staging) }
        let wanted = isHeldCopy ? [] : try fetchedOrigins(staging).filter { $0 != origin && origins?.contains($0) != false }
        if let origins, let absent = origins.first(where: { $0 != origin && !wanted.contains($0) }) {
            throw LineageError.notFound("\(remote.url) holds no log for \(absent); it holds \(try fetchedOrigins(staging).joined(separator: ", ")); nothing was pulled")
        }
        var report = try pullOwnLog(staging, remote: remote, keyFingerprint: pinned == nil ? keyFingerprint : nil, progress: progress)
        report.others = try wanted.map { try pullHeldOrigin($0, from: remote, keyFingerprint: $0 == pinned ? keyFingerprint : nil) }
        if !wanted.isEmpty { try nameDeploymentsAcrossLogs() }
        return report
    }

    private func pullOwnLog(_ staging: String, remote: Remote, keyFingerprint: String?, progress: ((UInt64) -> Void)?) throws -> PullReport {
        let (lock, tip) = try lockForChange()
        defer { withExtendedLifetime(lock) {} }
        guard let incoming = try fetchedLog(staging, from: remote) else {
            var report = PullReport(remote: remote, origin: origin, sizeBefore: tip.size, size: tip.size, batches: 0, newKeys: [],
                                    firstKey: nil, cosigned: 0, checkpoint: try latestCheckpoint())
            report.atRemote = false
            return report
        }
        let (trusted, newKeys, firstKey, keysCommit) = try fetchedKeys(staging, from: remote, keyFingerprint: keyFingerprint)
        // What was pulled, once the log is in place: the cosigned checkpoints that came with it kept too.
        func report(size: UInt64, batches: Int) throws -> PullReport {
            let cosigned = try repository.referenceTarget(staging + "/cosigned/" + origin).map(importCosigned) ?? 0
            return PullReport(remote: remote, origin: origin, sizeBefore: tip.size, size: size, batches: batches,
                              newKeys: newKeys, firstKey: firstKey, cosigned: cosigned, checkpoint: try latestCheckpoint())
        }
        guard incoming != tip.commit else {
            try adoptKeys(newKeys, commit: keysCommit)
            return try report(size: tip.size, batches: 0)
        }
        let added = try verifyExtension(to: incoming, from: tip, keys: trusted, remote: remote, progress: progress)
        try adoptKeys(newKeys, commit: keysCommit)
        do {
            try repository.updateReference(logReference, to: incoming, expecting: tip.commit, message: "lineage: pull from \(remote.name)")
        } catch GitError.modified, GitError.exists {
            throw LineageError.storage("another writer moved the log during the pull; nothing was pulled, run the command again")
        } catch {
            throw LineageError.wrap(error, context: "cannot move the log to what was pulled")
        }
        try syncIndex(holdingLock: true) { progress?(UInt64($0)) }
        try checkHistory(holdingLock: true)
        return try report(size: added.size, batches: added.batches)
    }

    /// The keys the remote published for this origin, checked (see `pull`): the keys to verify the
    /// incoming log with, those new here, the first-use key, and the keys commit to adopt.
    private func fetchedKeys(_ staging: String, from remote: Remote, keyFingerprint: String?) throws
        -> (trusted: [VerifierKey], new: [VerifierKey], first: (key: VerifierKey, pinned: Bool)?, commit: ObjectID?)
    {
        let trusted = try trustedKeys()
        let local = try repository.referenceTarget(Store.keysReference(origin))
        guard let commit = try repository.referenceTarget(staging + "/keys/" + origin), commit != local else {
            guard !trusted.isEmpty else {
                throw LineageError.notFound("\(remote.url) publishes no keys for \(origin) (refs/lineage/keys/\(origin)): the store that owns the log publishes them with its next `lineage push` or record")
            }
            return (trusted, [], nil, nil)
        }
        let published = try readPublishedKeys(commit, trusting: trusted.isEmpty ? nil : trusted)
        var first: (VerifierKey, Bool)?
        if trusted.isEmpty {
            if let keyFingerprint, published.signer.fingerprint != keyFingerprint {
                throw LineageError(.verdict, "the log \(origin) at \(remote.url) is vouched for by the key \(published.signer.fingerprint), not the pinned \(keyFingerprint): refusing it; nothing was changed")
            }
            first = (published.signer, keyFingerprint != nil)
        }
        let new = published.keys.filter { !trusted.contains($0) }
        return (trusted + new, new, first, commit)
    }

    /// Trusts the keys a pull brought and moves the local keys ref to the remote's.
    private func adoptKeys(_ keys: [VerifierKey], commit: ObjectID?) throws {
        if !keys.isEmpty {
            try trust(keys)
            try configureSignatureChecks()
        }
        guard let commit else { return }
        do {
            let reference = Store.keysReference(origin)
            try repository.updateReference(reference, to: commit, expecting: try repository.referenceTarget(reference), message: "lineage: keys pulled")
        } catch {
            throw LineageError.wrap(error, context: "cannot record the pulled keys")
        }
    }

    /// Checks that the log ending at `head` extends the log here (`tip`) and that each batch it
    /// adds is sound; returns how many batches it adds and its size.
    private func verifyExtension(to head: ObjectID, from tip: LogTip, keys: [VerifierKey], remote: Remote,
                                 progress: ((UInt64) -> Void)?) throws -> (batches: Int, size: UInt64) {
        let chain = try logChain(from: head)
        if let local = tip.commit, !(chain.count >= tip.batches && chain[Int(tip.batches) - 1].id == local) {
            throw try divergence(theirs: chain.last, tip: tip, remote: remote)
        }
        let added = Array(chain[Int(tip.batches)...])
        let reader = VerifyReader(chain: added, path: path, firstBatch: Int(tip.batches), firstSeq: tip.size)
        var range = try index.compactRange()
        guard range.size == tip.size, range.root == tip.root else {
            throw LineageError.storage("the index does not agree with the log; run `lineage verify`; nothing was pulled")
        }
        var known = SeenRecords(), foreign = ForeignLinks()
        for (offset, commit) in added.enumerated() {
            let batch = tip.batches + Int64(offset), label = VerifyReader.label(Int(batch), commit), firstSeq = range.size
            guard commit.parents.count <= 1 else { throw verdict("\(remote.url): \(label) is a merge commit; the log is a single line of batches") }
            let message = BatchMessage.parse(commit.message, origin: origin)
            let loaded = try reader.batch(offset).get()
            let records = try verifiedRecords(loaded.records, label: label, firstSeq: firstSeq, known: &known, foreign: &foreign, verifiedBefore: Int64(tip.size))
            guard message.origin == origin, message.batch == batch, message.firstSeq == Int64(firstSeq),
                  message.lastSeq == Int64(firstSeq) + Int64(records.count) - 1 else {
                throw verdict("\(remote.url): \(label): its message does not say it is batch \(batch) holding records \(firstSeq)..\(Int64(firstSeq) + Int64(records.count) - 1)")
            }
            for piece in loaded.pieces { range.append(subtree: piece.hash, level: piece.level) }
            try checkCheckpoint(message.checkpointNote, label: label, range: range, keys: keys, batch: batch, firstSeq: firstSeq, records: records)
            try checkCommitSignature(commit, label: label, keys: keys)
            progress?(range.size)
            reader.release(loaded, records)
        }
        if let later = foreign.laterInLog(known) { throw verdict("\(remote.url): " + Store.linkForward(to: later).message) }
        return (added.count, range.size)
    }

    /// The verdict on a remote log that does not contain the batches here: a rollback when it is
    /// shorter, a fork otherwise; both checkpoints named.
    private func divergence(theirs head: CommitInfo?, tip: LogTip, remote: Remote) throws -> LineageError {
        let ours = "size \(tip.size), root \(Data(tip.root).base64EncodedString())"
        let stated = head.flatMap { BatchMessage.parse($0.message, origin: origin).checkpointNote }
            .flatMap { try? Checkpoint(parsing: SignedNote(parsing: $0).text) }
        let their = stated.map { "size \($0.size), root \(Data($0.rootHash).base64EncodedString())" } ?? "an unreadable checkpoint"
        if let head, try logChain().contains(where: { $0.id == head.id }) {
            return verdict("ROLLBACK: \(remote.url) holds the log \(origin) at \(their), behind the checkpoint this store verified (\(ours)): the remote's log was rolled back or truncated; nothing was changed")
        }
        return verdict("FORK: \(remote.url) holds the log \(origin) at \(their), which does not contain the checkpoint this store verified (\(ours)): two histories of one log; nothing was changed")
    }

    /// Sends this store's log of its origin and its published keys to a remote, which must hold
    /// no log of the origin yet or a log this one extends (no force: a remote ahead or forked is
    /// refused, naming both).
    public func push(to remoteName: String) throws -> PushReport {
        let remote = try remote(named: remoteName)
        try ensureKeysPublished()
        let staging = try fetch(remote)
        defer { try? clearStaging(staging) }
        let tip = try logTip()
        guard let local = tip.commit else {
            throw LineageError.input("the log is empty: there is nothing to push yet; record something first")
        }
        var remoteSize: UInt64?, upToDate = false
        if let theirs = try repository.referenceTarget(staging + "/log/" + origin) {
            let theirTip = try logChain(from: theirs).last.flatMap { BatchMessage.parse($0.message, origin: origin).checkpointNote }
                .flatMap { try? Checkpoint(parsing: SignedNote(parsing: $0).text) }
            remoteSize = theirTip?.size
            upToDate = theirs == local
            let chain = try logChain()
            guard upToDate || chain.contains(where: { $0.id == theirs }) else {
                if try logChain(from: theirs).contains(where: { $0.id == local }) {
                    throw LineageError.input("\(remote.url) holds the log \(origin) ahead of this store (size \(remoteSize.map(String.init) ?? "?") against \(tip.size)): pull first with `lineage pull \(remote.name)`; nothing was pushed")
                }
                throw try divergence(theirs: try? repository.readCommit(theirs), tip: tip, remote: remote).pushing
            }
        }
        var refspecs = ["\(logReference):\(logReference)"]
        let keys = Store.keysReference(origin), cosigned = Store.cosignedReference(origin)
        if try repository.referenceTarget(keys) != nil { refspecs.append("\(keys):\(keys)") }
        // The cosigned checkpoints go too, replacing the remote's (each note checks itself on arrival).
        try publishCosigned()
        let cosignedCommit = try repository.referenceTarget(cosigned)
        if cosignedCommit != nil { refspecs.append("+\(cosigned):\(cosigned)") }
        if upToDate, cosignedCommit == (try repository.referenceTarget(staging + "/cosigned/" + origin)) {
            return PushReport(remote: remote, origin: origin, remoteSizeBefore: remoteSize, size: tip.size, pushed: false)
        }
        do {
            try GitProgram.run(gitDirectory: path, ["push", "--quiet", "--atomic", "--no-verify", "--", remote.url] + refspecs)
        } catch let failure as GitProgram.Failure {
            throw LineageError.storage("cannot push to \(remote.url) (git: \(failure.message)); nothing was pushed if git says it rejected the update")
        }
        return PushReport(remote: remote, origin: origin, remoteSizeBefore: remoteSize, size: tip.size, pushed: !upToDate)
    }
}

private extension LineageError {
    /// A divergence seen while pushing: the same facts, said for a push.
    var pushing: LineageError {
        LineageError(kind, message.replacingOccurrences(of: "nothing was changed", with: "nothing was pushed"))
    }
}
