import CSQLiteOptions
import Foundation
import GitStore
import GRDB
import GRDBSQLite
import LineageCore

/// GRDB's connection is the SQLite index's read context.
extension Database: IndexContext {}

/// The SQLite index (`index.sqlite`): ids to log positions, names and versions, the link graph in
/// both directions, prediction ids, and the serving deployment of every prediction. It is derived
/// from the log and never the source of truth; see docs/store-layout.md for its tables.
///
/// Predictions are most of a store, so their rows are kept small: no id, name or byte range. Their
/// id and prediction id are read from their segment when needed (`identify`), and they are found by
/// 8-byte keys of their id and prediction id, checked against the record itself.
public final class Index: RecordIndex {
    let queue: DatabaseQueue
    /// Reads the record id and prediction id of the prediction at a log position; set by the store.
    var identify: (Int64, IndexContext) throws -> (id: Digest, predictionID: String?) = { seq, _ in
        throw LineageError.storage("record \(seq) cannot be read without its store")
    }

    /// True once the connection's page cache was enlarged for writing.
    private var writeCache = false
    /// True after `prepareForBulkWrites`.
    private var bulk = false
    /// True during a rebuild, while id keys wait in temporary tables (see `beginRebuild`).
    var deferringKeys = false
    /// During a rebuild, the positions of records other than predictions, for resolving links.
    var deferredSeqs: [Digest: Int64] = [:]

    /// True when opened read-only and immutable (a store the user may only read, with no WAL).
    let readOnly: Bool
    /// The database file.
    let path: String

    /// Opens the index; `readOnly` opens it immutable, for a store whose files the user may only
    /// read (no WAL and shared memory can be made): SQLite then reads the database file alone.
    init(path: String, readOnly: Bool = false) throws {
        self.readOnly = readOnly
        self.path = path
        if readOnly {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(Index.busyTimeout)
            configuration.foreignKeysEnabled = false
            configuration.allowsUnsafeTransactions = true
            _ = lineage_sqlite_enable_uri()
            let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f").replacingOccurrences(of: "#", with: "%23")
            queue = try DatabaseQueue(path: "file:" + escaped + "?immutable=1", configuration: configuration)
            let version = try queue.inDatabase { db in try db.makeStatement(sql: "PRAGMA user_version").integers().first }
            guard version == Index.schemaVersion else {
                throw LineageError.storage("the index at \(path) is of another version and this store is read-only for you; ask its owner to run `lineage reindex`")
            }
            return
        }
        var configuration = Configuration()
        // WAL mode is set below, not with GRDB's `.wal`: that also reads the WAL file's size through
        // Foundation's URL resource values (user and group lookups through NSS, ~1 ms a process) to
        // serve DatabasePool readers, which the index does not have.
        configuration.busyMode = .timeout(Index.busyTimeout)
        configuration.foreignKeysEnabled = false // the schema declares none
        // `batchReads` keeps one transaction open across the lookups of a write.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            let wal = lineage_sqlite_use_wal(db.sqliteConnection)
            guard wal == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: wal), message: "cannot put the index in WAL mode")
            }
            // The index is rebuilt from the log whenever it lags behind it: losing the last
            // transaction on power loss is harmless, so commits need not wait for the disk.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Most commands are short processes: the WAL and its shared memory stay between them
            // instead of being checkpointed, deleted and created again by each (see CSQLiteOptions).
            try Index.keepWAL(db, frames: Index.walFrames)
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        // The migrator reads its own table on every open; `user_version` says that all have run.
        let version = try queue.inDatabase { db in try db.makeStatement(sql: "PRAGMA user_version").integers().first }
        if version != Index.schemaVersion {
            try Index.migrator.migrate(queue)
            try queue.inDatabase { db in try db.execute(sql: "PRAGMA user_version = \(Index.schemaVersion)") }
        }
    }

    /// Closes `old` and opens an empty index in its place, deleting the file and its WAL: for a
    /// rebuild of a file SQLite reports as damaged. The caller holds the store's write lock.
    convenience init(replacing old: Index, at path: String) throws {
        try? old.queue.close()
        try Index.remove(at: path)
        try self.init(path: path)
    }

    func replacedByEmpty() throws -> any RecordIndex {
        try Index(replacing: self, at: path)
    }

    func anotherConnection() throws -> any RecordIndex {
        try Index(path: path, readOnly: readOnly)
    }

    /// Deletes an index file with its write-ahead log and shared memory.
    static func remove(at path: String) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do { try FileManager.default.removeItem(atPath: path + suffix) } catch {
                throw LineageError.storage("cannot delete the damaged index file \(path + suffix): \(error.localizedDescription)")
            }
        }
    }

    /// True for SQLite's verdicts on a damaged file (not a database, malformed, or a WAL that does
    /// not fit it); false for a busy lock, a full disk or other I/O errors, which must not lead to
    /// deleting the file.
    static func isDamage(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    /// The number of migrations below; `PRAGMA user_version` holds it once all have run.
    static var schemaVersion: Int64 { Int64(migrator.migrations.count) }

    /// How long a connection waits for another process's write lock, in seconds.
    static let busyTimeout: TimeInterval = 30
    static var busyTimeoutMilliseconds: Int32 { Int32(busyTimeout * 1000) }
    /// WAL frames (pages) after which a commit empties the WAL into the database; more for bulk writes.
    /// Each process that opens the index first reads the whole WAL (SQLite rebuilds its shared-memory
    /// index then), so a short WAL keeps short commands short: 48 pages is about five `record` commands.
    static let walFrames: Int32 = 48, bulkWALFrames: Int32 = 8192

    /// Lets a long run of large writes (ingest, a rebuild) grow the WAL to 32 MB between checkpoints
    /// instead of 192 KB, which copied the busiest pages into the database after every batch. The
    /// WAL is emptied when the index closes, so the next command's recovery pass over it stays short.
    public func prepareForBulkWrites() throws {
        try queue.inDatabase { db in try Index.keepWAL(db, frames: Index.bulkWALFrames) }
        bulk = true
    }

    /// True once `prepareForBulkWrites` was called: closing the index then empties its WAL.
    public var isPreparedForBulkWrites: Bool { bulk }

    /// Keeps the WAL between connections, emptied by a commit that leaves `frames` pages in it.
    private static func keepWAL(_ db: Database, frames: Int32) throws {
        let result = lineage_sqlite_keep_wal(db.sqliteConnection, frames, busyTimeoutMilliseconds)
        guard result == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: result), message: "cannot keep the index's write-ahead log")
        }
    }

    deinit {
        if bulk { queue.inDatabase { db in lineage_sqlite_truncate_wal(db.sqliteConnection, Index.busyTimeoutMilliseconds) } }
    }

    private static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        // Versions 1–3 kept a full id, a name and a byte range for every prediction; version 4 drops
        // them and rebuilds everything from the log.
        migrator.registerMigration("v4-compact") { db in
            for table in ["record", "link", "prediction", "batch", "meta", "merkle_node", "segment"] {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
            }
            try db.execute(sql: Index.schema)
        }
        migrator.registerMigration("v5-key-buffer") { db in
            try db.execute(sql: Index.keyBuffer)
        }
        migrator.registerMigration("v6-key-middle-tier") { db in
            try db.execute(sql: Index.keyMiddleTier)
        }
        // Before version 7 no record named a data subject: the table starts empty.
        migrator.registerMigration("v7-subject") { db in
            try db.execute(sql: Index.subjectTable)
        }
        // Before version 8 no record linked to another origin's: the table starts empty.
        migrator.registerMigration("v8-foreign") { db in
            try db.execute(sql: Index.foreignTable)
        }
        return migrator
    }()

    static let schema = """
        CREATE TABLE record (
            seq INTEGER PRIMARY KEY,
            kind INTEGER NOT NULL,
            time INTEGER NOT NULL,
            target INTEGER,
            id BLOB,
            name TEXT,
            version INTEGER,
            digest BLOB
        );
        CREATE INDEX record_target ON record(target, time) WHERE target IS NOT NULL;
        CREATE INDEX record_name ON record(kind, name, version) WHERE name IS NOT NULL;
        CREATE INDEX record_kind ON record(kind) WHERE kind <> 1;
        CREATE INDEX record_digest ON record(digest) WHERE digest IS NOT NULL;
        CREATE TABLE record_key (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
        CREATE TABLE prediction (pkey INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (pkey, seq)) WITHOUT ROWID;
        CREATE TABLE served (target INTEGER PRIMARY KEY, count INTEGER NOT NULL);
        CREATE TABLE link (
            src INTEGER NOT NULL,
            relation TEXT NOT NULL,
            dst INTEGER NOT NULL,
            PRIMARY KEY (src, relation, dst)
        ) WITHOUT ROWID;
        CREATE INDEX link_dst ON link(dst);
        CREATE TABLE batch (
            number INTEGER PRIMARY KEY,
            commitId BLOB NOT NULL,
            segment BLOB NOT NULL,
            firstSeq INTEGER NOT NULL UNIQUE,
            count INTEGER NOT NULL,
            root BLOB
        );
        CREATE TABLE segment (firstSeq INTEGER PRIMARY KEY, blob BLOB NOT NULL, batch INTEGER NOT NULL, count INTEGER NOT NULL);
        CREATE TABLE merkle_node (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """

    /// Predictions by their keyed data subject (first 8 bytes), for erasure and access by subject.
    static let subjectTable = """
        CREATE TABLE subject (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
        """

    /// Records of other origins' logs that records here link to. A link's `dst` (and a prediction's
    /// `target`) holds `-ref` for such a record: log positions are never negative.
    static let foreignTable = """
        CREATE TABLE foreign_record (ref INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE);
        """

    /// The subject key of a prediction naming a keyed subject, else nil.
    static func subjectKey(of record: LineageCore.Record) -> Int64? {
        guard let subject = record.subject, SubjectHasher.isKeyed(subject) else { return nil }
        return subjectKey(subject)
    }

    /// The 8-byte key of a keyed subject (`hmac-sha256:<hex>`).
    static func subjectKey(_ subject: String) -> Int64 {
        key(Hex.decode(String(subject.dropFirst(SubjectHasher.prefix.count).prefix(16))) ?? [])
    }

    /// New keys land in small buffer tables and move to the big ones in sorted runs (`mergeKeys`): a
    /// hash inserted into a big b-tree dirties a page of its own, a sorted run dirties each page once.
    /// Lookups read both through the `any_key` and `any_pkey` views.
    static let keyBuffer = """
        CREATE TABLE record_key_new (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
        CREATE TABLE prediction_new (pkey INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (pkey, seq)) WITHOUT ROWID;
        CREATE VIEW any_key AS SELECT key, seq FROM record_key UNION ALL SELECT key, seq FROM record_key_new;
        CREATE VIEW any_pkey AS SELECT pkey, seq FROM prediction UNION ALL SELECT pkey, seq FROM prediction_new;
        """

    /// Between the buffer and the big tables, a middle tier takes the buffer's merges until it holds
    /// the keys of `keyMiddleLimit` records, and then goes into the big tables in one sorted run. A merge straight
    /// into big tables rewrites about every page of them once they are much larger than the buffer
    /// (at 10M records, 64k random keys land on most of a big table's 40k leaf pages): with the
    /// middle tier, only one merge in 16 does.
    static let keyMiddleTier = """
        CREATE TABLE record_key_mid (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
        CREATE TABLE prediction_mid (pkey INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (pkey, seq)) WITHOUT ROWID;
        DROP VIEW any_key;
        DROP VIEW any_pkey;
        CREATE VIEW any_key AS
            SELECT key, seq FROM record_key UNION ALL SELECT key, seq FROM record_key_mid UNION ALL SELECT key, seq FROM record_key_new;
        CREATE VIEW any_pkey AS
            SELECT pkey, seq FROM prediction UNION ALL SELECT pkey, seq FROM prediction_mid UNION ALL SELECT pkey, seq FROM prediction_new;
        """

    /// The tiers of the key tables, by the suffix of their names: the big tables, the middle tier, the
    /// buffer (`record_key`, `record_key_mid`, `record_key_new`, and the same for `prediction`).
    enum KeyTier: String, CaseIterable { case big = "", middle = "_mid", buffer = "_new" }

    /// The records whose buffered keys trigger a merge into the middle tier (see `countBufferedKeys`).
    var keyBufferLimit = 65_536
    /// The records whose keys in the middle tier trigger its merge into the big tables.
    var keyMiddleLimit = 16 * 65_536
    /// The key ranges the middle tier drains into the big tables by, one a batch.
    var keyDrainSlices = 32

    static let tables = ["record", "record_key", "prediction", "record_key_mid", "prediction_mid", "record_key_new", "prediction_new", "served", "link", "batch", "segment", "merkle_node", "meta", "subject", "foreign_record"]

    /// Perfect subtrees of at least 2^8 leaves are kept; smaller ones are rehashed from records.
    static let storedNodeLevel = 8

    // MARK: Codes and keys

    /// The small integer a kind is stored as; predictions get 1, which SQLite stores in no bytes.
    static func code(_ kind: RecordKind) -> Int {
        switch kind {
        case .prediction: 1
        case .dataset: 2
        case .transform: 3
        case .run: 4
        case .model: 5
        case .deployment: 6
        case .approval: 7
        case .review: 8
        case .access: 9
        case .erasure: 10
        case .hold: 11
        case .alert: 12
        }
    }

    static let kindsByCode: [Int: RecordKind] = Dictionary(uniqueKeysWithValues: RecordKind.allCases.map { (code($0), $0) })

    /// The first 8 bytes of `bytes` (zero-padded) as an integer ordered like the bytes themselves.
    static func key(_ bytes: some Sequence<UInt8>) -> Int64 {
        var value: UInt64 = 0
        var count = 0
        for byte in bytes.prefix(8) {
            value = value << 8 | UInt64(byte)
            count += 1
        }
        value <<= UInt64(8 * (8 - count))
        return Int64(bitPattern: value ^ 0x8000_0000_0000_0000)
    }

    /// The key of a digest: its first 8 bytes, as `key(_:)` makes it from bytes.
    static func key(_ digest: Digest) -> Int64 {
        Int64(bitPattern: digest.leadingWord ^ 0x8000_0000_0000_0000)
    }

    /// The key under which a prediction id is found.
    static func predictionKey(_ pid: String) -> Int64 {
        key(Digest(hashing: Array(pid.utf8)))
    }

    // MARK: Access

    /// Runs a read outside any explicit transaction (or inside the one `batchReads` opened): each
    /// lookup is one statement, prepared once and cached.
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase(body)
    }

    /// Runs `body` inside one transaction, so the many lookups of a write share one snapshot and
    /// one set of file locks; `add` then writes in that same transaction. A writer (`forWriting`)
    /// takes SQLite's write lock at the start, waiting for another connection that holds it: a read
    /// transaction that upgrades later gets SQLITE_BUSY at once, with no wait. The caller then holds
    /// the store's write lock, so no other lineage process writes the index meanwhile.
    func batchReads<T>(forWriting: Bool, _ body: () throws -> T) throws -> T {
        let opened = try queue.inDatabase { db -> Bool in
            guard !db.isInsideTransaction else { return false }
            try db.beginTransaction(forWriting ? .immediate : .deferred)
            return true
        }
        guard opened else { return try body() }
        do {
            let value = try body()
            try queue.inDatabase { db in if db.isInsideTransaction { try db.commit() } }
            return value
        } catch {
            try? queue.inDatabase { db in if db.isInsideTransaction { try db.rollback() } }
            throw error
        }
    }

    /// Runs `body` as one write transaction, joining the one `batchReads` opened if any (a failure
    /// then rolls back that whole transaction).
    func writing(_ body: (Database) throws -> Void) throws {
        try queue.inDatabase { db in
            if !writeCache {
                // Key and prediction-id inserts land all over their b-trees: writers keep more of them
                // in memory. Readers keep SQLite's small default, so a long query stays at a flat few MB.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                writeCache = true
            }
            if db.isInsideTransaction {
                // Inside `batchReads`, which rolls the whole transaction back when this throws. No
                // savepoint: one would copy every page the batch touches to a journal first.
                try body(db)
            } else {
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
        }
    }

    // MARK: State

    /// The log commit the index reflects, if any.
    func indexedHead() throws -> ObjectID? {
        try reading { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'head'")).flatMap(ObjectID.init(hex:))
        }
    }

    /// The number of records indexed.
    public func recordCount() throws -> Int64 {
        // Positions are dense from 0, so the last one says how many there are, without a scan.
        try reading { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM record")) ?? 0 }
    }

    /// The number of batches indexed.
    public func batchCount() throws -> Int64 {
        try reading { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(number) + 1, 0) FROM batch")) ?? 0 }
    }

    /// Removes everything, for a rebuild.
    func clear() throws {
        try writing { db in
            for table in Index.tables {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
    }
}
