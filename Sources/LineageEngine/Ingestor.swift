import Foundation
import LineageCore
import LineageStore

/// How a stream of NDJSON records is appended.
public struct IngestOptions: Sendable {
    /// Who records the lines that name no actor.
    public var actor: String
    /// Records per batch (1 to 1,000,000: a batch is held in memory whole).
    public var batchSize: Int
    /// A batch waiting this long lands, when reading a stream.
    public var batchSeconds: Double
    /// Hand bad lines to the reject sink and go on, instead of stopping at the first.
    public var skipInvalid: Bool
    /// The record kinds that may be appended (nil: all); a line of another kind is refused.
    public var kinds: Set<RecordKind>?

    public init(actor: String, batchSize: Int = 5000, batchSeconds: Double = 2, skipInvalid: Bool = false, kinds: Set<RecordKind>? = nil) {
        self.actor = actor
        self.batchSize = batchSize
        self.batchSeconds = batchSeconds
        self.skipInvalid = skipInvalid
        self.kinds = kinds
    }
}

/// What an ingest landed.
public struct IngestReport: Sendable, Equatable {
    public var records = 0
    public var batches = 0
    public var duplicates = 0
    public var rejected = 0
    /// The last input line of the last batch that landed (0: none).
    public var lastLandedLine = 0
    public var seconds: Double = 0

    public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }

    /// What landed, in words.
    public var summary: String {
        "\(records) records in \(batches) batches" + (lastLandedLine > 0 ? " (input lines up to \(lastLandedLine))" : "")
            + ", \(duplicates) duplicates skipped, in \(String(format: "%.1f", seconds)) s (\(Int(recordsPerSecond)) records/s)"
    }

    /// The `ingest --json` shape (docs/json.md), with where rejected lines were written.
    public func json(rejects: String?) -> JSONValue {
        .object(JSONObject([
            ("records", .number(Double(records))), ("batches", .number(Double(batches))),
            ("duplicates", .number(Double(duplicates))), ("rejected", .number(Double(rejected))),
            ("lastLandedLine", .number(Double(lastLandedLine))), ("seconds", .number(seconds)),
            ("recordsPerSecond", .number(recordsPerSecond)),
            ("rejects", rejects.map(JSONValue.string) ?? .null),
        ]))
    }
}

/// Appends the NDJSON records of a line stream in batches: every line validated, each batch landing
/// whole or not at all, duplicates skipped, bad lines stopping the stream or handed to a reject
/// sink. The one way records are ingested, whatever the stream comes from.
public enum Ingestor {
    /// Ingests every line `reader` gives into `store`. `reject` gets each bad line when
    /// `options.skipInvalid` (else the first bad line stops ingest with an input error that says
    /// what landed before it); `progress` gets the number of records landed so far; `duplicate` the
    /// input line of each duplicate skipped.
    public static func run(_ input: LineReader, into store: Store, options: IngestOptions,
                           reject: (IngestLineError) throws -> Void = { _ in },
                           duplicate: ((Int) -> Void)? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> IngestReport {
        try store.prepareForBulkWrites()
        // Read by the pipeline's thread while it runs, then by this one once it has stopped.
        var reader = input
        var batcher = try IngestBatcher(store: store, actor: options.actor, batchSize: options.batchSize, batchSeconds: options.batchSeconds)
        batcher.onDuplicate = duplicate
        let started = Date()
        func report() -> IngestReport {
            var report = batcher.landed
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        func refuse(_ error: IngestLineError) throws {
            guard options.skipInvalid else {
                throw LineageError.input("line \(error.line): \(error.reason); ingest stopped there: \(report().summary); fix the line and ingest again (landed records are skipped as duplicates)")
            }
            batcher.rejected += 1
            try reject(error)
        }
        func flush() throws {
            do {
                for error in try batcher.flush(skipping: options.skipInvalid) { try refuse(error) }
            } catch let error as IngestLineError {
                try refuse(error)
            }
        }
        func admit(_ result: Result<IngestLine?, any Error>) throws {
            do {
                if let line = try result.get() {
                    if let kinds = options.kinds, !kinds.contains(line.kind) {
                        throw IngestLineError(line: line.line, reason: "a \(line.kind) record may not be appended here (allowed: \(kinds.map(\.rawValue).sorted().joined(separator: ", ")))", text: line.text)
                    }
                    try batcher.admit(line)
                }
            } catch let error as IngestLineError {
                try refuse(error)
            }
            if batcher.due { try flush() }
            progress?(batcher.landedRecords)
        }

        if reader.isComplete {
            // Lines are parsed and validated on another thread, a chunk ahead of the batches, which
            // also writes the segments of the batches it expects.
            batcher.speculation = IngestSpeculation(prewriter: try BatchPrewriter(store: store), batchSize: options.batchSize,
                                                    skipsBadLines: options.skipInvalid)
            let pipeline = IngestPipeline(actor: options.actor, references: batcher.references, speculation: batcher.speculation) { reader.next() }
            defer { pipeline.stop() }
            batcher.recycle = pipeline.recycle
            while let chunk = pipeline.next() {
                for result in chunk { try admit(result) }
                pipeline.recycle(chunk)
            }
        } else {
            while true {
                // A quiet stream still lands what it sent within batchSeconds.
                if let wait = batcher.secondsUntilDue, !reader.holdsLine, !reader.waitForInput(seconds: wait) {
                    try flush()
                    continue
                }
                guard let line = reader.next() else { break }
                try admit(Result { try IngestLine.prepare(line, actor: options.actor, references: batcher.references) })
            }
        }
        try flush()
        progress?(batcher.landedRecords)
        if let failure = reader.failure {
            throw LineageError.storage("reading \(reader.name) failed (\(failure)) after \(report().summary); run ingest again once the input can be read (landed records are skipped as duplicates)")
        }
        return report()
    }
}
