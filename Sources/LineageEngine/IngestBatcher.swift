import Foundation
import LineageCore
import LineageStore

/// Why one input line was refused.
public struct IngestLineError: Error, Sendable {
    /// The line number in the input, from 1.
    public let line: Int
    public let reason: String
    /// The line as given.
    public let text: [UInt8]

    /// The reject-file line: `{"line", "reason", "text"}` (the first 4 KiB of the line).
    public var json: JSONValue {
        .object(JSONObject([("line", .number(Double(line))), ("reason", .string(reason)),
                            ("text", .string(String(decoding: text.prefix(4096), as: UTF8.self)))]))
    }
}

/// Validates NDJSON lines into records and appends them in batches for `lineage ingest`.
///
/// A line goes through two steps. `IngestLine.prepare` parses and validates it on its own and, when
/// its links are already known, builds its record: that step needs no store and runs on another
/// thread (see `IngestPipeline`). `admit` then resolves what is left against the store, drops
/// duplicates within the batch and queues the record. Prediction ids are looked up in the store
/// for a whole batch at once, when it lands.
struct IngestBatcher {
    let store: Store
    let actor: String
    let batchSize: Int
    let batchSeconds: Double

    private var pending: [IngestLine] = []
    private static let releaser = DispatchQueue(label: "lineage.ingest.release")
    private var pendingKinds: [Digest: RecordKind] = [:]
    private var pendingPredictions: [String: Digest] = [:]
    private var batchStarted: Date?
    /// Link references resolved so far, shared with `prepare` on other threads.
    let references: IngestLine.References
    /// Batches guessed and written ahead, if lines are prepared on another thread.
    var speculation: IngestSpeculation?
    /// Takes landed batches to free, if lines are prepared on another thread (see `IngestPipeline`).
    var recycle: ((Any) -> Void)?
    /// What landed so far (its `seconds` left to the caller).
    private(set) var landed = IngestReport()
    /// Told the input line of each duplicate (a record already recorded, or given twice) once its
    /// batch has landed or, within a batch, when it is found.
    var onDuplicate: ((Int) -> Void)?
    var landedRecords: Int { landed.records }
    var rejected: Int {
        get { landed.rejected }
        set { landed.rejected = newValue }
    }

    init(store: Store, actor: String, batchSize: Int, batchSeconds: Double) throws {
        references = IngestLine.References(subjects: try store.subjectHasher())
        self.store = store
        self.actor = actor
        self.batchSize = batchSize
        self.batchSeconds = batchSeconds
    }

    /// True when the current batch is full, has waited long enough, or holds a record that later
    /// lines may name (it lands at once, so that names resolve to it).
    var due: Bool {
        guard let batchStarted, !pending.isEmpty else { return false }
        return pending.count >= batchSize || namesChanged || Date().timeIntervalSince(batchStarted) >= batchSeconds
    }

    /// Seconds until the current batch is due by time; nil when nothing waits.
    var secondsUntilDue: Double? {
        guard let batchStarted, !pending.isEmpty else { return nil }
        return max(0, batchSeconds - Date().timeIntervalSince(batchStarted))
    }

    /// True when the pending batch holds a record other than a prediction.
    private var namesChanged = false

    /// Finishes a prepared line (links the store must resolve, version checks) and queues it.
    mutating func admit(_ prepared: IngestLine) throws {
        var item = prepared
        do {
            if item.namedLinks, item.generation != references.generation {
                // Prepared before a record landed that its names may now resolve to: prepare it again.
                guard let again = try IngestLine.prepare(.text(item.text, number: item.line), actor: actor, references: references) else { return }
                item = again
            }
            if item.unresolved {
                _ = try LinkResolver.resolve(&item.fields, kind: item.kind) { try target($0) }
                try item.build(actor: actor)
            }
        } catch {
            throw IngestLine.lineError(error, line: item.line, text: item.text)
        }
        if let record = item.record, let pid = record.predictionID {
            if let earlier = pendingPredictions[pid] {
                guard earlier == record.id else {
                    throw IngestLineError(line: item.line, reason: "prediction id \(Names.printable(pid)) is reused with different content", text: item.text)
                }
                landed.duplicates += 1
                onDuplicate?(item.line)
                return
            }
            pendingPredictions[pid] = record.id
        }
        if let record = item.record { pendingKinds[record.id] = record.kind }
        if item.kind != .prediction { namesChanged = true }
        if batchStarted == nil { batchStarted = Date() }
        pending.append(item)
    }

    /// The id and kind a link reference names (cached), or a record error when it names nothing.
    private mutating func target(_ reference: String) throws -> (Digest, RecordKind) {
        if let cached = references[reference] { return cached }
        if let id = Digest(reference), let kind = pendingKinds[id] { return (id, kind) }
        let entry: IndexedRecord
        do {
            entry = try store.resolveInFamily(reference).entry
        } catch let error as LineageError where error.kind == .notFound {
            throw RecordError(store.missingLinkAdvice(Names.printable(reference)))
        }
        references[reference] = (entry.id, entry.kind)
        return (entry.id, entry.kind)
    }

    /// Appends the queued records as one batch. Their prediction ids are looked up in the store all
    /// at once, under the write lock: one already recorded with the same content is a duplicate;
    /// with other content, the line is refused. With `skipping`, refused lines are returned and the
    /// rest of the batch lands; without, the first refusal is thrown and nothing of this batch lands.
    @discardableResult
    mutating func flush(skipping: Bool = false) throws -> [IngestLineError] {
        guard !pending.isEmpty else { return [] }
        let batch = pending
        var refused: [IngestLineError] = []
        let guess = speculation?.take(lastLine: batch.last!.line)
        var appended: AppendResult?
        defer { if guess?.landed(as: appended?.batch) != true { speculation?.abandon() } }
        let (existing, result) = try store.write(actor: actor, prewritten: guess?.prewritten) { tx in
            tx.reserveCapacity(batch.count)
            let stored = try store.lookups.predictions(ids: batch.compactMap { $0.record?.predictionID })
            var existing: [Int] = []
            for item in batch {
                if let record = item.record, let pid = record.predictionID, let found = stored[pid] {
                    if found.id == record.id, item.payloads.isEmpty {
                        existing.append(item.line)
                        continue
                    }
                    let reason: String
                    do {
                        if try tx.isGivenAgain(found, record: try store.read(found), given: item.given, payloads: item.payloads) {
                            existing.append(item.line)
                            continue
                        }
                        reason = "prediction id \(Names.printable(pid)) is already recorded as \(found.id) with different content"
                    } catch let refusal as RecordError {
                        reason = refusal.message
                    }
                    let error = IngestLineError(line: item.line, reason: reason, text: item.text)
                    guard skipping else { throw error }
                    refused.append(error)
                    continue
                }
                for payload in item.payloads { tx.stagePayload(payload) }
                let outcome: WriteTransaction.Outcome
                if let record = item.record {
                    outcome = try tx.add(record, newPredictionID: record.kind == .prediction, leaf: item.leaf)
                } else {
                    outcome = try tx.register(item.kind, fields: item.fields, timeMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), actor: actor)
                }
                if case .existing = outcome { existing.append(item.line) }
            }
            return existing
        }
        appended = result
        let landed = batch.count - existing.count - refused.count
        self.landed.duplicates += existing.count
        if let onDuplicate { existing.forEach(onDuplicate) }
        self.landed.records += landed
        if landed > 0 { self.landed.batches += 1 }
        self.landed.lastLandedLine = batch.last!.line
        // The batch's many small objects are freed on another thread, not on the one writing batches.
        pending = []
        pending.reserveCapacity(batchSize)
        if let recycle { recycle(batch) } else { IngestBatcher.releaser.async { withExtendedLifetime(batch) {} } }
        pendingKinds.removeAll(keepingCapacity: true)
        if namesChanged {
            // A name (`deployment:fraud/prod`, `model:fraud`) may now resolve to a record of this batch.
            references.forgetNames()
            namesChanged = false
        }
        pendingPredictions.removeAll(keepingCapacity: true)
        batchStarted = nil
        return refused
    }
}
