import Foundation
import GRDB
import Testing
import LineageCore
@testable import LineageStore

/// A fresh store in a temporary directory, removed afterwards.
final class TemporaryStore {
    let directory: String
    let store: Store

    init() throws {
        directory = NSTemporaryDirectory() + "lineage-store-" + UUID().uuidString
        store = try Store.create(at: directory + "/.lineage", origin: "test.example/log")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func reopen() throws -> Store { try Store.open(at: directory + "/.lineage") }

    func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "--git-dir", directory + "/.lineage"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

func datasetFields(_ name: String, _ content: String) -> JSONObject {
    JSONObject([("name", .string(name)), ("digest", .string(Digest(hashing: Array(content.utf8)).description))])
}

/// A new store holding one model, with key tiers of the given sizes (see `Index.keyBufferLimit`).
func storeWithModel(keyBuffer: Int = 65_536, keyMiddle: Int = 16 * 65_536, drainSlices: Int = 32) throws -> (TemporaryStore, Digest) {
    let temporary = try TemporaryStore()
    temporary.store.sqlite.keyBufferLimit = keyBuffer
    temporary.store.sqlite.keyMiddleLimit = keyMiddle
    temporary.store.sqlite.keyDrainSlices = drainSlices
    let (model, _) = try temporary.store.write(actor: "t") { tx in
        try tx.register(.model, fields: datasetFields("m", "weights"), timeMilliseconds: 0, actor: "t").id
    }
    return (temporary, model)
}

/// Records predictions `p-<batch>-<i>` served by `model` as one batch; their ids by prediction id.
func predictionBatch(_ store: Store, model: Digest, batch: Int, count: Int = 10) throws -> [String: Digest] {
    try store.write(actor: "t") { tx in
        var ids: [String: Digest] = [:]
        for i in 0..<count {
            let pid = "p-\(batch)-\(i)"
            let fields = JSONObject([("predictionId", .string(pid)), ("model", .string(model.description))])
            ids[pid] = try tx.register(.prediction, fields: fields, timeMilliseconds: Int64(batch * 10 + i), actor: "t").id
        }
        return ids
    }.0
}

struct Boom: Error {}

extension Store {
    /// The SQLite backend, for tests that look inside it.
    var sqlite: Index { index as! Index }
}

@Suite("the store: batches, versions and the index")
struct StoreTests {
    @Test("a batch lands whole or not at all")
    func atomicBatch() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try store.write(actor: "t") { tx in
            try tx.register(.dataset, fields: datasetFields("a", "1"), timeMilliseconds: 0, actor: "t")
        }
        let head = try store.head()
        #expect(throws: Boom.self) {
            try store.write(actor: "t") { tx in
                try tx.register(.dataset, fields: datasetFields("b", "2"), timeMilliseconds: 0, actor: "t")
                try tx.register(.dataset, fields: datasetFields("c", "3"), timeMilliseconds: 0, actor: "t")
                throw Boom()
            }
        }
        #expect(try store.head() == head)
        #expect(try store.index.recordCount() == 1)
        let (_, result) = try store.write(actor: "t") { tx in
            try tx.register(.dataset, fields: datasetFields("b", "2"), timeMilliseconds: 0, actor: "t")
            try tx.register(.dataset, fields: datasetFields("c", "3"), timeMilliseconds: 0, actor: "t")
        }
        #expect(result.batch?.count == 2)
        #expect(try store.index.recordCount() == 3)
        #expect(try temporary.git("rev-list", "--count", store.logReference) == "2")
    }

    @Test("an index whose user_version is behind gets the migrations it lacks")
    func indexMigrations() throws {
        let temporary = try TemporaryStore()
        let (outcome, _) = try temporary.store.write(actor: "t") { tx in
            try tx.register(.dataset, fields: datasetFields("a", "1"), timeMilliseconds: 0, actor: "t")
        }
        func userVersion(_ store: Store) throws -> Int64? {
            try store.sqlite.queue.inDatabase { try Int64.fetchOne($0, sql: "PRAGMA user_version") }
        }
        #expect(try userVersion(temporary.store) == Index.schemaVersion)
        // Take the index back to before the middle tier of keys (migration v6), as an older lineage left it.
        try temporary.store.sqlite.queue.inDatabase { db in
            try db.execute(sql: """
                DROP VIEW any_key; DROP VIEW any_pkey; DROP TABLE record_key_mid; DROP TABLE prediction_mid;
                CREATE VIEW any_key AS SELECT key, seq FROM record_key UNION ALL SELECT key, seq FROM record_key_new;
                CREATE VIEW any_pkey AS SELECT pkey, seq FROM prediction UNION ALL SELECT pkey, seq FROM prediction_new;
                DELETE FROM grdb_migrations WHERE identifier = 'v6-key-middle-tier';
                PRAGMA user_version = 0;
                """)
        }
        let reopened = try temporary.reopen()
        #expect(try userVersion(reopened) == Index.schemaVersion)
        #expect(try reopened.sqlite.queue.inDatabase { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM record_key_mid") } == 0)
        #expect(try reopened.index.record(id: outcome.id)?.name == "a")
    }

    @Test("versions continue per name, and the same digest returns the existing version")
    func versions() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        func add(_ content: String) throws -> WriteTransaction.Outcome {
            try store.write(actor: "t") { tx in
                try tx.register(.dataset, fields: datasetFields("train", content), timeMilliseconds: 0, actor: "t")
            }.0
        }
        let first = try add("v1")
        let second = try add("v2")
        #expect(try add("v1") == .existing(first.id))
        #expect(try store.read(id: second.id).version == 2)
        #expect(try store.resolve("dataset:train").id == second.id)
        #expect(try store.resolve("dataset:train@1").id == first.id)
    }

    @Test("writers in several threads and store handles never overwrite each other")
    func concurrentWriters() throws {
        let temporary = try TemporaryStore()
        let path = temporary.directory + "/.lineage"
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let store = try Store.open(at: path)
                for i in 0..<10 {
                    _ = try store.write(actor: "w\(worker)") { tx in
                        try tx.register(.dataset, fields: datasetFields("shared", "w\(worker)-\(i)"), timeMilliseconds: 0, actor: "w\(worker)")
                    }
                }
            } catch {
                failures.increment()
            }
        }
        #expect(failures.value == 0)
        let store = try temporary.reopen()
        #expect(try store.index.recordCount() == 40)
        #expect(try temporary.git("rev-list", "--count", store.logReference) == "40")
        let versions = try store.index.records(kind: .dataset, name: "shared").compactMap(\.version)
        #expect(Set(versions) == Set(1...40))
    }

    @Test("the index catches up with batches it missed and rebuilds after a rollback")
    func indexFollowsTheLog() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        for i in 0..<3 {
            _ = try store.write(actor: "t") { tx in
                try tx.register(.dataset, fields: datasetFields("d\(i)", "\(i)"), timeMilliseconds: 0, actor: "t")
            }
        }
        let stale = try temporary.reopen()
        _ = try store.write(actor: "t") { tx in
            try tx.register(.dataset, fields: datasetFields("d3", "3"), timeMilliseconds: 0, actor: "t")
        }
        // A handle opened earlier sees the new batch on its next write.
        let (seen, _) = try stale.write(actor: "t") { tx in
            try tx.versions(kind: .dataset, name: "d3").count
        }
        #expect(seen == 1)
        // Move the ref back two batches with stock git: the store refuses the rolled-back log until
        // the rewrite is accepted, and then the index is rebuilt from it, not trusted.
        let older = try temporary.git("rev-parse", store.logReference + "~2")
        _ = try temporary.git("update-ref", store.logReference, older)
        #expect { try temporary.reopen() } throws: { ($0 as? LineageError)?.kind == .verdict }
        let accepting = try Store.open(at: temporary.directory + "/.lineage", syncingIndex: false)
        #expect(try accepting.reindex(acceptingRewrite: "t").accepted?.contains("accepted a rewritten log") == true)
        let reopened = try temporary.reopen()
        #expect(try reopened.index.recordCount() == 2)
        #expect(throws: LineageError.self) { try reopened.resolve("dataset:d3") }
    }

    @Test("a link to a record outside the store or of the wrong kind is refused")
    func links() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let (dataset, _) = try store.write(actor: "t") { tx in
            try tx.register(.dataset, fields: datasetFields("a", "1"), timeMilliseconds: 0, actor: "t")
        }
        let ghost = "sha256:" + String(repeating: "9", count: 64)
        #expect(throws: LineageError.self) {
            try store.write(actor: "t") { tx in
                try tx.register(.run, fields: JSONObject([("name", .string("r")), ("inputs", .array([.string(ghost)]))]), timeMilliseconds: 0, actor: "t")
            }
        }
        #expect(throws: LineageError.self) {
            try store.write(actor: "t") { tx in
                try tx.register(.model, fields: JSONObject([("name", .string("m")), ("digest", .string(ghost)),
                                                            ("producedBy", .string(dataset.id.description))]), timeMilliseconds: 0, actor: "t")
            }
        }
        // Links within one batch are fine.
        _ = try store.write(actor: "t") { tx in
            let run = try tx.register(.run, fields: JSONObject([("name", .string("r")), ("inputs", .array([.string(dataset.id.description)]))]),
                                      timeMilliseconds: 0, actor: "t")
            try tx.register(.model, fields: JSONObject([("name", .string("m")), ("digest", .string(ghost)),
                                                        ("producedBy", .string(run.id.description))]), timeMilliseconds: 0, actor: "t")
        }
        let graph = try store.trace(from: try store.resolve("model:m"))
        #expect(graph.order.count == 3)
    }
}

/// A counter shared by threads in a test.
final class LockedCounter: @unchecked Sendable {
    // Safe: every access to `count` holds `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

@Suite("segments")
struct SegmentTests {
    @Test("a batch is cut into segments at multiples of 256 log positions, and read back in that layout")
    func cutting() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try store.write(actor: "t") { tx in
            for i in 0..<10 { try tx.register(.dataset, fields: datasetFields("early\(i)", "\(i)"), timeMilliseconds: 0, actor: "t") }
        }
        _ = try store.write(actor: "t") { tx in
            for i in 0..<600 { try tx.register(.dataset, fields: datasetFields("d\(i)", "x\(i)"), timeMilliseconds: 0, actor: "t") }
        }
        let names = try temporary.git("ls-tree", "--name-only", store.logReference).split(separator: "\n")
        #expect(names == ["records-000000000010.ndjson", "records-000000000256.ndjson", "records-000000000512.ndjson"])
        let counts = try names.map { try temporary.git("cat-file", "blob", "\(store.logReference):\($0)").split(separator: "\n").count }
        #expect(counts == [246, 256, 98])
        // Every record reads back through the index, and a rebuilt index agrees.
        let last = try #require(try store.index.record(seq: 609))
        #expect(try store.read(last).name == "d599")
        #expect(try store.reindex().records == 610)
        #expect(try temporary.reopen().read(try #require(try store.index.record(seq: 300))).name == "d290")
        let report = try temporary.reopen().verify()
        #expect(report.records == 610)
        let bundle = try store.prove(try store.resolve("dataset:d300"))
        _ = try bundle.verify(trusting: store.trustedKeys())
    }

    @Test("segments written ahead by a BatchPrewriter are used only when they fit the batch exactly")
    func prewritten() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        func transforms(_ prefix: String, _ count: Int) throws -> [LineageCore.Record] {
            try (0..<count).map { try LineageCore.Record.make(.transform, fields: JSONObject([("name", .string("\(prefix)\($0)"))]), timeMilliseconds: 0, actor: "t") }
        }
        let prewriter = try BatchPrewriter(store: store)
        let first = try transforms("a", 300)
        let fitting = try #require(prewriter.prewrite(first, firstSeq: 0))
        _ = try store.write(actor: "t", prewritten: fitting) { tx in for record in first { try tx.add(record) } }
        #expect(fitting.used)
        #expect(try temporary.git("ls-tree", "--name-only", store.logReference).split(separator: "\n")
            == ["records-000000000000.ndjson", "records-000000000256.ndjson"])
        // A guess one position off, and one of other records at the right position, are not used.
        let second = try transforms("b", 10), third = try transforms("c", 10)
        let offByOne = try #require(prewriter.prewrite(second, firstSeq: 299))
        _ = try store.write(actor: "t", prewritten: offByOne) { tx in for record in second { try tx.add(record) } }
        let otherRecords = try #require(prewriter.prewrite(second, firstSeq: 310))
        _ = try store.write(actor: "t", prewritten: otherRecords) { tx in for record in third { try tx.add(record) } }
        #expect(!offByOne.used && !otherRecords.used)
        #expect(try temporary.git("ls-tree", "--name-only", store.logReference) == "records-000000000310.ndjson")
        #expect(try temporary.reopen().verify().records == 320)
        #expect(try store.read(try #require(try store.index.record(seq: 315))).name == "c5")
    }

    @Test("keys buffered and merged through a middle tier in sorted runs: every id and prediction id is found in any tier, and verify agrees")
    func keyBuffer() throws {
        let (temporary, model) = try storeWithModel(keyBuffer: 15, keyMiddle: 40, drainSlices: 1)
        let store = temporary.store
        var ids: [String: Digest] = [:]
        for batch in 0..<7 { ids.merge(try predictionBatch(store, model: model, batch: batch)) { $1 } }
        // 71 records, counted as they land, 10 a batch after the model: the buffer went into the middle
        // tier after batches 1, 3 and 5, and the middle tier into the big tables after batch 3; the
        // last batch is still buffered. Lookups read all three tiers.
        let tiers = try store.sqlite.reading { db in
            try ["prediction", "prediction_mid", "prediction_new"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1 }
        }
        #expect(tiers == [40, 20, 10])
        for (pid, id) in ids {
            #expect(try store.index.prediction(id: pid)?.id == id)
            #expect(try store.index.record(id: id)?.name == pid)
            #expect(try store.index.contains(id: id))
        }
        #expect(try store.index.prediction(id: "p-9-9") == nil)
        let modelSeq = try #require(try store.index.record(id: model)).seq
        #expect(try store.index.count(linkingTo: modelSeq, kind: .prediction) == 70)
        #expect(try store.verify().indexedRecords == 71)
        #expect(try store.resolve(String(ids["p-0-0"]!.description.prefix(20))).name == "p-0-0")
        // A query over many small pages (each read ahead) lists every prediction once, in log order.
        var query = RecordQuery()
        query.kind = .prediction
        query.servedByModels = [modelSeq]
        var listed: [String] = []
        try store.query(query, pageSize: 7) { entry in
            listed.append(entry.name ?? "?")
            return true
        }
        #expect(listed == (0..<7).flatMap { batch in (0..<10).map { "p-\(batch)-\($0)" } })
    }

    @Test("verify's key scan on its own connection gives the tallies of the index it read, and none when the index moved on or verify read other batches")
    func keyTallyScan() throws {
        let (temporary, model) = try storeWithModel()
        let store = temporary.store
        _ = try predictionBatch(store, model: model, batch: 1, count: 5)
        let head = try store.index.indexedHead()
        let starts: [Int64] = [0, 1], end: Int64 = 6
        let serial = try store.index.keyTallies(batchStarts: starts, end: end)
        let scanned = KeyTallyScan(index: store.index, batches: 2).tallies(head: head, batchStarts: starts, end: end)
        #expect(scanned?.batches == serial.batches)
        #expect(scanned?.outside == serial.outside)
        #expect(serial.batches.map(\.count) == [1, 10])
        // Verify read other batch bounds than the scan did: its tallies are not used.
        #expect(KeyTallyScan(index: store.index, batches: 2).tallies(head: head, batchStarts: [0, 2], end: end) == nil)
        // A batch landed after verify read the index: the scan reads another head.
        _ = try predictionBatch(store, model: model, batch: 2, count: 5)
        #expect(KeyTallyScan(index: store.index, batches: 2).tallies(head: head, batchStarts: starts, end: end) == nil)
        #expect(try store.verify().indexedRecords == 11)
    }

    @Test("the middle tier drains into the big tables a key range a batch: while it drains and after, every key is found in exactly one tier, and verify agrees")
    func keyDrainByRanges() throws {
        let (temporary, model) = try storeWithModel(keyBuffer: 10, keyMiddle: 20, drainSlices: 4)
        let store = temporary.store
        var ids: [String: Digest] = [:]
        func tierCounts() throws -> [Int] {
            try store.sqlite.reading { db in
                try ["prediction", "prediction_mid", "prediction_new", "record_key", "record_key_mid", "record_key_new"].map {
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
                }
            }
        }
        var sawDraining = false
        for batch in 0..<12 {
            ids.merge(try predictionBatch(store, model: model, batch: batch)) { $1 }
            let counts = try tierCounts()
            // Part of the middle tier moved, part not: a drain under way.
            if counts[0] > 0 && counts[1] > 0 { sawDraining = true }
            #expect(counts[0] + counts[1] + counts[2] == ids.count)
            #expect(counts[3] + counts[4] + counts[5] == ids.count + 1)
            for (pid, id) in ids {
                #expect(try store.index.prediction(id: pid)?.id == id)
                #expect(try store.index.record(id: id)?.name == pid)
            }
        }
        #expect(sawDraining)
        // Keys in the big tables are those of whole ranges: none of a range still draining is missing.
        let big = try store.sqlite.reading { db in try Int64.fetchAll(db, sql: "SELECT pkey FROM prediction") }
        #expect(!big.isEmpty)
        #expect(try store.verify().indexedRecords == 121)
        #expect(try temporary.reopen().verify().indexedRecords == 121)
    }

    @Test("a review of a prediction in the same batch links to it in the index")
    func reviewInSameBatch() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let (model, _) = try store.write(actor: "t") { tx in
            try tx.register(.model, fields: datasetFields("m", "weights"), timeMilliseconds: 0, actor: "t").id
        }
        let (prediction, _) = try store.write(actor: "t") { tx -> Digest in
            var last = model
            for i in 0..<3 {
                let fields = JSONObject([("predictionId", .string("q\(i)")), ("model", .string(model.description))])
                last = try tx.register(.prediction, fields: fields, timeMilliseconds: Int64(i), actor: "t").id
            }
            let review = JSONObject([("prediction", .string(last.description)), ("reviewer", .string("dan")), ("decision", .string("confirm"))])
            _ = try tx.register(.review, fields: review, timeMilliseconds: 5, actor: "t")
            return last
        }
        let seq = try #require(try store.index.record(id: prediction)).seq
        #expect(try store.index.count(linkingTo: seq, kind: .review) == 1)
        #expect(try store.verify().indexedRecords == 5)
    }

    @Test("key ranges for draining cover the key space in order, without gaps or overlaps")
    func keyRanges() {
        for count in [1, 3, 4, 32] {
            let ranges = (0..<count).map { Index.keyRange(slice: $0, of: count) }
            #expect(ranges.first!.0 == Int64.min && ranges.last!.1 == Int64.max)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.1 &+ 1 == b.0 && a.0 <= a.1) }
        }
    }
}

/// What verify and a pull learn of links that leave the log: found in another log held here, not held
/// (only in a pull, or where the index knows the record as another origin's), or an upstream record missing.
@Suite("links out of a log")
struct ForeignLinksTests {
    @Test("a link to a record no log holds is unknown outside a pull; taken as another log's in a pull, unless the log holds it after all")
    func lookups() throws {
        let (temporary, model) = try storeWithModel()
        let ghost = Digest(hashing: Array("ghost".utf8))
        var verifying = ForeignLinks()
        guard case .unknown = try verifying.look(up: ghost, in: temporary.store, pulling: false) else {
            Issue.record("a missing upstream record must be unknown when verifying")
            return
        }
        var pulling = ForeignLinks()
        guard case .unresolved = try pulling.look(up: ghost, in: temporary.store, pulling: true) else {
            Issue.record("a record of a log not held must be unresolved in a pull")
            return
        }
        #expect(pulling.unresolved == [ghost] && pulling.found == 0)
        // The pulled log turns out to hold the record later: a forward link, named.
        var known = SeenRecords()
        #expect(pulling.laterInLog(known) == nil)
        let record = try temporary.store.read(id: model)
        var later = ForeignLinks()
        _ = try later.look(up: model, in: temporary.store, pulling: true)
        known.insert(record, name: "m")
        #expect(later.laterInLog(known) == model)
    }
}
