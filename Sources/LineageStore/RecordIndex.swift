import GitStore
import LineageCore

/// The backend's handle on a read in progress (its connection or transaction), opaque to the store:
/// code that the index calls from inside a read (`RecordIndex.identify`) hands it back to the
/// index's lookups, so that they join that read instead of starting another.
protocol IndexContext: AnyObject {}

/// The lookups the engine may make of a store's index, in lineage's own types.
public protocol IndexLookups: AnyObject {
    /// The record with this id.
    func record(id: Digest) throws -> IndexedRecord?
    func contains(id: Digest) throws -> Bool
    /// The prediction with the caller's id `pid`.
    func prediction(id pid: String) throws -> IndexedRecord?
    /// The record id of the prediction with the caller's id `pid`.
    func predictionRecordID(_ pid: String) throws -> Digest?
    /// The stored predictions among `pids`, by prediction id.
    func predictions(ids pids: [String]) throws -> [String: IndexedRecord]
    /// Every version or record of `kind` called `name`.
    func records(kind: RecordKind, name: String) throws -> [IndexedRecord]
    /// The datasets and models with this content digest, in log order.
    func records(digest: Digest) throws -> [IndexedRecord]
    /// Predictions that may name the keyed subject `subject`, in log order (compare their `subject`).
    func predictions(subject: String) throws -> [IndexedRecord]
    /// The record at log position `seq`.
    func record(seq: Int64) throws -> IndexedRecord?
    /// The newest records (of `kind`), newest first.
    func recent(kind: RecordKind?, limit: Int) throws -> [IndexedRecord]
    /// The records linking to the one at `seq`, with the field they link through.
    func dependents(of seq: Int64) throws -> [(relation: String, record: IndexedRecord)]
    /// How many records of `kind` link to the one at `seq`.
    func count(linkingTo seq: Int64, kind: RecordKind) throws -> Int64
    /// The (negative) position that stands for a record of another origin linked to from here,
    /// for `dependents(of:)` and `count(linkingTo:kind:)`; nil when nothing here links to it.
    func foreignPosition(of id: Digest) throws -> Int64?
    /// The batch holding log position `seq`.
    func batch(containing seq: Int64) throws -> BatchInfo?
    func recordCount() throws -> Int64
    func batchCount() throws -> Int64
    /// Readies the index for many writes in a row (see `Store.prepareForBulkWrites`).
    func prepareForBulkWrites() throws
    var isPreparedForBulkWrites: Bool { get }
}

/// Everything a store needs of its index: the lookups, the log's state as indexed, the writes of a
/// batch and of a rebuild, and the checks that reads make. `Index` (SQLite, through GRDB) is the
/// one backend today; another (PostgreSQL) is a new type conforming to this, chosen when the store
/// opens. No GRDB type appears here.
protocol RecordIndex: IndexLookups {
    /// True for an index opened read-only (a store the user may only read).
    var readOnly: Bool { get }
    /// Reads the record id and prediction id of the prediction at a log position; set by the store.
    var identify: (Int64, IndexContext) throws -> (id: Digest, predictionID: String?) { get set }

    func records(idPrefix: [UInt8], oddNibble: UInt8?, limit: Int) throws -> [IndexedRecord]
    func batch(_ number: Int64) throws -> BatchInfo?
    /// The commits of every indexed batch.
    func batchCommitIDs() throws -> [ObjectID]
    func segment(containing seq: Int64, _ context: IndexContext?) throws -> (firstSeq: Int64, count: Int64, blob: ObjectID)?
    func node(level: Int, index: UInt64, _ context: IndexContext?) throws -> [UInt8]?
    func hasKey(of id: Digest, at seq: Int64, _ context: IndexContext?) throws -> Bool

    /// Monitoring's reads (see `Index+Predictions`): serving records, where and how many
    /// predictions of a time window lie, and each prediction's time and serving record.
    func servingTargets() throws -> [Int64]
    func predictionBounds(targets: [Int64], since: Int64, until: Int64) throws -> ClosedRange<Int64>?
    func predictionCount(targets: [Int64], since: Int64, until: Int64) throws -> Int64
    func predictionRows(from: Int64, to: Int64) throws -> [(seq: Int64, time: Int64, target: Int64)]
    func predictionBlocks(from: Int64, to: Int64, block: Int) throws -> [(block: Int, earliest: Int64, latest: Int64, count: Int64, target: Int64)]
    func predictionCount(positions: Range<Int64>, targets: [Int64]?, since: Int64, until: Int64) throws -> Int64

    /// The Merkle state, record and batch counts, and the log commit the index reflects.
    func facts() throws -> (range: CompactRange, records: Int64, batches: Int64, head: ObjectID?)
    func compactRange() throws -> CompactRange
    func indexedHead() throws -> ObjectID?

    // Verify's comparisons of the index with the log.
    func storedRows(seqFrom: Int64, count: Int) throws -> [StoredRow]
    func links(seqFrom: Int64, count: Int) throws -> [Int64: Set<String>]
    func keyTallies(batchStarts: [Int64], end: Int64) throws -> (batches: [KeyTally], outside: KeyTally)
    /// A second connection to the same index, for reading on another thread (see `KeyTallyScan`).
    func anotherConnection() throws -> any RecordIndex

    // Queries, a page at a time.
    func plan(_ query: RecordQuery) throws -> QueryPlan
    func page(_ query: RecordQuery, plan: QueryPlan, after: Int64, limit: Int) throws -> ([IndexedRecord], Int64?)
    func pagePositions(_ query: RecordQuery, plan: QueryPlan, after: Int64, limit: Int) throws -> [Int64]

    // Writes.
    /// Runs `body` in one transaction (a writer's takes the write lock at once).
    func batchReads<T>(forWriting: Bool, _ body: () throws -> T) throws -> T
    func add(batch: BatchInfo, segments: [(firstSeq: UInt64, blob: ObjectID, count: Int)], rows: [IndexRow],
             head: ObjectID, range: CompactRange, nodes: [(Int, UInt64, [UInt8])]) throws
    func unnamedDeployments() throws -> [Int64]
    func setName(_ name: String, seq: Int64) throws
    func beginRebuild() throws
    func finishRebuild(head: ObjectID?) throws
    func clear() throws
    /// A new, empty index in place of this one, whose storage was found damaged (closes this one).
    func replacedByEmpty() throws -> any RecordIndex
}

extension RecordIndex {
    func segment(containing seq: Int64) throws -> (firstSeq: Int64, count: Int64, blob: ObjectID)? { try segment(containing: seq, nil) }
    func node(level: Int, index: UInt64) throws -> [UInt8]? { try node(level: level, index: index, nil) }
    func hasKey(of id: Digest, at seq: Int64) throws -> Bool { try hasKey(of: id, at: seq, nil) }
    func batchReads<T>(_ body: () throws -> T) throws -> T { try batchReads(forWriting: false, body) }
}
