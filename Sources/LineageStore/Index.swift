import Foundation
import GitStore
import GRDB
import LineageCore

/// The SQLite index (`index.sqlite`): ids to locations, names and versions, the link graph in both
/// directions, and prediction ids. It is derived from the log and never the source of truth.
public final class Index {
    let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(30)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try Index.migrator.migrate(queue)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                    seq INTEGER PRIMARY KEY,
                    id BLOB NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    name TEXT,
                    version INTEGER,
                    time INTEGER NOT NULL,
                    batch INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    length INTEGER NOT NULL,
                    digest BLOB
                );
                CREATE INDEX record_name ON record(kind, name, version);
                CREATE INDEX record_digest ON record(digest) WHERE digest IS NOT NULL;
                CREATE TABLE link (
                    src INTEGER NOT NULL,
                    relation TEXT NOT NULL,
                    dst INTEGER NOT NULL,
                    PRIMARY KEY (src, relation, dst)
                ) WITHOUT ROWID;
                CREATE INDEX link_dst ON link(dst);
                CREATE TABLE prediction (pid TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE batch (
                    number INTEGER PRIMARY KEY,
                    commitId BLOB NOT NULL,
                    segment BLOB NOT NULL,
                    firstSeq INTEGER NOT NULL,
                    count INTEGER NOT NULL
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-merkle") { db in
            try db.execute(sql: """
                ALTER TABLE batch ADD COLUMN root BLOB;
                CREATE TABLE merkle_node (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-segments") { db in
            try db.execute(sql: """
                CREATE TABLE segment (
                    firstSeq INTEGER PRIMARY KEY,
                    blob BLOB NOT NULL,
                    batch INTEGER NOT NULL,
                    count INTEGER NOT NULL
                );
                """)
            // Byte ranges now point into segments: rebuild everything from the log.
            for table in ["record", "link", "prediction", "batch", "meta", "merkle_node"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        return migrator
    }

    /// Perfect subtrees of at least 2^8 leaves are kept; smaller ones are rehashed from records.
    static let storedNodeLevel = 8

    // MARK: State

    /// The log commit the index reflects, if any.
    func indexedHead() throws -> ObjectID? {
        try reading { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'head'").flatMap(ObjectID.init(hex:))
        }
    }

    /// The number of records indexed.
    public func recordCount() throws -> Int64 {
        // Positions are dense from 0, so the last one says how many there are, without a scan.
        try reading { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM record") ?? 0 }
    }

    /// The number of batches indexed.
    public func batchCount() throws -> Int64 {
        try reading { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(number) + 1, 0) FROM batch") ?? 0 }
    }

    /// Removes everything, for a rebuild.
    func clear() throws {
        try queue.write { db in
            for table in ["record", "link", "prediction", "batch", "meta", "merkle_node", "segment"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
    }

    /// Adds one batch and its records, and moves the indexed head, in one transaction.
    func add(batch: BatchInfo, segments: [(firstSeq: UInt64, blob: ObjectID, count: Int)],
             records: [(IndexedRecord, [LineageCore.Record.Link], String?)], head: ObjectID,
             range: CompactRange, nodes: [(Int, UInt64, [UInt8])]) throws {
        try queue.write { db in
            for segment in segments {
                try db.execute(sql: "INSERT INTO segment (firstSeq, blob, batch, count) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(segment.firstSeq), Data(segment.blob.bytes), batch.number, segment.count])
            }
            try db.execute(sql: "INSERT INTO batch (number, commitId, segment, firstSeq, count, root) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch.number, Data(batch.commit.bytes), Data(batch.segment.bytes), batch.firstSeq, batch.count,
                                       Data(range.root)])
            let insertNode = try db.makeStatement(sql: "INSERT OR REPLACE INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)")
            for (level, index, hash) in nodes where level >= Index.storedNodeLevel {
                try insertNode.execute(arguments: [level, Int64(index), Data(hash)])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('range', ?)", arguments: [Hex.encode(range.encoded)])
            let insertRecord = try db.makeStatement(sql: """
                INSERT INTO record (seq, id, kind, name, version, time, batch, offset, length, digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertLink = try db.makeStatement(sql: "INSERT OR IGNORE INTO link (src, relation, dst) VALUES (?, ?, ?)")
            let insertPrediction = try db.makeStatement(sql: "INSERT INTO prediction (pid, seq) VALUES (?, ?)")
            let seqOf = try db.makeStatement(sql: "SELECT seq FROM record WHERE id = ?")
            var seqs: [Digest: Int64] = [:]
            for (entry, links, predictionID) in records {
                seqs[entry.id] = entry.seq
                try insertRecord.execute(arguments: [
                    entry.seq, Data(entry.id.bytes), entry.kind.rawValue, entry.name, entry.version,
                    entry.timeMilliseconds, entry.batch, entry.offset, entry.length, entry.digest.map { Data($0.bytes) },
                ])
                for link in links {
                    if seqs[link.target] == nil { seqs[link.target] = try Int64.fetchOne(seqOf, arguments: [Data(link.target.bytes)]) }
                    guard let target = seqs[link.target] else {
                        throw LineageError.storage("the log links \(entry.id) to \(link.target), which is not in the index; run `lineage reindex`")
                    }
                    try insertLink.execute(arguments: [entry.seq, link.relation, target])
                }
                if let predictionID {
                    try insertPrediction.execute(arguments: [predictionID, entry.seq])
                }
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)", arguments: [head.hex])
        }
    }

    // MARK: Merkle tree

    /// The right edge of the Merkle tree over every indexed record.
    func compactRange() throws -> CompactRange {
        try reading { db in
            guard let hex = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'range'") else { return CompactRange() }
            guard let bytes = Hex.decode(hex), let range = CompactRange(encoded: bytes) else {
                throw LineageError.storage("the index's Merkle state is unreadable; run `lineage reindex`")
            }
            return range
        }
    }

    /// The stored hash of the perfect subtree at `level` and `index`, if kept.
    func node(level: Int, index: UInt64) throws -> [UInt8]? {
        try reading { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM merkle_node WHERE level = ? AND idx = ?"), arguments: [level, Int64(index)])
                .map { [UInt8]($0) }
        }
    }

    // MARK: Lookups

    private static let columns = "seq, id, kind, name, version, time, batch, offset, length, digest"

    /// Index entries for any query selecting the record columns by name.
    func rows(_ sql: String, _ arguments: StatementArguments) throws -> [IndexedRecord] {
        try reading { db in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).compactMap(Index.entry) }
    }

    /// How many records of `kind` link to `seq`.
    public func count(linkingTo seq: Int64, kind: RecordKind) throws -> Int64 {
        // Only predictions link through a `deployment` field: count those from the link index alone.
        if kind == .prediction, try record(seq: seq)?.kind == .deployment {
            return try reading { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM link WHERE dst = ? AND relation = 'deployment'"), arguments: [seq]) ?? 0
            }
        }
        return try reading { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM link JOIN record ON record.seq = link.src WHERE link.dst = ? AND record.kind = ?"),
                               arguments: [seq, kind.rawValue]) ?? 0
        }
    }

    static func entry(_ row: Row) -> IndexedRecord? {
        guard let id = Digest(bytes: [UInt8](row["id"] as Data)),
              let kind = RecordKind(rawValue: row["kind"]) else { return nil }
        let digestData: Data? = row["digest"]
        return IndexedRecord(seq: row["seq"], id: id, kind: kind, name: row["name"], version: row["version"],
                             timeMilliseconds: row["time"], batch: row["batch"], offset: row["offset"],
                             length: row["length"], digest: digestData.flatMap { Digest(bytes: [UInt8]($0)) })
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments = []) throws -> [IndexedRecord] {
        try reading { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Index.columns) FROM record " + sql), arguments: arguments).compactMap(Index.entry)
        }
    }

    /// Runs a read outside any explicit transaction: one writer holds the store lock, and each
    /// lookup is one statement, prepared once and cached.
    private func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase(body)
    }

    /// The record with exactly this id.
    public func record(id: Digest) throws -> IndexedRecord? {
        try fetch("WHERE id = ?", [Data(id.bytes)]).first
    }

    /// True when a record with this id is indexed (cheaper than fetching it).
    public func contains(id: Digest) throws -> Bool {
        try reading { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM record WHERE id = ?"), arguments: [Data(id.bytes)]) != nil
        }
    }

    /// The record id of the prediction with the caller's id `pid`, if any (cheaper than fetching it).
    public func predictionRecordID(_ pid: String) throws -> Digest? {
        try reading { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT record.id FROM prediction JOIN record ON record.seq = prediction.seq WHERE pid = ?"),
                              arguments: [pid]).flatMap { Digest(bytes: [UInt8]($0)) }
        }
    }

    /// The record at log position `seq`.
    public func record(seq: Int64) throws -> IndexedRecord? {
        try fetch("WHERE seq = ?", [seq]).first
    }

    /// Records whose id starts with the given bytes and, for an odd number of hex digits, the
    /// given high nibble; at most `limit`.
    func records(idPrefix: [UInt8], oddNibble: UInt8?, limit: Int) throws -> [IndexedRecord] {
        var low = idPrefix, high = idPrefix
        if let nibble = oddNibble {
            low.append(nibble << 4)
            high.append(nibble << 4 | 0x0F)
        }
        // Every id with this prefix lies in [low, high + 0xFF…].
        let upper = high + [UInt8](repeating: 0xFF, count: 32 - high.count)
        return try fetch("WHERE id >= ? AND id <= ? ORDER BY id LIMIT ?", [Data(low), Data(upper), limit])
    }

    /// Named records of `kind` called `name`, newest version (or latest append) first.
    public func records(kind: RecordKind, name: String) throws -> [IndexedRecord] {
        try fetch("WHERE kind = ? AND name = ? ORDER BY version DESC, seq DESC", [kind.rawValue, name])
    }

    /// Records of datasets and models whose artifact has this digest.
    public func records(digest: Digest) throws -> [IndexedRecord] {
        try fetch("WHERE digest = ? ORDER BY seq", [Data(digest.bytes)])
    }

    /// The prediction with the caller's id `pid`.
    public func prediction(id pid: String) throws -> IndexedRecord? {
        try fetch("WHERE seq = (SELECT seq FROM prediction WHERE pid = ?)", [pid]).first
    }

    /// Records of `kind` (all kinds when nil), newest first, at most `limit`.
    public func recent(kind: RecordKind?, limit: Int) throws -> [IndexedRecord] {
        if let kind {
            return try fetch("WHERE kind = ? ORDER BY seq DESC LIMIT ?", [kind.rawValue, limit])
        }
        return try fetch("ORDER BY seq DESC LIMIT ?", [limit])
    }

    /// The rows for log positions `seqFrom` ..< `seqFrom + count`, in order.
    func records(seqFrom: Int64, count: Int) throws -> [IndexedRecord] {
        try fetch("WHERE seq >= ? AND seq < ? ORDER BY seq", [seqFrom, seqFrom + Int64(count)])
    }

    /// The links recorded for records at positions `seqFrom` ..< `seqFrom + count`, as
    /// "relation target" strings per source position.
    func links(seqFrom: Int64, count: Int) throws -> [Int64: Set<String>] {
        try reading { db in
            var links: [Int64: Set<String>] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT link.src AS src, link.relation AS relation, record.id AS id
                FROM link JOIN record ON record.seq = link.dst WHERE link.src >= ? AND link.src < ?
                """, arguments: [seqFrom, seqFrom + Int64(count)])
            while let row = try rows.next() {
                guard let target = Digest(bytes: [UInt8](row["id"] as Data)) else { continue }
                links[row["src"], default: []].insert("\(row["relation"] as String) \(target)")
            }
            return links
        }
    }

    /// The segment holding log position `seq`: its first position, record count and blob.
    func segment(containing seq: Int64) throws -> (firstSeq: Int64, count: Int64, blob: ObjectID)? {
        try reading { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT firstSeq, count, blob FROM segment WHERE firstSeq <= ? ORDER BY firstSeq DESC LIMIT 1"),
                                             arguments: [seq]),
                  let blob = ObjectID(bytes: [UInt8](row["blob"] as Data)) else { return nil }
            let first: Int64 = row["firstSeq"], count: Int64 = row["count"]
            return seq < first + count ? (first, count, blob) : nil
        }
    }

    /// The batch with this number.
    func batch(_ number: Int64) throws -> BatchInfo? {
        try reading { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT number, commitId, segment, firstSeq, count FROM batch WHERE number = ?"),
                                             arguments: [number]),
                  let commit = ObjectID(bytes: [UInt8](row["commitId"] as Data)),
                  let segment = ObjectID(bytes: [UInt8](row["segment"] as Data)) else { return nil }
            return BatchInfo(number: row["number"], commit: commit, segment: segment, firstSeq: row["firstSeq"], count: row["count"])
        }
    }

    /// Records that link to `seq` (downstream neighbours), with the relation; records of kind
    /// `excluded` are left out in the query itself, so millions of predictions are never loaded.
    public func dependents(of seq: Int64, excluding excluded: RecordKind? = nil) throws -> [(relation: String, record: IndexedRecord)] {
        try reading { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT link.relation AS relation, \(Index.columns.split(separator: ",").map { "record." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM link JOIN record ON record.seq = link.src WHERE link.dst = ? AND record.kind IS NOT ? ORDER BY record.seq
                """), arguments: [seq, excluded?.rawValue]).compactMap { row in
                Index.entry(row).map { (row["relation"] as String, $0) }
            }
        }
    }
}
