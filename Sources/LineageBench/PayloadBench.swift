import Foundation
import LineageCore

/// The payload benchmarks: ingest of predictions carrying raw inputs (~300 bytes) against the same
/// lines with commitments only, each into a fresh store, measured side by side (median of 3); and
/// erasure of one data subject's 100 predictions in the big store.
enum PayloadBench {
    /// `count` predictions as NDJSON, each with a ~300-byte raw input (`raw`), or with a commitment in
    /// its place: the same lines but for that field.
    static func lines(_ count: Int, raw: Bool, deployment: String) -> [UInt8] {
        var generator = SplitMix(seed: 7)
        var out: [UInt8] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyz ".utf8)
        for i in 0..<count {
            let text = String(decoding: (0..<280).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }, as: UTF8.self)
            let input = raw ? "{\"text\":\"\(text)\"}" : "\"\(Digest(hashing: Array(text.utf8)).description)\""
            out += Array("{\"deployment\":\"\(deployment)\",\"input\":\(input),\"output\":{\"label\":\"ok\",\"score\":0.\(i % 1000)},\"predictionId\":\"pay-\(i)\"}\n".utf8)
        }
        return out
    }

    /// Median seconds of ingesting `file` into a fresh copy of the store at `template`, three times.
    static func ingest(_ lineage: String, file: String, template: String, work: String) throws -> Double {
        var times: [Double] = []
        for round in 0..<3 {
            let copy = work + "/payload-store-\(round)"
            _ = try Timing.run(["cp", "-a", template, copy], directory: work)
            let (seconds, status) = try Timing.run([lineage, "ingest", file, "--store", copy, "-q"], directory: work)
            guard status == 0 else { throw BenchError("lineage ingest of \(file) exited \(status)") }
            times.append(seconds)
            _ = try Timing.run(["rm", "-rf", copy], directory: work)
        }
        return times.sorted()[1]
    }

    /// Seconds to erase the 100 predictions of one subject added to the store at `store`.
    static func eraseSubject(_ lineage: String, store: String, deployment: String, work: String) throws -> Double {
        let file = work + "/subject.ndjson"
        let lines = (0..<100).map { i in
            "{\"deployment\":\"\(deployment)\",\"input\":{\"text\":\"bench subject input \(i)\"},\"output\":{\"label\":\"ok\"},\"predictionId\":\"subject-\(i)\",\"subject\":\"bench-subject-7\"}\n"
        }.joined()
        try Data(lines.utf8).write(to: URL(fileURLWithPath: file))
        guard try Timing.run([lineage, "ingest", file, "--store", store, "-q"], directory: work).1 == 0 else {
            throw BenchError("lineage ingest of the subject's predictions failed")
        }
        let (seconds, status) = try Timing.run([lineage, "erase", "--subject", "bench-subject-7", "--reason", "bench", "--store", store,
                                                "--actor", "bench"], directory: work)
        guard status == 0 else { throw BenchError("lineage erase exited \(status)") }
        return seconds
    }
}
