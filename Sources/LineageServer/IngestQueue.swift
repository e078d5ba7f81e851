import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// Group commit for `POST /v1/records`: requests that arrive while a group is landing wait, and then
/// land together, as one stream through one `Ingestor` run (so in shared batches, each one signed
/// commit), instead of one request at a time. Each request is answered for its own lines (landed,
/// duplicate, rejected with its own line numbers) and only once the batches holding them have
/// landed, so an acknowledged line is never lost. A group holds requests of one token (the actor
/// and the kinds it may append are the Ingestor's options) and at most `groupLines` lines; no request
/// waits for a timer: a group waits only for the one landing before it.
///
/// Unchecked Sendable: `waiting` and `draining` are touched only under `lock`; the store is written
/// only through the writer worker.
final class IngestQueue: @unchecked Sendable {
    /// What one request is answered.
    struct Answer: Sendable {
        let json: JSONValue
        let rejected: Int
    }

    private struct Key: Hashable {
        let actor: String
        let kinds: Set<RecordKind>?
    }

    private struct Waiting {
        let key: Key
        let body: [UInt8]
        let lines: Int
        let continuation: CheckedContinuation<Answer, any Error>
    }

    /// The most lines one group holds; a request larger than that lands alone.
    static let groupLines = 50_000

    private let lock = NSLock()
    private var waiting: [Waiting] = []
    private var draining = false
    private let writer: StoreWorker
    private let batchSize: Int
    private let metrics: ServerMetrics

    init(writer: StoreWorker, batchSize: Int, metrics: ServerMetrics) {
        self.writer = writer
        self.batchSize = batchSize
        self.metrics = metrics
    }

    /// Lands `body` (NDJSON) with the next group, appended by `actor`, of `kinds` only (nil: any).
    func submit(_ body: [UInt8], actor: String, kinds: Set<RecordKind>?) async throws -> Answer {
        var body = body
        if body.last != 0x0A { body.append(0x0A) }
        let lines = body.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        return try await withCheckedThrowingContinuation { continuation in
            let start = lock.withLock { () -> Bool in
                waiting.append(Waiting(key: Key(actor: actor, kinds: kinds), body: body, lines: lines, continuation: continuation))
                guard !draining else { return false }
                draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Lands groups until none waits.
    private func drain() async {
        while true {
            let group = lock.withLock { () -> [Waiting] in
                guard let first = waiting.first else {
                    draining = false
                    return []
                }
                var taken: [Waiting] = [], rest: [Waiting] = [], lines = 0
                for item in waiting {
                    if item.key == first.key && (taken.isEmpty || lines + item.lines <= Self.groupLines) {
                        taken.append(item)
                        lines += item.lines
                    } else {
                        rest.append(item)
                    }
                }
                waiting = rest
                return taken
            }
            guard !group.isEmpty else { return }
            await land(group)
        }
    }

    /// Lands one group as one stream and answers each request for its own lines.
    private func land(_ group: [Waiting]) async {
        // Request i holds the stream's lines starts[i] ..< starts[i] + group[i].lines (numbered from 1).
        var starts: [Int] = [], next = 1
        for item in group {
            starts.append(next)
            next += item.lines
        }
        let stream = group.flatMap(\.body)
        let options = IngestOptions(actor: group[0].key.actor, batchSize: batchSize, skipInvalid: true, kinds: group[0].key.kinds)
        let metrics = self.metrics
        do {
            let (report, rejects, duplicates) = try await writer.run { store -> (IngestReport, [IngestLineError], [Int]) in
                var rejects: [IngestLineError] = [], duplicates: [Int] = [], landed = 0
                let report = try Ingestor.run(LineReader(bytes: stream, maximumLineLength: 1 << 20, name: "the request body"), into: store, options: options,
                                              reject: { rejects.append($0) }, duplicate: { duplicates.append($0) },
                                              progress: { total in
                                                  // The landed count grows by one batch at a time.
                                                  if total > landed { metrics.landed(batch: total - landed); landed = total }
                                              })
                return (report, rejects, duplicates)
            }
            if !rejects.isEmpty { metrics.rejected(lines: rejects.count) }
            for (index, item) in group.enumerated() {
                let first = starts[index], range = first..<(first + item.lines)
                let mine = rejects.filter { range.contains($0.line) }
                let duplicated = duplicates.filter { range.contains($0) }.count
                var blank = 0
                item.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().forEach { line in
                    if LineReader.isBlank(line) { blank += 1 }
                }
                let records = item.lines - blank - mine.count - duplicated
                let json = JSONValue.object(JSONObject([
                    ("records", .number(Double(records))), ("batches", .number(Double(report.batches))),
                    ("duplicates", .number(Double(duplicated))), ("rejected", .number(Double(mine.count))),
                    ("lastLandedLine", .number(Double(item.lines))), ("seconds", .number(report.seconds)),
                    ("recordsPerSecond", .number(report.seconds > 0 ? Double(records) / report.seconds : 0)),
                    ("groupedRequests", .number(Double(group.count))),
                    ("rejectedLines", .array(mine.map { .object(JSONObject([("line", .number(Double($0.line - first + 1))), ("reason", .string($0.reason))])) })),
                ]))
                item.continuation.resume(returning: Answer(json: json, rejected: mine.count))
            }
        } catch {
            for item in group { item.continuation.resume(throwing: error) }
        }
    }
}
