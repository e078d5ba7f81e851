import Foundation
import LineageCore
import LineageStore

// `lineage-bench [--records N] [--lineage PATH] [--out DIR]`: builds a reproducible synthetic store and
// prints each figure next to its reference, measured in the same run; saves the table as JSON.

var arguments = CommandLine.arguments.dropFirst()
var records = 1_000_000
var lineage = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lineage").path
var out = "bench-results"
var keep = false
while let flag = arguments.popFirst() {
    switch flag {
    case "--records": records = Int(arguments.popFirst() ?? "") ?? records
    case "--lineage": lineage = arguments.popFirst() ?? lineage
    case "--out": out = arguments.popFirst() ?? out
    case "--keep": keep = true
    default:
        FileHandle.standardError.write(Data("usage: lineage-bench [--records N] [--lineage PATH] [--out DIR] [--keep]\n".utf8))
        exit(2)
    }
}

lineage = URL(fileURLWithPath: lineage, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")).standardizedFileURL.path
out = URL(fileURLWithPath: out, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")).standardizedFileURL.path

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

let work = NSTemporaryDirectory() + "lineage-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { if !keep { try? FileManager.default.removeItem(atPath: work) } else { say("Kept the store in \(work)") } }
let storePath = work + "/.lineage"

say("Building a store of \(records) predictions (+6 upstream records) in \(work)")
let buildStart = Date()
let predictions = try Workload(predictions: records, batchSize: 10_000).build(at: storePath, log: say)
let buildSeconds = Date().timeIntervalSince(buildStart)

// The same canonical bytes the log holds, for the reference hash.
say("Exporting the canonical bytes for openssl")
let exported = work + "/records.ndjson"
_ = try Timing.run(["/bin/sh", "-c", "git --git-dir .lineage log --reverse --format=%H refs/lineage/log/bench.example/fraud | while read c; do git --git-dir .lineage ls-tree --name-only $c | while read f; do git --git-dir .lineage cat-file blob $c:$f; done; done"],
                   directory: work, capture: exported)
let exportedBytes = (try FileManager.default.attributesOfItem(atPath: exported)[.size] as? NSNumber)?.int64Value ?? 0

say("Timing lineage verify and openssl dgst -sha256 (median of 3)")
let verify = try Timing.median([lineage, "verify", "--store", storePath], directory: work, repeats: 3)
let openssl = try Timing.median(["openssl", "dgst", "-sha256", exported], directory: work, repeats: 3)

say("Timing lineage prove and lineage --version (median of 11)")
let target = predictions[predictions.count / 2]
let prove = try Timing.median([lineage, "prove", target, "--store", storePath], directory: work, repeats: 11)
let version = try Timing.median([lineage, "--version"], directory: work, repeats: 11)
let trace = try Timing.median([lineage, "trace", target, "--store", storePath], directory: work, repeats: 11)

struct Row {
    let what: String, value: String, reference: String, target: String, verdict: String
}
let ratio = verify / openssl
let rows = [
    Row(what: "store built (in-process, \(records + 6) records)", value: String(format: "%.1f s", buildSeconds),
        reference: String(format: "%.0f records/s", Double(records + 6) / buildSeconds), target: "-", verdict: "-"),
    Row(what: "lineage verify, whole store", value: String(format: "%.2f s", verify),
        reference: String(format: "openssl dgst -sha256 %.3f s over %.1f MB", openssl, Double(exportedBytes) / 1e6),
        target: "<= 3x openssl", verdict: String(format: "%.1fx %@", ratio, ratio <= 3 ? "MET" : "NOT MET")),
    Row(what: "lineage prove <prediction>, whole process", value: String(format: "%.1f ms", prove * 1000),
        reference: String(format: "lineage --version %.1f ms", version * 1000), target: "< 100 ms",
        verdict: prove < 0.1 ? "MET" : "NOT MET"),
    Row(what: "lineage trace <prediction>, whole process", value: String(format: "%.1f ms", trace * 1000),
        reference: String(format: "lineage --version %.1f ms", version * 1000), target: "(issue 5: < 30 ms at 10M)", verdict: "-"),
]
print("")
print("lineage bench: \(records) predictions")
for row in rows {
    print("- \(row.what): \(row.value) | reference: \(row.reference) | target: \(row.target) | \(row.verdict)")
}
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
let json = JSONValue.object(JSONObject([
    ("records", .number(Double(records + 6))),
    ("buildSeconds", .number(buildSeconds)),
    ("verifySeconds", .number(verify)),
    ("opensslSeconds", .number(openssl)),
    ("canonicalBytes", .number(Double(exportedBytes))),
    ("verifyOverOpenssl", .number(ratio)),
    ("proveMilliseconds", .number(prove * 1000)),
    ("traceMilliseconds", .number(trace * 1000)),
    ("versionMilliseconds", .number(version * 1000)),
]))
try Data(json.prettyString().utf8).write(to: URL(fileURLWithPath: out + "/bench.json"))
say("Saved \(out)/bench.json")
