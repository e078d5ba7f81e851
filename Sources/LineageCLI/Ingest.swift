import ArgumentParser
import Foundation
import LineageCore
import LineageStore

extension Lineage {
    /// `lineage ingest`: appends NDJSON records in batches.
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            _superCommandName: "lineage",
            abstract: "Append records from NDJSON (one JSON record per line), mostly predictions, in batches.",
            discussion: """
                Each line is a record object; `kind` defaults to prediction, and time, actor and schemaVersion are \
                filled in when absent. Links may be ids or names (deployment:fraud/prod). A prediction's `input` \
                (and `outputPayload`) may be the raw value: it is committed and kept in the payload store. \
                Every line is validated, then records are appended in batches of --batch-size (or whatever \
                arrived within --batch-seconds, when reading a stream); each batch lands whole or not at all. \
                By default the first bad line stops ingest: the batches before it have landed, nothing after. \
                With --skip-invalid, bad lines go to the reject file with their line numbers and reasons. \
                Re-ingesting the same records is idempotent: duplicates by prediction id are skipped and counted.
                """
        )

        @Argument(help: ArgumentHelp("The NDJSON file, or - for standard input.", valueName: "file"))
        var file: String = "-"

        @Option(name: .customLong("batch-size"), help: "Records per batch.")
        var batchSize: Int = 5000

        @Option(name: .customLong("batch-seconds"), help: "Close a batch after this many seconds, when reading a stream.")
        var batchSeconds: Double = 2

        @Flag(name: .customLong("skip-invalid"), help: "Write bad lines to the reject file and go on.")
        var skipInvalid = false

        @Option(help: ArgumentHelp("Where --skip-invalid writes bad lines (default: FILE.rejects.ndjson, or ingest-rejects.ndjson for stdin).", valueName: "file"))
        var rejects: String?

        @Option(name: .customLong("max-line-bytes"), help: "The longest line accepted.")
        var maxLineBytes: Int = 1 << 20

        @Option(help: ArgumentHelp("Who records this (default: $LINEAGE_ACTOR, else user@host).", valueName: "actor"))
        var actor: String?

        @Flag(name: .shortAndLong, help: "Print no summary.")
        var quiet = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            // Bounded: a batch is held in memory whole, and its wait is a timer.
            if batchSize < 1 || batchSize > 1_000_000 { throw ValidationError("--batch-size must be from 1 to 1000000") }
            guard batchSeconds.isFinite, batchSeconds > 0, batchSeconds <= 86_400 else {
                throw ValidationError("--batch-seconds must be a number of seconds from more than 0 to 86400")
            }
            if maxLineBytes < 1 || maxLineBytes > 64 << 20 { throw ValidationError("--max-line-bytes must be from 1 to 67108864") }
            if let rejects, file != "-", Self.sameFile(rejects, file) {
                throw ValidationError("--rejects names the input file \(file); bad lines would overwrite it: give another path")
            }
        }

        /// True if both paths name one existing file (or are the same path).
        static func sameFile(_ a: String, _ b: String) -> Bool {
            var first = stat(), second = stat()
            guard stat(a, &first) == 0, stat(b, &second) == 0 else { return a == b }
            return first.st_dev == second.st_dev && first.st_ino == second.st_ino
        }

        func run() throws {
            let store = try storeOptions.open()
            try store.index.prepareForBulkWrites()
            var reader = try LineReader.open(file, maximumLineLength: maxLineBytes)
            defer { reader.close() }
            let writer = WriteOptionsActor(actor: actor)
            var batcher = try IngestBatcher(store: store, actor: writer.resolved, batchSize: batchSize, batchSeconds: batchSeconds)
            var rejectFile: FileHandle?
            let progress = Terminal.counter("ingesting", unit: "records")
            let started = Date()
            defer { progress?.finish() }

            /// Stops ingest at a bad line, or writes it to the reject file with --skip-invalid.
            func refuse(_ error: IngestLineError) throws {
                guard skipInvalid else {
                    progress?.finish()
                    let landed = batcher.summary(seconds: Date().timeIntervalSince(started))
                    throw LineageError.input("line \(error.line): \(error.reason); ingest stopped there: \(landed); fix the line and ingest again (landed records are skipped as duplicates)")
                }
                if rejectFile == nil { rejectFile = try openRejects() }
                batcher.rejected += 1
                let entry = JSONObject([("line", .number(Double(error.line))), ("reason", .string(error.reason)),
                                        ("text", .string(String(decoding: error.text.prefix(4096), as: UTF8.self)))])
                rejectFile?.write(Data((JSONValue.object(entry).canonicalString + "\n").utf8))
            }
            func flush() throws {
                do {
                    for error in try batcher.flush(skipping: skipInvalid) { try refuse(error) }
                } catch let error as IngestLineError {
                    try refuse(error)
                }
            }
            func admit(_ result: Result<IngestLine?, any Error>) throws {
                do {
                    if let line = try result.get() { try batcher.admit(line) }
                } catch let error as IngestLineError {
                    try refuse(error)
                }
                if batcher.due { try flush() }
                progress?.update(UInt64(batcher.landedRecords))
            }

            if reader.isRegularFile {
                // Lines are parsed and validated on another thread, a chunk ahead of the batches, which
                // also writes the segments of the batches it expects.
                batcher.speculation = IngestSpeculation(prewriter: try BatchPrewriter(store: store), batchSize: batchSize,
                                                        skipsBadLines: skipInvalid)
                let pipeline = IngestPipeline(actor: writer.resolved, references: batcher.references,
                                              speculation: batcher.speculation) { reader.next() }
                defer { pipeline.stop() }
                batcher.recycle = pipeline.recycle
                while let chunk = pipeline.next() {
                    for result in chunk { try admit(result) }
                    pipeline.recycle(chunk)
                }
            } else {
                while true {
                    // A quiet stream still lands what it sent within --batch-seconds.
                    if let wait = batcher.secondsUntilDue, !reader.holdsLine, !reader.waitForInput(seconds: wait) {
                        try flush()
                        continue
                    }
                    guard let line = reader.next() else { break }
                    try admit(Result { try IngestLine.prepare(line, actor: writer.resolved, references: batcher.references) })
                }
            }
            try flush()
            if let failure = reader.failure {
                throw LineageError.storage("reading \(file == "-" ? "standard input" : file) failed (\(failure)) after \(batcher.summary(seconds: Date().timeIntervalSince(started))); run ingest again once the input can be read (landed records are skipped as duplicates)")
            }
            try? rejectFile?.close()
            progress?.finish()
            let seconds = Date().timeIntervalSince(started)
            if output.json {
                print(JSONValue.object(batcher.report(seconds: seconds, rejectsPath: rejectFile == nil ? nil : rejectsPath)).canonicalString)
            } else if !quiet {
                print("Ingested " + batcher.summary(seconds: seconds) + (batcher.rejected > 0 ? "; \(batcher.rejected) bad lines written to \(rejectsPath)" : ""))
            }
        }

        var rejectsPath: String { rejects ?? (file == "-" ? "ingest-rejects.ndjson" : file + ".rejects.ndjson") }

        func openRejects() throws -> FileHandle {
            guard FileManager.default.createFile(atPath: rejectsPath, contents: nil), let handle = FileHandle(forWritingAtPath: rejectsPath) else {
                throw LineageError.storage("cannot write the reject file \(rejectsPath)")
            }
            return handle
        }
    }
}

/// The actor for commands that do not take the full WriteOptions.
struct WriteOptionsActor {
    let actor: String?
    var resolved: String {
        if let actor, !actor.isEmpty { return actor }
        if let actor = Environment.value("LINEAGE_ACTOR"), !actor.isEmpty { return actor }
        return (Environment.value("USER") ?? "unknown") + "@" + ProcessInfo.processInfo.hostName
    }
}
