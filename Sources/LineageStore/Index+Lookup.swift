import Foundation
import GitStore
import GRDB
import LineageCore

extension Index {
    static let columns = "r.seq AS seq, r.kind AS kind, r.time AS time, r.id AS id, r.name AS name, r.version AS version, r.digest AS digest"

    /// The entry for a row selected with `columns` (from column `first` on); predictions get their
    /// id and prediction id from their segment.
    func entry(_ row: RawRow, _ db: Database, first: Int32 = 0) throws -> IndexedRecord? {
        guard let kind = Index.kindsByCode[Int(row.int64(first + 1))] else { return nil }
        let seq = row.int64(first)
        var name = row.text(first + 4)
        let id: Digest
        if let bytes = row.bytes(first + 3) {
            guard let digest = Digest(bytes: bytes) else { return nil }
            id = digest
        } else {
            (id, name) = try identify(seq, db)
        }
        return IndexedRecord(seq: seq, id: id, kind: kind, name: name, version: row.int64OrNil(first + 5).map(Int.init),
                             timeMilliseconds: row.int64(first + 2), digest: row.bytes(first + 6).flatMap(Digest.init(bytes:)))
    }

    /// Index entries for a query selecting `columns` from `record r`.
    func rows(_ sql: String, _ arguments: StatementArguments) throws -> [IndexedRecord] {
        try reading { db in
            var entries: [IndexedRecord] = []
            try db.cachedStatement(sql: sql).forEachRow(arguments: arguments) { row in
                if let entry = try entry(row, db) { entries.append(entry) }
            }
            return entries
        }
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments = []) throws -> [IndexedRecord] {
        try rows("SELECT \(Index.columns) FROM record r " + sql, arguments)
    }

    // MARK: By id

    /// The log position of the record with exactly this id.
    func seq(of id: Digest, _ db: Database) throws -> Int64? {
        if let seq = deferredSeqs[id] { return seq }
        // Most lookups (is this record new?) find nothing: answer those from the key table alone.
        let key = Index.key(id)
        guard try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM any_key WHERE key = ?"), arguments: [key]) != nil else {
            return nil
        }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT r.seq AS seq, r.id AS id FROM any_key k JOIN record r ON r.seq = k.seq WHERE k.key = ?
            """), arguments: [key])
        for row in rows {
            let seq: Int64 = row["seq"]
            if let data = row["id"] as Data? {
                if data.elementsEqual(id.bytes) { return seq }
            } else if try identify(seq, db).id == id {
                return seq
            }
        }
        return nil
    }

    /// The record with exactly this id.
    public func record(id: Digest) throws -> IndexedRecord? {
        if let seq = deferredSeqs[id] { return try record(seq: seq) }
        return try fetch("WHERE r.seq IN (SELECT seq FROM any_key WHERE key = ?)", [Index.key(id)]).first { $0.id == id }
    }

    /// True when a record with this id is indexed (cheaper than fetching it).
    public func contains(id: Digest) throws -> Bool {
        try reading { db in try seq(of: id, db) != nil }
    }

    /// Records whose id starts with the given bytes and, for an odd number of hex digits, the
    /// given high nibble; at most `limit`.
    func records(idPrefix: [UInt8], oddNibble: UInt8?, limit: Int) throws -> [IndexedRecord] {
        var low = idPrefix, high = idPrefix
        if let nibble = oddNibble {
            low.append(nibble << 4)
            high.append(nibble << 4 | 0x0F)
        }
        let lowKey = Index.key(low), highKey = Index.key(high + [UInt8](repeating: 0xFF, count: 8))
        let candidates = try fetch("WHERE r.seq IN (SELECT seq FROM any_key WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)",
                                   [lowKey, highKey, limit + 16])
        return Array(candidates.filter { entry in
            let bytes = entry.id.bytes
            guard bytes.starts(with: idPrefix) else { return false }
            guard let nibble = oddNibble else { return true }
            return bytes.count > idPrefix.count && bytes[idPrefix.count] >> 4 == nibble
        }.prefix(limit))
    }

    // MARK: By name

    /// The prediction with the caller's id `pid`.
    public func prediction(id pid: String) throws -> IndexedRecord? {
        try predictions(ids: [pid])[pid]
    }

    /// The stored predictions among `pids`, by prediction id. Keys are probed in key order (each index
    /// page is read once) and matches read in log order (each segment is read once).
    public func predictions(ids pids: [String]) throws -> [String: IndexedRecord] {
        let probes = pids.map { (Index.predictionKey($0), $0) }.sorted { $0.0 < $1.0 }
        var hits: [(seq: Int64, pid: String)] = try reading { db in
            let statement = try db.cachedStatement(sql: "SELECT seq FROM any_pkey WHERE pkey = ?")
            var hits: [(Int64, String)] = []
            for (key, pid) in probes {
                for seq in try statement.integers(binding: key) { hits.append((seq, pid)) }
            }
            return hits
        }
        hits.sort { $0.seq < $1.seq }
        var found: [String: IndexedRecord] = [:]
        for (seq, pid) in hits {
            if found[pid] == nil, let entry = try record(seq: seq), entry.name == pid { found[pid] = entry }
        }
        return found
    }

    /// The record id of the prediction with the caller's id `pid`, if any.
    public func predictionRecordID(_ pid: String) throws -> Digest? {
        try prediction(id: pid)?.id
    }

    /// Named records of `kind` called `name`, newest version (or latest append) first.
    public func records(kind: RecordKind, name: String) throws -> [IndexedRecord] {
        if kind == .prediction { return try prediction(id: name).map { [$0] } ?? [] }
        return try fetch("WHERE r.kind = ? AND r.name = ? ORDER BY r.version DESC, r.seq DESC", [Index.code(kind), name])
    }

    /// Records of datasets and models whose artifact has this digest.
    public func records(digest: Digest) throws -> [IndexedRecord] {
        try fetch("WHERE r.digest = ? ORDER BY r.seq", [Data(digest.bytes)])
    }

    /// Predictions naming the keyed subject `subject` (`hmac-sha256:<hex>`), in log order. The
    /// index keeps 8 bytes of it: callers compare the record's own `subject`.
    public func predictions(subject: String) throws -> [IndexedRecord] {
        try fetch("WHERE r.seq IN (SELECT seq FROM subject WHERE key = ?) ORDER BY r.seq", [Index.subjectKey(subject)])
    }

    // MARK: By position

    /// The record at log position `seq`.
    public func record(seq: Int64) throws -> IndexedRecord? {
        try fetch("WHERE r.seq = ?", [seq]).first
    }

    /// Records of `kind` (all kinds when nil), newest first, at most `limit`.
    public func recent(kind: RecordKind?, limit: Int) throws -> [IndexedRecord] {
        switch kind {
        case nil: try fetch("ORDER BY r.seq DESC LIMIT ?", [limit])
        case .prediction?: try fetch("WHERE r.kind = 1 ORDER BY r.seq DESC LIMIT ?", [limit])
        case let kind?: try fetch("WHERE r.kind = ? AND r.kind <> 1 ORDER BY r.seq DESC LIMIT ?", [Index.code(kind), limit])
        }
    }


    /// The stored rows for log positions `seqFrom` ..< `seqFrom + count`, in order.
    func storedRows(seqFrom: Int64, count: Int) throws -> [StoredRow] {
        try reading { db in
            var rows: [StoredRow] = []
            rows.reserveCapacity(count)
            try db.cachedStatement(sql: """
                SELECT seq, kind, time, target, id, name, version, digest FROM record WHERE seq >= ? AND seq < ? ORDER BY seq
                """).forEachRow(binding: seqFrom, seqFrom + Int64(count)) { row in
                rows.append(StoredRow(
                    seq: row.int64(0), kind: Int(row.int64(1)), time: row.int64(2), target: row.int64OrNil(3),
                    id: row.bytes(4).flatMap(Digest.init(bytes:)), name: row.text(5), version: row.int64OrNil(6).map(Int.init),
                    digest: row.bytes(7).flatMap(Digest.init(bytes:))))
            }
            return rows
        }
    }

    // MARK: Links

    /// The links recorded in `link` for records at positions `seqFrom` ..< `seqFrom + count`, as
    /// "relation target" strings per source position.
    func links(seqFrom: Int64, count: Int) throws -> [Int64: Set<String>] {
        try reading { db in
            var links: [Int64: Set<String>] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT link.src AS src, link.relation AS relation, record.seq AS present, COALESCE(record.id, foreign_record.id) AS id,
                       foreign_record.ref AS fref, link.dst AS dst
                FROM link LEFT JOIN record ON record.seq = link.dst LEFT JOIN foreign_record ON foreign_record.ref = -link.dst
                WHERE link.src >= ? AND link.src < ?
                """, arguments: [seqFrom, seqFrom + Int64(count)])
            while let row = try rows.next() {
                // A link to no row (nor to another origin's record) names nothing: left out, so it shows as a difference.
                guard row["present"] as Int64? != nil || row["fref"] as Int64? != nil else { continue }
                let target = try (row["id"] as Data?).flatMap { Digest(bytes: [UInt8]($0)) } ?? identify(row["dst"], db).id
                links[row["src"], default: []].insert("\(row["relation"] as String) \(target)")
            }
            return links
        }
    }

    /// The number standing for a record of another origin that records here link to (negative:
    /// what `link.dst` and a prediction's `target` hold for it), or nil when none links to it.
    public func foreignPosition(of id: Digest) throws -> Int64? {
        try reading { db in try foreignReference(of: id, db).map { -$0 } }
    }

    func foreignReference(of id: Digest, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT ref FROM foreign_record WHERE id = ?"), arguments: [Data(id.bytes)])
    }

    /// Records that link to `seq` (downstream neighbours), with the relation, in log order.
    /// Predictions served by `seq` are not listed (there can be millions): count them with
    /// `count(linkingTo:kind:)`.
    public func dependents(of seq: Int64) throws -> [(relation: String, record: IndexedRecord)] {
        try reading { db in
            var dependents: [(relation: String, record: IndexedRecord)] = []
            try db.cachedStatement(sql: """
                SELECT l.relation AS relation, \(Index.columns)
                FROM link l JOIN record r ON r.seq = l.src WHERE l.dst = ? ORDER BY r.seq
                """).forEachRow(binding: seq) { row in
                if let relation = row.text(0), let entry = try entry(row, db, first: 1) { dependents.append((relation, entry)) }
            }
            return dependents
        }
    }

    /// How many records of `kind` link to `seq`; predictions are counted per serving record
    /// without a scan.
    public func count(linkingTo seq: Int64, kind: RecordKind) throws -> Int64 {
        try reading { db in
            if kind == .prediction {
                return try Int64.fetchOne(db.cachedStatement(sql: "SELECT count FROM served WHERE target = ?"), arguments: [seq]) ?? 0
            }
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM link JOIN record ON record.seq = link.src WHERE link.dst = ? AND record.kind = ?"),
                                      arguments: [seq, Index.code(kind)]) ?? 0
        }
    }

    // MARK: Segments, batches and the Merkle tree

    /// The segment holding log position `seq`: its first position, record count and blob.
    func segment(containing seq: Int64, _ context: IndexContext?) throws -> (firstSeq: Int64, count: Int64, blob: ObjectID)? {
        if let db = context as? Database { return try segmentRow(containing: seq, db) }
        return try reading { db in try segmentRow(containing: seq, db) }
    }

    private func segmentRow(containing seq: Int64, _ db: Database) throws -> (firstSeq: Int64, count: Int64, blob: ObjectID)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT firstSeq, count, blob FROM segment WHERE firstSeq <= ? ORDER BY firstSeq DESC LIMIT 1"),
                                         arguments: [seq]),
              let blob = ObjectID(bytes: [UInt8](row["blob"] as Data)) else { return nil }
        let first: Int64 = row["firstSeq"], count: Int64 = row["count"]
        return seq < first + count ? (first, count, blob) : nil
    }

    /// The batch with this number.
    func batch(_ number: Int64) throws -> BatchInfo? {
        try batch(where: "number = ?", number)
    }

    func batchCommitIDs() throws -> [ObjectID] {
        try reading { db in
            try Data.fetchAll(db, sql: "SELECT commitId FROM batch").compactMap { ObjectID(bytes: [UInt8]($0)) }
        }
    }

    /// The batch holding log position `seq`.
    public func batch(containing seq: Int64) throws -> BatchInfo? {
        try batch(where: "firstSeq = (SELECT MAX(firstSeq) FROM batch WHERE firstSeq <= ?)", seq)
    }

    private func batch(where condition: String, _ argument: Int64) throws -> BatchInfo? {
        try reading { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT number, commitId, segment, firstSeq, count FROM batch WHERE " + condition),
                                             arguments: [argument]),
                  let commit = ObjectID(bytes: [UInt8](row["commitId"] as Data)),
                  let segment = ObjectID(bytes: [UInt8](row["segment"] as Data)) else { return nil }
            return BatchInfo(number: row["number"], commit: commit, segment: segment, firstSeq: row["firstSeq"], count: row["count"])
        }
    }

    /// What the index holds, in one statement (one read of the file's locks): the Merkle state, the
    /// record and batch counts, and the log commit it reflects.
    func facts() throws -> (range: CompactRange, records: Int64, batches: Int64, head: ObjectID?) {
        try reading { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT (SELECT value FROM meta WHERE key = 'range'), (SELECT COALESCE(MAX(seq) + 1, 0) FROM record),
                       (SELECT COALESCE(MAX(number) + 1, 0) FROM batch), (SELECT value FROM meta WHERE key = 'head')
                """)) else { throw LineageError.storage("the index cannot be read; run `lineage reindex`") }
            var range = CompactRange()
            if let hex = row[0] as String? {
                guard let bytes = Hex.decode(hex), let decoded = CompactRange(encoded: bytes) else {
                    throw LineageError.storage("the index's Merkle state is unreadable; run `lineage reindex`")
                }
                range = decoded
            }
            return (range, row[1], row[2], (row[3] as String?).flatMap(ObjectID.init(hex:)))
        }
    }

    /// The right edge of the Merkle tree over every indexed record.
    func compactRange() throws -> CompactRange {
        try reading { db in
            guard let hex = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'range'")) else { return CompactRange() }
            guard let bytes = Hex.decode(hex), let range = CompactRange(encoded: bytes) else {
                throw LineageError.storage("the index's Merkle state is unreadable; run `lineage reindex`")
            }
            return range
        }
    }

    /// The stored hash of the perfect subtree at `level` and `index`, if kept; `db` is given when
    /// called from inside an index read.
    func node(level: Int, index: UInt64, _ context: IndexContext?) throws -> [UInt8]? {
        func fetch(_ db: Database) throws -> [UInt8]? {
            try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM merkle_node WHERE level = ? AND idx = ?"), arguments: [level, Int64(index)])
                .map { [UInt8]($0) }
        }
        if let db = context as? Database { return try fetch(db) }
        return try reading(fetch)
    }

    /// True if the index recorded a record whose id begins as `id` does at log position `seq`.
    func hasKey(of id: Digest, at seq: Int64, _ context: IndexContext?) throws -> Bool {
        func fetch(_ db: Database) throws -> Bool {
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM any_key WHERE key = ? AND seq = ?"), arguments: [Index.key(id), seq]) != nil
        }
        if let db = context as? Database { return try fetch(db) }
        return try reading(fetch)
    }
}

/// A record's row as stored, for `verify` to compare with what the log says it should be.
struct StoredRow: Equatable {
    var seq: Int64, kind: Int, time: Int64, target: Int64?
    var id: Digest?, name: String?, version: Int?, digest: Digest?
}
