import Foundation
import LineageCore
import LineageStore

/// A reproducible synthetic workload: a source dataset, a cleaning transform, training data, a run,
/// a model and its deployments to `regions` environments, written in-process; then `predictions`
/// predictions as NDJSON for `lineage ingest`, and the same records as a `git fast-import` stream
/// of blobs. Predictions come `spacingMilliseconds` apart (1M a day), taking the deployments in turn.
struct Workload {
    let predictions: Int
    static let regions = ["eu-west", "eu-north", "us-east", "us-west", "ap-south", "ap-east", "sa-east", "af-south"]
    static let spacingMilliseconds: Int64 = 86
    /// The first prediction's time: 2026-01-01, fixed so the workload is reproducible.
    static let t0: Int64 = 1_767_225_600_000

    /// Creates the store with the upstream records; returns the deployments' names.
    func createStore(at path: String) throws -> [String] {
        let store = try Store.create(at: path, origin: "bench.example/fraud")
        let t0 = Workload.t0
        func digest(_ text: String) -> String { Digest(hashing: Array(text.utf8)).description }
        _ = try store.write(actor: "bench") { tx in
            let raw = try tx.register(.dataset, fields: JSONObject([("name", .string("transactions")), ("digest", .string(digest("raw")))]),
                                      timeMilliseconds: t0, actor: "bench")
            let clean = try tx.register(.transform, fields: JSONObject([("name", .string("clean")), ("inputs", .array([.string(raw.id.description)]))]),
                                        timeMilliseconds: t0, actor: "bench")
            let train = try tx.register(.dataset, fields: JSONObject([("name", .string("train")), ("digest", .string(digest("train"))),
                                                                      ("derivedFrom", .string(clean.id.description))]), timeMilliseconds: t0, actor: "bench")
            let run = try tx.register(.run, fields: JSONObject([("name", .string("train-fraud")), ("inputs", .array([.string(train.id.description)])),
                                                                ("params", .object(JSONObject([("lr", .number(0.1))]))),
                                                                ("metrics", .object(JSONObject([("auc", .number(0.93))])))]),
                                      timeMilliseconds: t0, actor: "bench")
            let model = try tx.register(.model, fields: JSONObject([("name", .string("fraud")), ("digest", .string(digest("model"))),
                                                                    ("producedBy", .string(run.id.description))]), timeMilliseconds: t0, actor: "bench")
            for region in Workload.regions {
                try tx.register(.deployment, fields: JSONObject([("model", .string(model.id.description)), ("environment", .string(region)),
                                                                 ("action", .string("deploy"))]), timeMilliseconds: t0, actor: "bench")
            }
        }
        return Workload.regions.map { "deployment:fraud/" + $0 }
    }

    /// Writes the predictions as NDJSON to `ndjson` and as a fast-import stream of blobs to
    /// `fastImport`; returns the id of the middle prediction (the bench keeps no list of them: its own
    /// memory would show in the peak RSS of the processes it starts).
    func writeInputs(deployments: [String], ndjson: String, fastImport: String) throws -> String {
        _ = FileManager.default.createFile(atPath: ndjson, contents: nil)
        _ = FileManager.default.createFile(atPath: fastImport, contents: nil)
        guard let lines = FileHandle(forWritingAtPath: ndjson), let blobs = FileHandle(forWritingAtPath: fastImport) else {
            throw BenchError("cannot write the workload files")
        }
        defer {
            try? lines.close()
            try? blobs.close()
        }
        var generator = SplitMix(seed: 42)
        var lineBuffer: [UInt8] = [], blobBuffer: [UInt8] = []
        let t0 = Workload.t0
        for i in 0..<predictions {
            let deployment = deployments[i % deployments.count]
            let pid = "pred-\(i)"
            let score = Double(generator.next() % 10_000) / 10_000
            let object = JSONObject([
                ("predictionId", .string(pid)), ("deployment", .string(deployment)),
                ("time", .string(RecordTime.format(milliseconds: t0 + Int64(i) * Workload.spacingMilliseconds))), ("actor", .string("bench")),
                ("input", .string(Digest(hashing: Array("input-\(i)".utf8)).description)),
                ("output", .object(JSONObject([("label", .string(score > 0.5 ? "fraud" : "legit")), ("score", .number(score))]))),
                ("latencyMs", .number(Double(generator.next() % 50))),
            ])
            let line = JSONValue.object(object).canonicalBytes
            lineBuffer += line
            lineBuffer.append(0x0A)
            blobBuffer += Array("blob\ndata \(line.count)\n".utf8) + line + [0x0A]
            if lineBuffer.count > 1 << 20 {
                lines.write(Data(lineBuffer))
                blobs.write(Data(blobBuffer))
                lineBuffer.removeAll(keepingCapacity: true)
                blobBuffer.removeAll(keepingCapacity: true)
            }
        }
        lines.write(Data(lineBuffer))
        blobs.write(Data(blobBuffer))
        return "pred-\(predictions / 2)"
    }
}

/// A small deterministic random number generator, so every run builds the same store.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
