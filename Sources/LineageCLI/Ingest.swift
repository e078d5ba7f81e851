import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
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
                (and `outputPayload`) may be the raw value, or bytes in base64 as `inputBase64` (`outputPayloadBase64`): \
                it is committed and kept, sealed, in the payload store. A prediction's `subject` (the data subject's \
                id) is stored as a keyed hash, never in clear (see docs/privacy.md). \
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
            let reader = try LineReader.open(file, maximumLineLength: maxLineBytes)
            defer { reader.close() }
            var rejectFile: FileHandle?
            let size = reader.fileSize
            let progress = Terminal.counter("ingesting", unit: "records", fraction: size.map { size in
                { size > 0 ? reader.fileOffset.map { Double($0) / Double(size) } : nil }
            })
            defer { progress?.finish() }
            let options = IngestOptions(actor: try WriteOptionsActor(actor: actor).resolve(), batchSize: batchSize,
                                        batchSeconds: batchSeconds, skipInvalid: skipInvalid)
            let report = try Ingestor.run(reader, into: store, options: options, reject: { error in
                if rejectFile == nil { rejectFile = try openRejects() }
                rejectFile?.write(Data((error.json.canonicalString + "\n").utf8))
            }, progress: { progress?.update(UInt64($0)) })
            try? rejectFile?.close()
            progress?.finish()
            if output.json {
                print(report.json(rejects: rejectFile == nil ? nil : rejectsPath).canonicalString)
            } else if !quiet {
                print("Ingested " + report.summary + (report.rejected > 0 ? "; \(report.rejected) bad lines written to \(rejectsPath)" : ""))
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

/// Who records: `--actor`, else the default (`DefaultActor`).
struct WriteOptionsActor {
    let actor: String?
    func resolve() throws -> String {
        try DefaultActor.resolve(explicit: actor, environment: Environment.value, directory: Environment.workingDirectory)
    }
}
