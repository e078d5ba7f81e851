import Foundation
import LineageCore
import LineageStore

/// A reproducible synthetic store: a source dataset, a cleaning transform, training data, a run,
/// a model, a deployment and `predictions` predictions, appended in batches.
struct Workload {
    let predictions: Int
    let batchSize: Int

    /// Builds the store at `path`; returns the prediction ids written.
    func build(at path: String, log: (String) -> Void) throws -> [String] {
        let store = try Store.create(at: path, origin: "bench.example/fraud")
        let t0: Int64 = 1_767_225_600_000 // 2026-01-01, fixed so the workload is reproducible
        func digest(_ text: String) -> String { Digest(hashing: Array(text.utf8)).description }
        var deployment = ""
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
            deployment = try tx.register(.deployment, fields: JSONObject([("model", .string(model.id.description)), ("environment", .string("prod")),
                                                                          ("action", .string("deploy"))]), timeMilliseconds: t0, actor: "bench").id.description
        }
        var ids: [String] = []
        var generator = SplitMix(seed: 42)
        var written = 0
        while written < predictions {
            let count = min(batchSize, predictions - written)
            _ = try store.write(actor: "bench") { tx in
                for i in written..<(written + count) {
                    let pid = "pred-\(i)"
                    let score = Double(generator.next() % 10_000) / 10_000
                    let fields = JSONObject([
                        ("predictionId", .string(pid)), ("deployment", .string(deployment)),
                        ("input", .string(digest("input-\(i)"))),
                        ("output", .object(JSONObject([("label", .string(score > 0.5 ? "fraud" : "legit")), ("score", .number(score))]))),
                        ("latencyMs", .number(Double(generator.next() % 50))),
                    ])
                    try tx.register(.prediction, fields: fields, timeMilliseconds: t0 + Int64(i) * 10, actor: "bench")
                    ids.append(pid)
                }
            }
            written += count
            log("  \(written) / \(predictions) predictions")
        }
        return ids
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
