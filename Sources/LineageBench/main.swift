import Foundation
import LineageCore
import LineageStore

// `lineage-bench [--records N] [--lineage PATH] [--out DIR] [--keep] [--skip-verify] [--prepare-only]`: builds a reproducible synthetic store
// with `lineage ingest` and prints each figure next to its reference measured in the same run (git fast-import,
// gzip -1, git fsck --strict, openssl, lineage --version); saves the table as JSON.

var arguments = CommandLine.arguments.dropFirst()
var records = 1_000_000
var lineage = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lineage").path
var out = "bench-results"
var keep = false
var skipVerify = false
var prepareOnly = false
while let flag = arguments.popFirst() {
    switch flag {
    case "--records": records = Int(arguments.popFirst() ?? "") ?? records
    case "--lineage": lineage = arguments.popFirst() ?? lineage
    case "--out": out = arguments.popFirst() ?? out
    case "--keep": keep = true
    case "--skip-verify": skipVerify = true
    case "--prepare-only": prepareOnly = true; keep = true
    default:
        FileHandle.standardError.write(Data("usage: lineage-bench [--records N] [--lineage PATH] [--out DIR] [--keep] [--skip-verify] [--prepare-only]\n".utf8))
        exit(2)
    }
}
let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")
lineage = URL(fileURLWithPath: lineage, relativeTo: cwd).standardizedFileURL.path
out = URL(fileURLWithPath: out, relativeTo: cwd).standardizedFileURL.path

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// Total size in bytes of the regular files under `path`.
func bytes(under path: String) -> Int64 {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total: Int64 = 0
    while let name = walker.nextObject() as? String {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name),
           attributes[.type] as? FileAttributeType == .typeRegular {
            total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
}

let work = NSTemporaryDirectory() + "lineage-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { if !keep { try? FileManager.default.removeItem(atPath: work) } else { say("Kept the store in \(work)") } }
let storePath = work + "/.lineage"

say("Writing a workload of \(records) predictions in \(work)")
let workload = Workload(predictions: records)
let deployments = try workload.createStore(at: storePath)
let ndjson = work + "/predictions.ndjson", fastImport = work + "/predictions.fast-import"
let target = try workload.writeInputs(deployments: deployments, ndjson: ndjson, fastImport: fastImport)
if prepareOnly {
    // For profiling: the store before ingest and the inputs, nothing timed.
    say("Prepared \(storePath) and \(ndjson); the middle prediction is \(target)")
    exit(0)
}

say("Timing lineage ingest")
let (ingestSeconds, ingestStatus, ingestRSS) = try Timing.measure([lineage, "ingest", ndjson, "--store", storePath, "-q"], directory: work)
guard ingestStatus == 0 else { throw BenchError("lineage ingest exited \(ingestStatus)") }
say("Timing git fast-import writing the same records as blobs")
_ = try Timing.run(["git", "init", "-q", "--bare", work + "/fast-import.git"], directory: work)
let (fastImportSeconds, fastImportStatus, _) = try Timing.measure(["git", "--git-dir", work + "/fast-import.git", "fast-import", "--quiet"],
                                                                   directory: work, input: fastImport)
guard fastImportStatus == 0 else { throw BenchError("git fast-import exited \(fastImportStatus)") }
let gzipped = work + "/predictions.ndjson.gz"
_ = try Timing.run(["gzip", "-1", "-k", "-f", ndjson], directory: work)
let storeBytes = bytes(under: storePath + "/objects")
let gzipBytes = fileSize(gzipped)
let indexBytes = fileSize(storePath + "/index.sqlite")

var verify = 0.0, openssl = 0.0, fsck = 0.0, exportedBytes: Int64 = 0
if !skipVerify {
    // The same canonical bytes the log holds, for the reference hash.
    say("Exporting the canonical bytes for openssl")
    let exported = work + "/records.ndjson"
    _ = try Timing.run(["/bin/sh", "-c", "git --git-dir .lineage log --reverse --format=%H refs/lineage/log/bench.example/fraud | while read c; do git --git-dir .lineage ls-tree --name-only $c | while read f; do git --git-dir .lineage cat-file blob $c:$f; done; done"],
                       directory: work, capture: exported)
    exportedBytes = fileSize(exported)
    say("Timing lineage verify, git fsck --strict and openssl dgst -sha256 (median of 3)")
    verify = try Timing.median([lineage, "verify", "--store", storePath], directory: work, repeats: 3)
    // The reference: git checking its own object hashes and links over the same store, the part of
    // verify's work that any git store pays (verify also parses every record, recomputes ids, links,
    // the Merkle tree and signatures, and checks the index).
    fsck = try Timing.median(["git", "--git-dir", storePath, "fsck", "--strict", "--no-dangling", "--no-progress"], directory: work, repeats: 3)
    openssl = try Timing.median(["openssl", "dgst", "-sha256", exported], directory: work, repeats: 3)
}

say("Timing lineage prove, trace and --version (median of 11)")
let prove = try Timing.median([lineage, "prove", target, "--store", storePath], directory: work, repeats: 11)
let trace = try Timing.median([lineage, "trace", target, "--store", storePath], directory: work, repeats: 11)
let version = try Timing.median([lineage, "--version"], directory: work, repeats: 11)

say("Timing lineage impact and query memory")
let impact = try Timing.median([lineage, "impact", "dataset:transactions", "--store", storePath], directory: work, repeats: 3)
let (_, _, querySmallRSS) = try Timing.measure([lineage, "query", "--kind", "prediction", "-n", "1000", "--json", "--store", storePath], directory: work)
let (queryAllSeconds, _, queryAllRSS) = try Timing.measure([lineage, "query", "--kind", "prediction", "--json", "--store", storePath], directory: work)
// The workload makes 1M predictions a day from 2026-01-01 across 8 deployments: one deployment's
// day is 125,000 predictions (fewer when the workload is under a day).
let queryDayCommand = [lineage, "query", "--kind", "prediction", "--deployment", deployments[0], "--since", "2026-01-01",
                       "--until", "2026-01-02", "--store", storePath]
let queryDay = try Timing.median(queryDayCommand, directory: work, repeats: 3)
_ = try Timing.run(queryDayCommand, directory: work, capture: work + "/query-day.txt")
let queryDayRows = ((try? Data(contentsOf: URL(fileURLWithPath: work + "/query-day.txt"))) ?? Data()).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }

say("Timing lineage reindex")
let (reindexSeconds, _, _) = try Timing.measure([lineage, "reindex", "--store", storePath, "-q"], directory: work)

say("Timing ingest with raw payloads against commitments only (100,000 predictions each, median of 3)")
let payloadLines = 100_000
let payloadTemplate = work + "/payload-template"
_ = try Workload(predictions: 0).createStore(at: payloadTemplate)
try Data(PayloadBench.lines(payloadLines, raw: true, deployment: deployments[0])).write(to: URL(fileURLWithPath: work + "/raw.ndjson"))
try Data(PayloadBench.lines(payloadLines, raw: false, deployment: deployments[0])).write(to: URL(fileURLWithPath: work + "/committed.ndjson"))
let committedSeconds = try PayloadBench.ingest(lineage, file: work + "/committed.ndjson", template: payloadTemplate, work: work)
let rawSeconds = try PayloadBench.ingest(lineage, file: work + "/raw.ndjson", template: payloadTemplate, work: work)
say("Timing lineage erase --subject (100 predictions) in the big store")
let eraseSubject = try PayloadBench.eraseSubject(lineage, store: storePath, deployment: deployments[1], work: work)

func verdict(_ met: Bool) -> String { met ? "MET" : "NOT MET" }
let ingestRate = Double(records) / ingestSeconds
let fastImportRate = Double(records) / fastImportSeconds
let rows: [(String, String, String, String, String)] = [
    ("lineage ingest", String(format: "%.0f predictions/s", ingestRate), String(format: "git fast-import %.0f blobs/s", fastImportRate),
     ">= 100000/s; at 10M >= 0.9x the 1M rate (compare two runs)", String(format: "%.2fx fast-import, %@", ingestRate / fastImportRate, verdict(ingestRate >= 100_000))),
    ("git store size", String(format: "%.1f MB", Double(storeBytes) / 1e6), String(format: "gzip -1 of the NDJSON %.1f MB", Double(gzipBytes) / 1e6),
     "<= 1.5x gzip -1", String(format: "%.2fx %@", Double(storeBytes) / Double(gzipBytes), verdict(Double(storeBytes) <= 1.5 * Double(gzipBytes)))),
    ("index size", String(format: "%.0f bytes/prediction", Double(indexBytes) / Double(records)), "-", "<= 100 bytes/prediction",
     verdict(Double(indexBytes) / Double(records) <= 100)),
    ("ingest peak RSS", String(format: "%.0f MB", Double(ingestRSS) / 1e6), "-", "< 256 MB (at 10M)", verdict(ingestRSS < 256_000_000)),
    ("lineage verify, whole store", skipVerify ? "skipped" : String(format: "%.2f s", verify),
     skipVerify ? "-" : String(format: "git fsck --strict %.2f s (openssl dgst -sha256 %.3f s over %.1f MB)", fsck, openssl, Double(exportedBytes) / 1e6),
     "<= 1.5x git fsck", skipVerify ? "-" : String(format: "%.2fx %@", verify / fsck, verdict(verify <= 1.5 * fsck))),
    ("lineage prove <prediction>", String(format: "%.1f ms", prove * 1000), String(format: "lineage --version %.1f ms", version * 1000),
     "< 100 ms", verdict(prove < 0.1)),
    ("lineage trace <prediction>", String(format: "%.1f ms", trace * 1000), String(format: "lineage --version %.1f ms", version * 1000),
     "< 30 ms and <= 3x --version (at 10M)", verdict(trace < 0.03 && trace <= 3 * version)),
    ("lineage reindex", String(format: "%.1f s", reindexSeconds), "-", "10M in < 120 s", records >= 10_000_000 ? verdict(reindexSeconds < 120) : "- (scale: 10M)"),
    ("lineage query, one deployment on one day", String(format: "%.2f s for %d rows", queryDay, queryDayRows), "-", "< 1 s (at 10M)", verdict(queryDay < 1)),
    ("lineage impact <source dataset>", String(format: "%.1f ms", impact * 1000), "-", "< 1 s (at 10M)", verdict(impact < 1)),
    ("ingest with raw inputs (~300 B)", String(format: "%.0f predictions/s", Double(payloadLines) / rawSeconds),
     String(format: "the same lines with commitments %.0f/s", Double(payloadLines) / committedSeconds), ">= 0.7x commitments only",
     String(format: "%.2fx %@", committedSeconds / rawSeconds, verdict(committedSeconds / rawSeconds >= 0.7))),
    ("lineage erase --subject (100 predictions)", String(format: "%.0f ms", eraseSubject * 1000), String(format: "lineage --version %.1f ms", version * 1000),
     "< 1 s (in a 1M store)", verdict(eraseSubject < 1)),
    ("lineage query --json, all predictions", String(format: "peak RSS %.0f MB, %.1f s", Double(queryAllRSS) / 1e6, queryAllSeconds),
     String(format: "first 1000: peak RSS %.0f MB", Double(querySmallRSS) / 1e6), "memory flat as results grow",
     verdict(Double(queryAllRSS) < 1.5 * Double(querySmallRSS))),
]
print("")
print("lineage bench: \(records) predictions (+6 upstream records), 2-core machine")
for (what, value, reference, targetText, result) in rows {
    print("- \(what): \(value) | reference: \(reference) | target: \(targetText) | \(result)")
}
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
let json = JSONValue.object(JSONObject([
    ("predictions", .number(Double(records))),
    ("ingestPerSecond", .number(ingestRate)), ("fastImportPerSecond", .number(fastImportRate)),
    ("ingestPeakRSSBytes", .number(Double(ingestRSS))),
    ("storeObjectBytes", .number(Double(storeBytes))), ("gzip1Bytes", .number(Double(gzipBytes))),
    ("indexBytesPerPrediction", .number(Double(indexBytes) / Double(records))),
    ("verifySeconds", .number(verify)), ("gitFsckSeconds", .number(fsck)), ("opensslSeconds", .number(openssl)), ("canonicalBytes", .number(Double(exportedBytes))),
    ("proveMilliseconds", .number(prove * 1000)), ("traceMilliseconds", .number(trace * 1000)),
    ("versionMilliseconds", .number(version * 1000)), ("reindexSeconds", .number(reindexSeconds)),
    ("impactMilliseconds", .number(impact * 1000)), ("queryDaySeconds", .number(queryDay)), ("queryDayRows", .number(Double(queryDayRows))), ("queryAllPeakRSSBytes", .number(Double(queryAllRSS))),
    ("queryFirst1000PeakRSSBytes", .number(Double(querySmallRSS))), ("queryAllSeconds", .number(queryAllSeconds)),
    ("rawPayloadIngestPerSecond", .number(Double(payloadLines) / rawSeconds)), ("committedIngestPerSecond", .number(Double(payloadLines) / committedSeconds)),
    ("eraseSubjectMilliseconds", .number(eraseSubject * 1000)),
]))
try Data(json.prettyString().utf8).write(to: URL(fileURLWithPath: out + "/bench.json"))
say("Saved \(out)/bench.json")
