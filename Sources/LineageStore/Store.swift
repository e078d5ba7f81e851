import Foundation
import GitStore
import LineageCore

/// A lineage store: a bare git repository whose log ref holds the records, plus the erasable
/// payload store and the SQLite index derived from the log. See docs/store-layout.md.
///
/// Threading: a `Store` is used by one thread at a time, like the libgit2 repository handle and
/// the segment caches it holds; it is deliberately not `Sendable`. A program that serves several
/// threads opens a store per thread (or hands one between threads with a lock or a serial queue
/// around every call), as the engine tests do. Any number of stores, of the same directory or of
/// different ones, may be open in one process: they share no mutable state (each has its own
/// repository handle, SQLite connection, caches and WAL settings; see CSQLiteOptions). Writers in
/// any thread or process are serialised by the store's lock file (`WriteLock`), and readers never
/// wait for writers (SQLite WAL; the log ref moves by compare-and-swap). The helper threads a store
/// starts for its own work (`SegmentPrefetcher`, `VerifyReader`, `BatchPrewriter`, `ParallelParse`)
/// each open their own repository handle and say why their shared state is safe. The copies of
/// other origins' logs a store opens (`heldOrigin`, see Store+Origins) are stores it owns, used
/// only through it and so on its thread.
public final class Store {
    /// The store directory (usually `.lineage`).
    public let path: String
    /// The log's origin: names the log ref and, later, its checkpoints.
    public let origin: String
    let repository: Repository
    /// The derived index; replaced when a rebuild finds its file damaged.
    private(set) var index: any RecordIndex
    /// The index's lookups, for the engine.
    public var lookups: any IndexLookups { index }
    let payloads: PayloadStore
    /// The most recently used segments, least recently used first (a trace or a proof reads from a
    /// few segments in turn, the upstream ones again and again).
    /// `checked`: the segment is a whole block of 256 records found to match its stored Merkle subtree.
    /// `ids`: the records' ids, when the prefetcher computed them.
    private var segmentCache: [(id: ObjectID, bytes: [UInt8], lines: [(Int, Int)], checked: Bool, ids: [Digest]?)] = []
    /// How many segments (blocks of 256 records) `segmentCache` keeps: a few for a command; a
    /// server's readers keep more, so that the segments every trace reaches (models, runs, data) stay.
    public var segmentCacheCapacity = 4
    /// Reads segments ahead of a query on a second thread; created by the first query.
    private var prefetcher: SegmentPrefetcher?
    /// True once this store object removed the payload packs of batches that never landed.
    var orphanPacksChecked = false
    /// Segments looked up so far: (first position, count, blob).
    private var knownSegments: [(Int64, Int64, ObjectID)] = []
    /// The copies of other origins' logs held under `origins/`, opened so far (see Store+Origins).
    var openedOrigins: [String: Store] = [:]
    /// For a copy under another store's `origins/`: that store, whose family of logs its links reach.
    weak var holder: Store?

    /// Where this store was cloned from, when it is a copy of another store's log (it holds no
    /// signing key and adds no records; `lineage pull` keeps it in step). Nil for a store that owns its log.
    public private(set) lazy var copiedFrom: String? = try? repository.configValue("lineage.clonedFrom")

    /// The ref whose commits are the batches of the log.
    public var logReference: String { "refs/lineage/log/" + origin }

    /// The store's format version, kept in its config.
    public static let formatVersion = "1"

    private init(path: String, repository: Repository, origin: String) throws {
        self.path = path
        self.repository = repository
        self.origin = origin
        index = try Store.openIndex(at: (path as NSString).appendingPathComponent("index.sqlite"))
        payloads = PayloadStore(path: (path as NSString).appendingPathComponent("payloads"))
        index.identify = { [unowned self] seq, db in try self.identify(seq: seq, db) }
    }

    /// Opens the index; one whose file is not a database or is damaged is derived data, deleted and
    /// created empty (the next sync rebuilds it from the log). Any other failure (a busy lock held
    /// by another process past the timeout, an I/O error) is a storage error: nothing is deleted.
    private static func openIndex(at indexPath: String) throws -> Index {
        do {
            return try Index(path: indexPath)
        } catch where Store.isReadOnly(indexPath) {
            // A store the user may only read: with no WAL to replay, the database file is the whole index.
            var info = stat()
            guard stat(indexPath + "-wal", &info) != 0 || info.st_size == 0 else {
                throw LineageError.storage("this store is read-only for you and its index has changes not yet in index.sqlite (index.sqlite-wal); ask its owner to run any lineage command, or read a copy of the store")
            }
            do { return try Index(path: indexPath, readOnly: true) } catch {
                throw LineageError.wrap(error, context: "cannot open the index at \(indexPath) read-only")
            }
        } catch where Index.isDamage(error) {
            try Index.remove(at: indexPath)
            do { return try Index(path: indexPath) } catch { throw LineageError.wrap(error, context: "cannot create the index at \(indexPath)") }
        } catch {
            throw LineageError.wrap(error, context: "cannot open the index at \(indexPath)")
        }
    }

    /// True when the directory holding `file` cannot be written by this user (or is on a read-only
    /// file system), so SQLite cannot make the index's WAL and shared-memory files there.
    static func isReadOnly(_ file: String) -> Bool {
        access((file as NSString).deletingLastPathComponent, W_OK) != 0 || (access(file, F_OK) == 0 && access(file, W_OK) != 0)
    }

    /// Replaces the index with a new, empty one, for a rebuild of a damaged file. The caller holds the write lock.
    func replaceIndexFile() throws {
        index = try index.replacedByEmpty()
        index.identify = { [unowned self] seq, db in try self.identify(seq: seq, db) }
        segmentCache.removeAll()
        knownSegments.removeAll()
    }

    /// Says something the user should know on stderr (a repair made, a stale lock removed); a
    /// server or a test may send it elsewhere.
    public var notice: (String) -> Void = { message in
        FileHandle.standardError.write(Data(("lineage: " + message + "\n").utf8))
    }

    /// Creates a new store at `path` with the given origin (a fresh random one when nil).
    public static func create(at path: String, origin: String?) throws -> Store {
        let origin = origin ?? "local/" + Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255) })
        try validate(origin: origin)
        if StoreLocation.isStore(path) {
            throw LineageError.input("a lineage store already exists at \(path); nothing was changed")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
            throw LineageError.input("\(path) already exists and is not an empty directory; choose another path with --store")
        }
        do {
            let repository = try Repository.createBare(at: path)
            try repository.setConfigValue("lineage.origin", origin)
            try repository.setConfigValue("lineage.formatVersion", formatVersion)
            try makeLocalParts(at: path)
            let store = try Store(path: path, repository: repository, origin: origin)
            try store.generateSigningKey()
            return store
        } catch {
            throw LineageError.wrap(error, context: "cannot create a store at \(path)")
        }
    }

    /// Makes what a new store holds beside its git repository: the payload directory (0700) and
    /// a `.gitignore` that keeps the store out of a surrounding project's commits (its private
    /// key, index and raw payloads would be staged by `git add -A`).
    static func makeLocalParts(at path: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/payloads", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data("# lineage: this store is not part of the project's git history\n*\n".utf8)
            .write(to: URL(fileURLWithPath: path + "/.gitignore"))
    }

    /// Opens the store at `path` and, unless told not to, brings its index up to date with the log.
    public static func open(at path: String, syncingIndex: Bool = true) throws -> Store {
        let store: Store
        do {
            let repository = try Repository.openBare(at: path)
            guard let origin = try repository.configValue("lineage.origin") else {
                throw LineageError.notFound("\(path) is a git repository but not a lineage store (no lineage.origin in its config)")
            }
            try validate(origin: origin)
            store = try Store(path: path, repository: repository, origin: origin)
        } catch {
            throw LineageError.wrap(error, context: "cannot open the store at \(path)")
        }
        if syncingIndex {
            try store.syncIndex()
            try store.checkHistory()
        }
        return store
    }

    /// Checks an origin: one or more `/`-separated segments of letters, digits, '.', '_' and '-'.
    public static func validate(origin: String) throws {
        // Worked on as bytes: the same checks on substrings took generic string paths that cost
        // every command ~0.05 ms.
        let bytes = Array(origin.utf8), dot = UInt8(ascii: "."), lock = Array(".lock".utf8)
        let ok = !bytes.isEmpty && bytes.count <= 200 && bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment.first != dot && !segment.suffix(lock.count).elementsEqual(lock)
                && !zip(segment, segment.dropFirst()).contains { $0 == dot && $1 == dot }
                && segment.allSatisfy { Names.isNameByte($0) }
        }
        guard ok else {
            throw LineageError.input("the origin \(Names.printable(origin)) is not allowed: use segments of letters, digits, '.', '_' and '-' separated by '/', like example.com/fraud")
        }
    }

    /// The commit at the head of the log, or nil for an empty log.
    public func head() throws -> ObjectID? {
        do { return try repository.referenceTarget(logReference) } catch { throw LineageError.wrap(error) }
    }

    // MARK: Reading records

    /// The stored canonical bytes of the record at log position `seq`, unchecked; `db` is given
    /// when called from inside an index read.
    func canonicalBytes(seq: Int64, _ db: IndexContext? = nil) throws -> [UInt8] {
        try storedBytes(seq: seq, db).bytes
    }

    /// The stored bytes of the record at `seq`, and whether its segment was found to match the
    /// Merkle subtree the index recorded for it (see `checkSegment`).
    private func storedBytes(seq: Int64, _ db: IndexContext?) throws -> (bytes: [UInt8], checked: Bool, id: Digest?) {
        var found = knownSegments.first { $0.0 <= seq && seq < $0.0 + $0.1 }
        if found == nil {
            guard let segment = try index.segment(containing: seq, db) else {
                throw LineageError.storage("the segment of record \(seq) is missing from the index; run `lineage reindex`")
            }
            knownSegments.append(segment)
            // Keep the few most recent: reads walk the log in order, and a long list would be slow to search.
            if knownSegments.count > 16 { knownSegments.removeFirst() }
            found = segment
        }
        let segment = try cachedSegment(found!.2, firstSeq: found!.0, db)
        let line = Int(seq - found!.0)
        guard line < segment.lines.count else {
            throw LineageError.storage("record \(seq) lies outside its segment; run `lineage reindex`")
        }
        let (offset, length) = segment.lines[line]
        return (Array(segment.bytes[offset..<(offset + length)]), segment.checked, segment.ids?[line])
    }

    /// Starts reading, on another thread, the segments that hold these log positions (with their
    /// records' ids, unless `ids` is false).
    func prefetchSegments(of positions: [Int64], ids: Bool = true) throws {
        guard !positions.isEmpty else { return }
        var blobs: [ObjectID] = []
        var current: (firstSeq: Int64, count: Int64, blob: ObjectID)?
        for seq in positions where current.map({ !($0.firstSeq <= seq && seq < $0.firstSeq + $0.count) }) ?? true {
            current = try index.segment(containing: seq)
            if let blob = current?.blob, blobs.last != blob { blobs.append(blob) }
        }
        if prefetcher == nil { prefetcher = SegmentPrefetcher(path: path) }
        prefetcher?.prefetch(blobs.filter { blob in !segmentCache.contains { $0.id == blob } }, ids: ids)
    }

    /// The id and prediction id of the record at `seq`, computed from its stored bytes and checked
    /// against what the index recorded for that position: bytes altered in git fail here, naming
    /// the record, rather than being served under a new id.
    func identify(seq: Int64, _ db: IndexContext?) throws -> (id: Digest, predictionID: String?) {
        let (bytes, checked, known) = try storedBytes(seq: seq, db)
        let id = known ?? Digest(hashing: bytes)
        if !checked, try !index.hasKey(of: id, at: seq, db) { throw Store.altered(seq: seq, now: id) }
        if let pid = TopLevelField.string("predictionId", in: bytes) { return (id, pid) }
        guard case .object(let object)? = try? JSONParser.parse(bytes) else {
            throw LineageError.storage("record \(seq) is unreadable; run `lineage verify`")
        }
        return (id, object["predictionId"]?.stringValue)
    }

    /// The verdict for a record whose stored bytes no longer hash to the id recorded for its position.
    static func altered(seq: Int64, now: Digest, was: Digest? = nil) -> LineageError {
        let detail = was.map { "it was recorded as \($0), but its bytes now hash to \(now)" }
            ?? "its bytes now hash to \(now), which the log did not record there"
        return LineageError(.verdict, "the record at log position \(seq) was altered: \(detail); run `lineage verify` and restore the store from a copy")
    }

    /// True when a segment is a whole aligned block of 256 records whose Merkle subtree the index
    /// keeps, and its records hash to it (one check for the block instead of one per record); false
    /// when it is not such a block, and its records are checked one by one. Throws, naming the
    /// first altered record, when the block does not match.
    private func checkSegment(firstSeq: Int64, bytes: [UInt8], lines: [(Int, Int)], root: [UInt8]?, _ db: IndexContext?) throws -> Bool {
        let block = 1 << Index.storedNodeLevel
        guard firstSeq % Int64(block) == 0, lines.count == block,
              let node = try index.node(level: Index.storedNodeLevel, index: UInt64(firstSeq) / UInt64(block), db) else { return false }
        if (root ?? Merkle.subtreeRoot(of: bytes, ranges: lines)) == node { return true }
        for (i, (offset, length)) in lines.enumerated() {
            let id = Digest(hashing: Array(bytes[offset..<(offset + length)]))
            if try !index.hasKey(of: id, at: firstSeq + Int64(i), db) { throw Store.altered(seq: firstSeq + Int64(i), now: id) }
        }
        throw LineageError(.verdict, "the records at log positions \(firstSeq)..\(firstSeq + Int64(block) - 1) no longer match the Merkle tree recorded for them: the store was altered; run `lineage verify`")
    }

    /// Reads the full record behind an index entry, checking that its bytes hash to its id.
    public func read(_ entry: IndexedRecord) throws -> Record {
        let bytes = try canonicalBytes(seq: entry.seq)
        let record: Record
        do {
            record = try Record(canonicalBytes: bytes)
        } catch {
            throw LineageError.storage("record \(entry.id) at log position \(entry.seq) is unreadable: \(error)")
        }
        guard record.id == entry.id else { throw Store.altered(seq: entry.seq, now: record.id, was: entry.id) }
        return record
    }

    /// Reads the record with this id; throws `notFound` if it is not in the store.
    public func read(id: Digest) throws -> Record {
        guard let entry = try index.record(id: id) else {
            throw LineageError.notFound("no record \(id) in this store")
        }
        return try read(entry)
    }

    /// A segment's bytes and the byte range of each of its records, from the few most recently read.
    private func cachedSegment(_ id: ObjectID, firstSeq: Int64, _ db: IndexContext?) throws -> (bytes: [UInt8], lines: [(Int, Int)], checked: Bool, ids: [Digest]?) {
        if let hit = segmentCache.firstIndex(where: { $0.id == id }) {
            prefetcher?.drop(id)
            let entry = segmentCache.remove(at: hit)
            segmentCache.append(entry)
            return (entry.bytes, entry.lines, entry.checked, entry.ids)
        }
        let segment: SegmentPrefetcher.Prefetched
        if let prefetched = prefetcher?.take(id) {
            segment = prefetched
        } else {
            do {
                let bytes = try repository.readBlob(id)
                segment = (bytes, Segment.ranges(of: bytes), nil, nil)
            } catch {
                throw LineageError.wrap(error, context: "cannot read segment \(id)")
            }
        }
        let (bytes, lines) = (segment.bytes, segment.lines)
        let checked = try checkSegment(firstSeq: firstSeq, bytes: bytes, lines: lines, root: segment.root, db)
        segmentCache.append((id, bytes, lines, checked, segment.ids))
        if segmentCache.count > max(1, segmentCacheCapacity) { segmentCache.removeFirst() }
        return (bytes, lines, checked, segment.ids)
    }

    /// The signed checkpoint carried by the log head's commit, or nil for an empty log.
    public func latestCheckpoint() throws -> String? {
        guard let head = try head() else { return nil }
        let commit: CommitInfo
        do { commit = try repository.readCommit(head) } catch { throw LineageError.wrap(error) }
        guard let note = BatchMessage.parse(commit.message, origin: origin).checkpointNote else {
            throw LineageError.storage("the log head \(head.hex.prefix(12)) carries no signed checkpoint; run `lineage verify`")
        }
        return note
    }
}
