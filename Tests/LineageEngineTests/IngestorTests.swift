import Foundation
import Testing
import LineageCore
import LineageEngine
import LineageStore

/// A store in a temporary directory, removed afterwards.
final class ScratchStore {
    let directory: String
    let store: Store

    init(origin: String = "engine.test/log") throws {
        directory = NSTemporaryDirectory() + "lineage-engine-" + UUID().uuidString
        store = try Store.create(at: directory + "/.lineage", origin: origin)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// NDJSON for a model and `count` predictions it made, as a service would send them.
func predictions(model: String, count: Int, first: Int = 0) -> [UInt8] {
    var text = #"{"kind":"model","name":"\#(model)","digest":"\#(Digest(hashing: Array(model.utf8)))"}"# + "\n"
    for index in first..<(first + count) {
        text += #"{"predictionId":"\#(model)-\#(index)","model":"model:\#(model)","output":{"score":\#(Double(index % 100) / 100)},"time":"2026-11-01T09:00:00Z"}"# + "\n"
    }
    return Array(text.utf8)
}

@Suite("the engine without the CLI: ingest, query and trace")
struct IngestorTests {
    @Test("a stream from memory lands in batches; again, every line is a duplicate")
    func ingestFromMemory() throws {
        let scratch = try ScratchStore()
        let options = IngestOptions(actor: "test@example.com", batchSize: 100)
        let first = try Ingestor.run(LineReader(bytes: predictions(model: "fraud", count: 250), maximumLineLength: 1 << 20),
                                     into: scratch.store, options: options)
        #expect(first.records == 251 && first.duplicates == 0 && first.lastLandedLine == 251)
        #expect(first.batches >= 3)
        let again = try Ingestor.run(LineReader(bytes: predictions(model: "fraud", count: 250), maximumLineLength: 1 << 20),
                                     into: scratch.store, options: options)
        #expect(again.records == 0 && again.duplicates == 251)

        var query = RecordQuery()
        query.kind = .prediction
        var seen = 0
        try scratch.store.query(query) { _ in seen += 1; return true }
        #expect(seen == 250)
        let graph = try scratch.store.trace(from: try scratch.store.resolve("fraud-7"))
        #expect(graph.order.count == 2)
        #expect(try scratch.store.resolve("model:fraud").id == graph.order[1])
    }

    @Test("a bad line stops ingest, naming it, after the batches before it landed; skipping hands it to the sink")
    func badLines() throws {
        let scratch = try ScratchStore()
        var bytes = predictions(model: "m", count: 3)
        bytes += Array("{\"predictionId\": 5}\n".utf8) + predictions(model: "m", count: 2, first: 10).drop { $0 != 0x0A }.dropFirst()
        let options = IngestOptions(actor: "a", batchSize: 2)
        #expect(throws: LineageError.self) {
            try Ingestor.run(LineReader(bytes: bytes, maximumLineLength: 1 << 20), into: scratch.store, options: options)
        }
        var rejected: [IngestLineError] = []
        let report = try Ingestor.run(LineReader(bytes: bytes, maximumLineLength: 1 << 20), into: scratch.store,
                                      options: IngestOptions(actor: "a", batchSize: 2, skipInvalid: true)) { rejected.append($0) }
        #expect(rejected.map(\.line) == [5])
        #expect(report.rejected == 1 && report.records + report.duplicates == 6)
    }

    @Test("two stores in one process, written and read from two threads at once")
    func twoStoresTwoThreads() throws {
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                // Each thread has its own store: a Store is used by one thread at a time.
                let scratch = try ScratchStore(origin: "store\(index).test/log")
                let store = scratch.store
                var total = 0
                for round in 0..<5 {
                    let report = try Ingestor.run(
                        LineReader(bytes: predictions(model: "m\(index)", count: 400, first: round * 400), maximumLineLength: 1 << 20),
                        into: store, options: IngestOptions(actor: "t\(index)", batchSize: 150))
                    total += report.records
                }
                var query = RecordQuery()
                query.kind = .prediction
                var seen = 0
                try store.query(query) { _ in seen += 1; return true }
                _ = try store.trace(from: try store.resolve("m\(index)-1999"))
                results.set(index, "\(total) \(seen) \(try store.verify().records)")
            } catch {
                results.set(index, "\(error)")
            }
        }
        // Each store: the model once, then 2,000 predictions; each verifies.
        #expect(results.values == [0: "2001 2000 2001", 1: "2001 2000 2001"])
    }
}

/// Results written from several threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: String] = [:]
    func set(_ index: Int, _ value: String) { lock.withLock { stored[index] = value } }
    var values: [Int: String] { lock.withLock { stored } }
}
