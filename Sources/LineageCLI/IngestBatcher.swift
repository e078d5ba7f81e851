import Foundation
import LineageCore
import LineageStore

/// Why one input line was refused.
struct IngestLineError: Error {
    let line: Int
    let reason: String
    let text: [UInt8]
}

/// Validates NDJSON lines into records and appends them in batches for `lineage ingest`.
struct IngestBatcher {
    /// A validated line waiting for its batch.
    struct Pending {
        let line: Int
        let kind: RecordKind
        let fields: JSONObject
        /// Built up front for kinds the store does not number (everything but datasets and models).
        let record: Record?
        let payloads: [(Digest, [UInt8], [UInt8])]
    }

    let store: Store
    let actor: String
    let batchSize: Int
    let batchSeconds: Double

    private var pending: [Pending] = []
    private var pendingKinds: [Digest: RecordKind] = [:]
    private var pendingPredictions: [String: Digest] = [:]
    private var batchStarted: Date?
    /// The index's batch count when this batch's prediction ids were first looked up: if no other
    /// writer appended since, those lookups still hold when the batch lands.
    private var batchBase: Int64?
    private var references: [String: (Digest, RecordKind)] = [:]
    private(set) var landedRecords = 0
    private(set) var landedBatches = 0
    private(set) var duplicates = 0
    private(set) var lastLandedLine = 0
    var rejected = 0

    init(store: Store, actor: String, batchSize: Int, batchSeconds: Double) {
        self.store = store
        self.actor = actor
        self.batchSize = batchSize
        self.batchSeconds = batchSeconds
    }

    /// True when the current batch is full or has waited long enough.
    var due: Bool {
        guard let batchStarted, !pending.isEmpty else { return false }
        return pending.count >= batchSize || Date().timeIntervalSince(batchStarted) >= batchSeconds
    }

    /// Validates one line and queues its record; throws `IngestLineError` naming the line.
    mutating func accept(_ line: LineReader.Line) throws {
        let number: Int, bytes: [UInt8]
        switch line {
        case .tooLong(let n, let length):
            throw IngestLineError(line: n, reason: "the line is \(length) bytes long, more than --max-line-bytes allows", text: [])
        case .unterminated(let b, let n):
            if (try? JSONParser.parse(b)) == nil {
                throw IngestLineError(line: n, reason: "the last line is cut off: it has no newline and is not complete JSON", text: b)
            }
            (number, bytes) = (n, b)
        case .text(let b, let n):
            (number, bytes) = (n, b)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        do {
            try accept(bytes, line: number)
        } catch let error as IngestLineError {
            throw error
        } catch let error as JSONError {
            throw IngestLineError(line: number, reason: "invalid JSON: \(error.reason) at column \(error.column)", text: bytes)
        } catch let error as RecordError {
            throw IngestLineError(line: number, reason: error.message, text: bytes)
        } catch let error as LineageError where error.kind != .storage {
            throw IngestLineError(line: number, reason: error.message, text: bytes)
        }
    }

    private mutating func accept(_ bytes: [UInt8], line: Int) throws {
        if batchBase == nil { batchBase = try store.index.batchCount() }
        guard var fields = try JSONParser.parse(bytes).objectValue else {
            throw IngestLineError(line: line, reason: "a line must hold one JSON object", text: bytes)
        }
        let kindName = fields["kind"]?.stringValue ?? "prediction"
        guard let kind = RecordKind(rawValue: kindName) else {
            throw RecordError("unknown record kind \(Names.printable(kindName))")
        }
        fields["kind"] = nil
        var payloads: [(Digest, [UInt8], [UInt8])] = []
        if kind == .prediction {
            for field in ["input", "outputPayload"] {
                guard let value = fields[field], value.stringValue.flatMap({ Digest($0) }) == nil else { continue }
                let raw = value.stringValue.map { Array($0.utf8) } ?? value.canonicalBytes
                let salt = Commitment.newSalt()
                let commitment = Commitment.commit(payload: raw, salt: salt)
                fields[field] = .string(commitment.description)
                payloads.append((commitment, salt, raw))
            }
        }
        try resolveLinks(&fields, kind: kind)
        // Raw payloads are committed with a fresh salt each time, so they cannot be compared.
        var givenFields = fields
        for (commitment, _, _) in payloads {
            for member in fields where member.value.stringValue == commitment.description { givenFields[member.key] = nil }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var record: Record?
        if kind.isVersioned {
            var check = fields
            if check["version"] == nil { check["version"] = .number(1) }
            _ = try Record.make(kind, fields: check, timeMilliseconds: now, actor: actor)
        } else {
            record = try Record.make(kind, fields: fields, timeMilliseconds: now, actor: actor)
        }
        if let record, let pid = record.predictionID {
            if let earlier = pendingPredictions[pid] {
                guard earlier == record.id else { throw RecordError("prediction id \(Names.printable(pid)) is reused with different content") }
                duplicates += 1
                return
            }
            if let stored = try store.index.prediction(id: pid) {
                let existing = try store.read(stored)
                let same = existing.id == record.id || givenFields.allSatisfy { existing[$0.key] == $0.value }
                guard same else {
                    throw RecordError("prediction id \(Names.printable(pid)) is already recorded as \(stored.id) with different content")
                }
                duplicates += 1
                return
            }
            pendingPredictions[pid] = record.id
        }
        if let record { pendingKinds[record.id] = record.kind }
        if batchStarted == nil { batchStarted = Date() }
        pending.append(Pending(line: line, kind: kind, fields: fields, record: record, payloads: payloads))
    }

    /// Resolves link references to ids (cached) and checks that each target exists and is of the right kind.
    private mutating func resolveLinks(_ fields: inout JSONObject, kind: RecordKind) throws {
        for field in RecordSchema.of(kind).linkFields {
            var allowed: [RecordKind] = []
            switch field.type {
            case .link(let kinds), .links(let kinds): allowed = kinds
            default: break
            }
            func resolve(_ reference: String) throws -> String {
                let (id, targetKind) = try target(reference)
                guard allowed.contains(targetKind) else {
                    throw RecordError("field '\(field.name)' must link to a \(allowed.map(\.rawValue).joined(separator: " or ")), but \(Names.printable(reference)) is a \(targetKind)")
                }
                return id.description
            }
            switch fields[field.name] {
            case .string(let reference)?: fields[field.name] = .string(try resolve(reference))
            case .array(let items)?: fields[field.name] = .array(try items.map { .string(try resolve($0.stringValue ?? "")) })
            default: break
            }
        }
    }

    private mutating func target(_ reference: String) throws -> (Digest, RecordKind) {
        if let cached = references[reference] { return cached }
        if let id = Digest(reference), let kind = pendingKinds[id] { return (id, kind) }
        let entry: IndexedRecord
        do {
            entry = try store.resolve(reference)
        } catch let error as LineageError where error.kind == .notFound {
            throw RecordError("links to \(Names.printable(reference)), which is not in the store: record it first")
        }
        references[reference] = (entry.id, entry.kind)
        return (entry.id, entry.kind)
    }

    /// Appends the queued records as one batch.
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        let base = batchBase
        let (existing, _) = try store.write(actor: actor) { tx in
            let checked = try store.index.batchCount() == base
            var existing = 0
            for item in batch {
                for (commitment, salt, payload) in item.payloads { tx.stagePayload(payload, salt: salt, commitment: commitment) }
                let outcome: WriteTransaction.Outcome
                if let record = item.record {
                    outcome = try tx.add(record, newPredictionID: checked && record.kind == .prediction)
                } else {
                    outcome = try tx.register(item.kind, fields: item.fields, timeMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), actor: actor)
                }
                if case .existing = outcome { existing += 1 }
            }
            return existing
        }
        duplicates += existing
        landedRecords += batch.count - existing
        if batch.count > existing { landedBatches += 1 }
        lastLandedLine = batch.last!.line
        pending.removeAll(keepingCapacity: true)
        pendingKinds.removeAll(keepingCapacity: true)
        pendingPredictions.removeAll(keepingCapacity: true)
        batchStarted = nil
        batchBase = nil
    }

    /// What landed, in words.
    func summary(seconds: Double) -> String {
        let rate = seconds > 0 ? Double(landedRecords) / seconds : 0
        return "\(landedRecords) records in \(landedBatches) batches" + (lastLandedLine > 0 ? " (input lines up to \(lastLandedLine))" : "")
            + ", \(duplicates) duplicates skipped, in \(String(format: "%.1f", seconds)) s (\(Int(rate)) records/s)"
    }

    func report(seconds: Double, rejectsPath: String?) -> JSONObject {
        JSONObject([
            ("records", .number(Double(landedRecords))), ("batches", .number(Double(landedBatches))),
            ("duplicates", .number(Double(duplicates))), ("rejected", .number(Double(rejected))),
            ("lastLandedLine", .number(Double(lastLandedLine))), ("seconds", .number(seconds)),
            ("recordsPerSecond", .number(seconds > 0 ? Double(landedRecords) / seconds : 0)),
            ("rejects", rejectsPath.map(JSONValue.string) ?? .null),
        ])
    }
}
