import Foundation
import GitStore
import LineageCore

extension Store {
    /// Recomputes every id, link, leaf and root of the log, checks every checkpoint and commit
    /// signature against the trusted keys, checks the index against the log and, given an earlier
    /// signed checkpoint, proves the log is an append-only extension of it. Throws a verdict error
    /// (exit 1) naming the first record or batch that fails.
    public func verify(against earlier: String? = nil, progress: ((UInt64) -> Void)? = nil) throws -> VerifyReport {
        // One read transaction: the index is compared as of one moment, and lookups share its locks.
        try index.batchReads { try verifyLog(against: earlier, progress: progress) }
    }

    private func verifyLog(against earlier: String?, progress: ((UInt64) -> Void)?) throws -> VerifyReport {
        let keys = try trustedKeys()
        guard !keys.isEmpty else { throw LineageError.notFound("this store trusts no key; add one with `lineage key trust`") }
        var report = VerifyReport()
        var range = CompactRange()
        // Every leaf hash, for the consistency proof `--against` asks for (32 bytes a record: kept only then).
        var leaves = FlatTree()
        var known = SeenRecords()
        var foreign = ForeignLinks()
        var targets: [Digest: Int64] = [:]
        // The keys each indexed batch's records should have in the index, and where each batch starts.
        var expectedKeys: [KeyTally] = [], batchStarts: [Int64] = []
        // The last checkpoint this store wrote or verified, and the log's root when it had that size.
        let remembered = try rememberedCheckpoint()
        var prefixRoot: [UInt8]? = remembered?.size == 0 ? Merkle.emptyRoot : nil
        // The index is read first, which fixes the read snapshot: a writer moves the log ref before
        // it updates the index, so the log read after it holds at least what the snapshot indexed.
        let indexedHead = try index.indexedHead()
        let chain = try logChain()
        let reader = VerifyReader(chain: chain, path: path, allLeaves: earlier != nil, sizeOfInterest: remembered?.size)
        let indexedBatches = indexedHead.flatMap { head in chain.firstIndex { $0.id == head } }.map { Int64($0) + 1 } ?? 0
        // Reported after the log itself is checked, so that a broken batch is named first.
        let indexAhead = indexedHead.map { head in !chain.contains { $0.id == head } } ?? false
        let keyScan = indexedBatches > 0 ? KeyTallyScan(index: index, batches: indexedBatches) : nil
        var audit = PayloadAudit()
        for (number, commit) in chain.enumerated() {
            let batch = Int64(number)
            let label = VerifyReader.label(number, commit)
            let firstSeq = range.size
            guard commit.parents.count <= 1 else { throw verdict("\(label) is a merge commit; the log is a single line of batches") }
            let message = BatchMessage.parse(commit.message, origin: origin)
            let loaded = try reader.batch(number).get()
            let records = try verifiedRecords(loaded.records, label: label, firstSeq: firstSeq, known: &known, foreign: &foreign)
            guard message.origin == origin, message.batch == batch, message.firstSeq == Int64(firstSeq),
                  message.lastSeq == Int64(firstSeq) + Int64(records.count) - 1 else {
                throw verdict("\(label): its message says batch \(message.batch.map(String.init) ?? "?") with records \(message.firstSeq.map(String.init) ?? "?")..\(message.lastSeq.map(String.init) ?? "?"), but it is batch \(batch) holding records \(firstSeq)..\(Int64(firstSeq) + Int64(records.count) - 1): batches were removed, inserted or reordered")
            }
            for piece in loaded.pieces {
                range.append(subtree: piece.hash, level: piece.level)
                if earlier != nil { leaves.append(piece.hash) }
                if range.size == remembered?.size { prefixRoot = range.root }
            }
            try checkCheckpoint(message.checkpointNote, label: label, range: range, keys: keys, batch: batch, firstSeq: firstSeq, records: records)
            report.checkpointSignatures += 1
            try checkCommitSignature(commit, label: label, keys: keys)
            report.commitSignatures += 1
            try auditPayloads(of: commit.id, label: label, records: records, firstSeq: firstSeq, into: &audit)
            if batch < indexedBatches {
                try checkIndex(batch: batch, commit: commit, records: records, firstSeq: firstSeq, known: known, targets: &targets)
                var keys = KeyTally()
                for (i, record) in records.enumerated() { keys.add(seq: Int64(firstSeq) + Int64(i), id: record.id, predictionID: record.predictionID) }
                expectedKeys.append(keys)
                batchStarts.append(Int64(firstSeq))
                report.indexedRecords += UInt64(records.count)
            }
            report.batches += 1
            progress?(range.size)
            // Freed by the thread that read them (most were allocated there), not by this one.
            reader.release(loaded, records)
        }
        if indexAhead {
            throw verdict("the index was built from commit \(indexedHead!.hex.prefix(12)), which the log no longer contains: the log was rolled back or rewritten after it was indexed (if you did that on purpose, run `lineage reindex`)")
        }
        let end = Int64(report.indexedRecords)
        try checkIndexKeys(expected: expectedKeys, batchStarts: batchStarts, end: end,
                           found: keyScan?.tallies(head: indexedHead, batchStarts: batchStarts, end: end))
        report.records = range.size
        report.root = range.root
        if let later = foreign.laterInLog(known) { throw Store.linkForward(to: later) }
        report.foreignLinks = foreign.found
        report.unresolvedLinks = foreign.unresolved.sorted { $0.description < $1.description }
        try checkVerifiedHistory(size: range.size, root: range.root, prefixRoot: prefixRoot, remembered: remembered)
        try finishPayloadAudit(audit, into: &report)
        if let earlier {
            report.extendsCheckpointOfSize = try checkExtends(earlier, size: range.size, root: range.root, leaves: leaves, keys: keys)
        }
        return report
    }

    /// The batch commits, oldest first, following first parents from the log head.
    func logChain() throws -> [CommitInfo] {
        guard let head = try head() else { return [] }
        return try logChain(from: head)
    }

    /// The batch commits from the first to `head`, following first parents.
    func logChain(from head: ObjectID) throws -> [CommitInfo] {
        var cursor = head
        var chain: [CommitInfo] = []
        var seen = Set<ObjectID>()
        do {
            while true {
                guard seen.insert(cursor).inserted else { throw verdict(Store.cycle(at: cursor).message) }
                let commit = try repository.readCommit(cursor)
                chain.append(commit)
                guard let parent = commit.parents.first else { break }
                cursor = parent
            }
        } catch let error as LineageError {
            throw error
        } catch {
            throw verdict("the log cannot be read back to its first batch (\(error)): objects are missing")
        }
        return chain.reversed()
    }

    func verdict(_ message: String) -> LineageError { LineageError(.verdict, message) }

    /// The verdict on a log with a record that links to a record later in the same log.
    static func linkForward(to id: Digest) -> LineageError {
        LineageError(.verdict, "a record links to \(id), which comes later in the same log: links point only to earlier records, so the log was altered")
    }

    /// Checks each record of a batch, read and parsed by `VerifyReader`: new, and linking only to
    /// records earlier in the log or in another origin's log (see `ForeignLinks`).
    /// `verifiedBefore`: the records before this log position are indexed and were verified
    /// before (a pull checks only what it adds); they count as earlier records too.
    func verifiedRecords(_ parsed: [Record], label: String, firstSeq: UInt64, known: inout SeenRecords, foreign: inout ForeignLinks,
                         verifiedBefore: Int64? = nil) throws -> [Record] {
        var records: [Record] = []
        for (i, record) in parsed.enumerated() {
            let seq = firstSeq + UInt64(i)
            // A prediction is remembered at once (one probe of the set checks and adds it); any other
            // record after its links, whose names its own index name may take.
            let isNew = record.kind == .prediction ? known.insert(record, name: nil) : !known.contains(record.id, kind: record.kind)
            guard isNew else { throw verdict("record \(seq) (\(record.id)) in \(label) appears twice in the log") }
            if verifiedBefore != nil, try index.contains(id: record.id) {
                throw verdict("record \(seq) (\(record.id)) in \(label) appears twice in the log")
            }
            for link in record.links {
                var earlier = known.kind(of: link.target)
                if earlier == nil, let verifiedBefore, let indexed = try index.record(id: link.target), indexed.seq < verifiedBefore {
                    earlier = indexed.kind
                }
                if earlier == nil, let recorded = try? index.record(id: link.target), recorded.seq < Int64(seq) {
                    // The index remembers the target at an earlier position: that record was altered.
                    throw verdict("record \(recorded.seq), recorded as \(link.target) (\(recorded.kind)), was altered or replaced: the log no longer holds it (record \(seq) links to it through '\(link.relation)')")
                }
                if earlier == nil {
                    switch try foreign.look(up: link.target, in: self, pulling: verifiedBefore != nil) {
                    case .found(let kind): earlier = kind
                    case .unresolved: continue
                    case .unknown:
                        throw verdict("record \(seq) (\(record.id)) links through '\(link.relation)' to \(link.target), which is not earlier in the log: an upstream record is missing")
                    }
                }
                guard let targetKind = earlier else { continue }
                if case .link(let kinds)? = RecordSchema.of(record.kind).field(link.relation)?.type, !kinds.contains(targetKind) {
                    throw verdict("record \(seq) (\(record.id)) links through '\(link.relation)' to a \(targetKind)")
                }
            }
            if record.kind != .prediction { known.insert(record, name: IndexRow.name(of: record) { known.name(of: $0) ?? foreign.name(of: $0) }) }
            records.append(record)
        }
        return records
    }

    func checkCheckpoint(
        _ note: String?, label: String, range: CompactRange, keys: [VerifierKey], batch: Int64, firstSeq: UInt64, records: [Record]
    ) throws {
        guard let note else { throw verdict("\(label): its message carries no signed checkpoint") }
        let checkpoint: Checkpoint, signed: SignedNote
        do {
            signed = try SignedNote(parsing: note)
            checkpoint = try Checkpoint(parsing: signed.text)
        } catch {
            throw verdict("\(label): its checkpoint is malformed: \(error)")
        }
        guard checkpoint.origin == origin else { throw verdict("\(label): its checkpoint is for the log \(checkpoint.origin), not \(origin)") }
        guard checkpoint.size == range.size, checkpoint.rootHash == range.root else {
            var hint = ""
            for (i, record) in records.enumerated() {
                if let indexed = try? index.record(seq: Int64(firstSeq) + Int64(i)), indexed.id != record.id {
                    hint = "; record \(firstSeq + UInt64(i)) is now \(record.id) but was recorded as \(indexed.id)"
                    break
                }
            }
            throw verdict("\(label): its records do not match its signed checkpoint (size \(checkpoint.size), root \(Data(checkpoint.rootHash).base64EncodedString())); the log there has size \(range.size), root \(Data(range.root).base64EncodedString()): a record was altered, removed, inserted or reordered\(hint)")
        }
        do {
            _ = try signed.verify(trusting: keys)
        } catch {
            throw verdict("\(label): its checkpoint signature fails: \(error)")
        }
    }

    func checkCommitSignature(_ commit: CommitInfo, label: String, keys: [VerifierKey]) throws {
        let signature: (signature: String, signedData: [UInt8])?
        do { signature = try repository.commitSignature(commit.id) } catch { throw verdict("\(label): its signature cannot be read (\(error))") }
        guard let signature else { throw verdict("\(label) is not signed: it was rewritten outside lineage") }
        do {
            _ = try SSHSignature.verify(signature.signature, message: signature.signedData, trusting: keys)
        } catch {
            throw verdict("\(label): its git commit signature fails (\(error)): the commit, its message or its records were changed after signing")
        }
    }

    private func checkIndex(
        batch: Int64, commit: CommitInfo, records: [Record], firstSeq: UInt64,
        known: SeenRecords, targets: inout [Digest: Int64]
    ) throws {
        let rows = try index.storedRows(seqFrom: Int64(firstSeq), count: records.count)
        let fix = "; run `lineage reindex` to rebuild the index from the log"
        guard rows.count == records.count else {
            throw verdict("the index holds \(rows.count) rows for batch \(batch) but the log holds \(records.count) records\(fix)")
        }
        let indexedLinks = try index.links(seqFrom: Int64(firstSeq), count: records.count)
        for (i, (row, record)) in zip(rows, records).enumerated() {
            let seq = Int64(firstSeq) + Int64(i)
            let isPrediction = record.kind == .prediction
            let name = isPrediction ? record.predictionID : known.name(of: record.id)
            var target: Int64?
            if isPrediction, let serving = record.links.first {
                if let known = targets[serving.target] {
                    target = known
                } else {
                    target = try index.record(id: serving.target)?.seq ?? index.foreignPosition(of: serving.target)
                    targets[serving.target] = target
                }
            }
            let expected = StoredRow(
                seq: seq, kind: Index.code(record.kind), time: record.timeMilliseconds, target: target,
                id: isPrediction ? nil : record.id, name: isPrediction ? nil : name, version: record.version,
                digest: record.artifactDigest)
            guard row == expected else {
                throw verdict("the index row for record \(seq) does not match the log, which holds \(record.kind) \(name ?? "") \(record.id) in batch \(batch)\(fix)")
            }
            let expectedLinks = isPrediction ? [] : Set(record.links.map { "\($0.relation) \($0.target)" })
            guard indexedLinks[seq, default: []] == expectedLinks else {
                throw verdict("the index's links for record \(seq) (\(record.id)) differ from the record's own\(fix)")
            }
        }
        guard let info = try index.batch(batch), info.commit == commit.id else {
            throw verdict("the index's entry for batch \(batch) does not name commit \(commit.id.hex.prefix(12))\(fix)")
        }
    }

    /// Checks that the index's id and prediction-id keys are exactly those of the indexed records:
    /// one pass over the key tables, compared batch by batch as tallies (see `KeyTally`). `found`:
    /// the tallies already made of this same index state (see `KeyTallyScan`), if any.
    private func checkIndexKeys(expected: [KeyTally], batchStarts: [Int64], end: Int64,
                                found: (batches: [KeyTally], outside: KeyTally)?) throws {
        let fix = "; run `lineage reindex` to rebuild the index from the log"
        let found = try found ?? index.keyTallies(batchStarts: batchStarts, end: end)
        for (batch, (want, have)) in zip(expected, found.batches).enumerated() where want != have {
            throw verdict("the index's id and prediction-id keys for batch \(batch) do not match its records (\(have.count) keys where the records make \(want.count): a key is missing, extra or altered)\(fix)")
        }
        guard found.outside.count == 0 else {
            throw verdict("the index holds \(found.outside.count) id or prediction-id key\(found.outside.count == 1 ? "" : "s") for log positions that no indexed record has\(fix)")
        }
    }

    /// Proves with an RFC 6962 consistency proof that the log extends the earlier signed checkpoint.
    private func checkExtends(_ noteText: String, size: UInt64, root: [UInt8], leaves: FlatTree, keys: [VerifierKey]) throws -> UInt64 {
        let checkpoint: Checkpoint
        do {
            let note = try SignedNote(parsing: noteText)
            _ = try note.verify(trusting: keys)
            checkpoint = try Checkpoint(parsing: note.text)
        } catch {
            throw LineageError.input("the checkpoint given with --against cannot be used: \(error)")
        }
        guard checkpoint.origin == origin else {
            throw LineageError.input("the checkpoint given with --against is for the log \(checkpoint.origin), not \(origin)")
        }
        guard checkpoint.size <= size else {
            throw verdict("the log holds \(size) records, fewer than the \(checkpoint.size) of the earlier checkpoint: it was truncated or rolled back")
        }
        guard checkpoint.size > 0 else { return 0 }
        do {
            let proof = try Merkle.consistencyProof(leaves, oldSize: checkpoint.size, newSize: size)
            try Merkle.verifyConsistency(oldSize: checkpoint.size, newSize: size, oldRoot: checkpoint.rootHash, newRoot: root, proof: proof)
        } catch {
            throw verdict("the log is not an append-only extension of the earlier checkpoint (size \(checkpoint.size)): \(error); its history was rewritten")
        }
        return checkpoint.size
    }
}
