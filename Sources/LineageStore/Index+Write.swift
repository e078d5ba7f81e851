import Foundation
import GitStore
import GRDB
import LineageCore

/// What the index keeps of one record, as derived from the record itself.
struct IndexRow {
    let seq: Int64
    let id: Digest
    let kind: RecordKind
    /// The index name (see `IndexedRecord.name`); for predictions, the prediction id.
    let name: String?
    let version: Int?
    let timeMilliseconds: Int64
    let digest: Digest?
    let links: [LineageCore.Record.Link]
    /// A prediction's keyed data subject (`subject`), by its first 8 bytes.
    var subjectKey: Int64? = nil

    /// Predictions keep their one serving link (deployment or model) in the row, not in `link`.
    var servingLink: LineageCore.Record.Link? {
        kind == .prediction ? links.first { $0.relation == "deployment" || $0.relation == "model" } : nil
    }
}

extension IndexRow {
    /// The row for `record` at log position `seq`, under the index name `name`.
    init(_ record: LineageCore.Record, seq: Int64, name: String?) {
        self.init(seq: seq, id: record.id, kind: record.kind, name: name, version: record.version,
                  timeMilliseconds: record.timeMilliseconds, digest: record.artifactDigest,
                  links: record.links, subjectKey: Index.subjectKey(of: record))
    }

    /// The name the index keeps for a record: its own name, the prediction id for predictions, and
    /// `model/environment` for deployments, with the model's name from `nameOf` (nil when unknown).
    static func name(of record: LineageCore.Record, nameOf: (Digest) throws -> String?) rethrows -> String? {
        switch record.kind {
        case .deployment:
            guard let model = record["model"]?.stringValue.flatMap({ Digest($0) }), let modelName = try nameOf(model),
                  let environment = record["environment"]?.stringValue else { return nil }
            return modelName + "/" + environment
        case .prediction:
            return record.predictionID
        default:
            return record.name
        }
    }
}

extension Index {
    /// Adds one batch and its records, and moves the indexed head, in one transaction.
    func add(batch: BatchInfo, segments: [(firstSeq: UInt64, blob: ObjectID, count: Int)], rows: [IndexRow],
             head: ObjectID, range: CompactRange, nodes: [(Int, UInt64, [UInt8])]) throws {
        try writing { db in
            for segment in segments {
                try db.cachedStatement(sql: "INSERT INTO segment (firstSeq, blob, batch, count) VALUES (?, ?, ?, ?)").execute(
                    arguments: [Int64(segment.firstSeq), Data(segment.blob.bytes), batch.number, segment.count])
            }
            try db.cachedStatement(sql: "INSERT INTO batch (number, commitId, segment, firstSeq, count, root) VALUES (?, ?, ?, ?, ?, ?)").execute(
                arguments: [batch.number, Data(batch.commit.bytes), Data(batch.segment.bytes), batch.firstSeq, batch.count, Data(range.root)])
            let insertNode = try db.cachedStatement(sql: "INSERT OR REPLACE INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)")
            for (level, index, hash) in nodes where level >= Index.storedNodeLevel {
                try insertNode.execute(arguments: [level, Int64(index), Data(hash)])
            }
            try setMeta("range", Hex.encode(range.encoded), db)
            try insert(rows, db)
            if !deferringKeys { try countBufferedKeys(rows.count, db) }
            // While keys are deferred the index is incomplete: it gets its head only when they land.
            if !deferringKeys { try setMeta("head", head.hex, db) }
        }
    }

    private func insert(_ rows: [IndexRow], _ db: Database) throws {
        // OR ROLLBACK: a conflict ends the whole transaction (as any failure here does), so SQLite
        // keeps no statement journal (a copy of every page each statement touches).
        var records = BulkInsert(db, "INSERT OR ROLLBACK", into: "record", columns: ["seq", "kind", "time", "target", "id", "name", "version", "digest"])
        var keys = BulkInsert(db, "INSERT OR ROLLBACK", into: deferringKeys ? "temp.pending_key" : "record_key_new", columns: ["key", "seq"])
        var pkeys = BulkInsert(db, "INSERT OR ROLLBACK", into: deferringKeys ? "temp.pending_pkey" : "prediction_new", columns: ["pkey", "seq"])
        var links = BulkInsert(db, "INSERT OR IGNORE", into: "link", columns: ["src", "relation", "dst"])
        var subjects = BulkInsert(db, "INSERT OR IGNORE", into: "subject", columns: ["key", "seq"])
        var seqs: [Digest: Int64] = [:]
        var served: [Int64: Int64] = [:]
        // Keys are hashes: inserted in key order, each b-tree page they land on is visited once.
        var keyRows: [(Int64, Int64)] = [], pkeyRows: [(Int64, Int64)] = []
        keyRows.reserveCapacity(rows.count)
        pkeyRows.reserveCapacity(rows.count)
        // Predictions of this batch by id, made only if a record links to one (a review): most
        // batches are all predictions, and hashing each id into a dictionary is a cost per record.
        var batchPredictions: [Digest: Int64]?
        func seq(of target: Digest, from source: IndexRow) throws -> Int64 {
            if let known = seqs[target] ?? deferredSeqs[target] { return known }
            if batchPredictions == nil {
                batchPredictions = Dictionary(rows.lazy.filter { $0.kind == .prediction }.map { ($0.id, $0.seq) }, uniquingKeysWith: { first, _ in first })
            }
            if let known = batchPredictions![target], known < source.seq { return known }
            // A link to a record whose key is still deferred (a review of a prediction): land the keys.
            if deferringKeys { try landDeferredKeys(db) }
            // Not in this log (which was checked before it was indexed): a record of another origin's.
            let found = try self.seq(of: target, db) ?? -foreignReference(adding: target, db)
            seqs[target] = found
            return found
        }
        for row in rows {
            if row.kind != .prediction { seqs[row.id] = row.seq }
            if deferringKeys, row.kind != .prediction { deferredSeqs[row.id] = row.seq }
            let isPrediction = row.kind == .prediction
            var target: Int64?
            if let serving = row.servingLink {
                target = try seq(of: serving.target, from: row)
                served[target!, default: 0] += 1
            }
            try records.add(
                row.seq.databaseValue, Index.code(row.kind).databaseValue, row.timeMilliseconds.databaseValue, target.databaseValue,
                isPrediction ? .null : Data(row.id.bytes).databaseValue, isPrediction ? .null : row.name.databaseValue,
                row.version.databaseValue, row.digest.map { Data($0.bytes) }.databaseValue)
            keyRows.append((Index.key(row.id), row.seq))
            if isPrediction, let pid = row.name { pkeyRows.append((Index.predictionKey(pid), row.seq)) }
            if let subject = row.subjectKey { try subjects.add(subject.databaseValue, row.seq.databaseValue) }
            for link in row.links where !isPrediction {
                try links.add(row.seq.databaseValue, link.relation.databaseValue, try seq(of: link.target, from: row).databaseValue)
            }
        }
        try records.flush()
        for (key, seq) in keyRows.sorted(by: <) { try keys.add(key.databaseValue, seq.databaseValue) }
        try keys.flush()
        for (key, seq) in pkeyRows.sorted(by: <) { try pkeys.add(key.databaseValue, seq.databaseValue) }
        try pkeys.flush()
        try links.flush()
        try subjects.flush()
        let count = try db.cachedStatement(sql: """
            INSERT INTO served (target, count) VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET count = count + excluded.count
            """)
        for (target, n) in served {
            try count.execute(arguments: [target, n])
        }
    }

    /// Counts the records whose keys went into the buffer tables and merges the buffer into the
    /// middle tier when it holds the keys of `keyBufferLimit` records. Once the middle tier holds
    /// those of `keyMiddleLimit`, it drains into the big tables one key range at a time, a range a
    /// batch (`keyDrainSlices` of them): a merge into the big tables rewrites about every page of them,
    /// which grows with the store, and done whole it held one batch for seconds at 10M records
    /// while the threads preparing the next batches had to wait; a range a batch spreads it out.
    /// Each batch dirties about every page of the buffer, and each merge about every page of the
    /// tables it goes into: small tiers keep the sum low (a buffer growing with the store, as in
    /// index v5's first release, cost twice as much at 3M records; merging the buffer straight into
    /// the big tables, 1.3 times as much at 10M).
    private func countBufferedKeys(_ added: Int, _ db: Database) throws {
        var buffered = try metaCount("bufferedKeys", db) + added, middle = try metaCount("middleKeys", db)
        // 0: not draining; else the 1-based number of the next range of the middle tier to move.
        var drain = try metaCount("drainSlice", db)
        if buffered >= keyBufferLimit {
            try db.execute(sql: Index.mergeKeys(from: .buffer, into: .middle))
            middle += buffered
            buffered = 0
        }
        if drain == 0 && middle >= keyMiddleLimit {
            // Keys merged into the middle tier from here on count towards its next drain (those that
            // land in a range not yet moved go with it: the count only paces the drains).
            drain = 1
            middle = 0
        }
        if drain > 0 {
            let (low, high) = Index.keyRange(slice: drain - 1, of: keyDrainSlices)
            try db.execute(sql: Index.mergeKeys(from: .middle, into: .big, low: low, high: high))
            drain = drain == keyDrainSlices ? 0 : drain + 1
        }
        try setMeta("bufferedKeys", String(buffered), db)
        try setMeta("middleKeys", String(middle), db)
        try setMeta("drainSlice", String(drain), db)
    }

    /// The keys of range `slice` (from 0) of `count` equal ranges of the key space, first and last.
    static func keyRange(slice: Int, of count: Int) -> (Int64, Int64) {
        // Keys are unsigned values with the top bit flipped (see `key`), so ranges of the values are
        // ranges of the keys.
        let step = count == 1 ? 0 : UInt64.max / UInt64(count) + 1
        let low = UInt64(slice) &* step, high = slice == count - 1 ? UInt64.max : UInt64(slice + 1) &* step &- 1
        let flip: UInt64 = 0x8000_0000_0000_0000
        return (Int64(bitPattern: low ^ flip), Int64(bitPattern: high ^ flip))
    }

    /// Moves every key of one tier into another, in key order.
    private static func mergeKeys(from source: KeyTier, into target: KeyTier) -> String {
        """
        INSERT OR ROLLBACK INTO record_key\(target.rawValue) (key, seq) SELECT key, seq FROM record_key\(source.rawValue) ORDER BY key, seq;
        INSERT OR ROLLBACK INTO prediction\(target.rawValue) (pkey, seq) SELECT pkey, seq FROM prediction\(source.rawValue) ORDER BY pkey, seq;
        DELETE FROM record_key\(source.rawValue);
        DELETE FROM prediction\(source.rawValue);
        """
    }

    /// Moves the keys from `low` to `high` of one tier into another, in key order.
    private static func mergeKeys(from source: KeyTier, into target: KeyTier, low: Int64, high: Int64) -> String {
        """
        INSERT OR ROLLBACK INTO record_key\(target.rawValue) (key, seq) SELECT key, seq FROM record_key\(source.rawValue) WHERE key BETWEEN \(low) AND \(high) ORDER BY key, seq;
        INSERT OR ROLLBACK INTO prediction\(target.rawValue) (pkey, seq) SELECT pkey, seq FROM prediction\(source.rawValue) WHERE pkey BETWEEN \(low) AND \(high) ORDER BY pkey, seq;
        DELETE FROM record_key\(source.rawValue) WHERE key BETWEEN \(low) AND \(high);
        DELETE FROM prediction\(source.rawValue) WHERE pkey BETWEEN \(low) AND \(high);
        """
    }

    /// The number standing for a record of another origin (see `foreignTable`), made on first use.
    private func foreignReference(adding id: Digest, _ db: Database) throws -> Int64 {
        if let ref = try foreignReference(of: id, db) { return ref }
        try db.cachedStatement(sql: "INSERT INTO foreign_record (id) VALUES (?)").execute(arguments: [Data(id.bytes)])
        return db.lastInsertedRowID
    }

    /// Deployments indexed without a name: their model is in another origin's log, not held when
    /// they were indexed (see `Store.nameDeploymentsAcrossLogs`).
    func unnamedDeployments() throws -> [Int64] {
        try reading { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM record WHERE kind = ? AND name IS NULL", arguments: [Index.code(.deployment)])
        }
    }

    /// Gives the record at `seq` its index name.
    func setName(_ name: String, seq: Int64) throws {
        try writing { db in try db.execute(sql: "UPDATE record SET name = ? WHERE seq = ?", arguments: [name, seq]) }
    }

    private func metaCount(_ key: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"), arguments: [key]) ?? 0
    }

    /// Sets one of the index's own facts in `meta` (its head, the tree's right edge, key counts).
    private func setMeta(_ key: String, _ value: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").execute(arguments: [key, value])
    }

    /// Starts a rebuild that collects id and prediction-id keys in temporary tables and inserts
    /// them sorted at the end (`finishRebuild`): far faster than inserting hashes one by one.
    func beginRebuild() throws {
        try writing { db in
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS pending_key (key INTEGER NOT NULL, seq INTEGER NOT NULL);
                CREATE TEMP TABLE IF NOT EXISTS pending_pkey (pkey INTEGER NOT NULL, seq INTEGER NOT NULL);
                """)
        }
        deferringKeys = true
    }

    /// Lands the deferred keys and records `head` as indexed.
    func finishRebuild(head: ObjectID?) throws {
        try writing { db in
            try landDeferredKeys(db)
            if let head { try setMeta("head", head.hex, db) }
        }
        deferringKeys = false
        deferredSeqs = [:]
    }

    private func landDeferredKeys(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR ROLLBACK INTO record_key (key, seq) SELECT key, seq FROM temp.pending_key ORDER BY key, seq;
            INSERT OR ROLLBACK INTO prediction (pkey, seq) SELECT pkey, seq FROM temp.pending_pkey ORDER BY pkey, seq;
            DELETE FROM temp.pending_key;
            DELETE FROM temp.pending_pkey;
            """)
    }
}
