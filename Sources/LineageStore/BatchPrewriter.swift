import GitStore
import LineageCore

/// Writes the segments of batches expected to land next, on a thread other than the writer's,
/// through a repository handle of its own: deflating and hashing segment blobs is a large part of
/// appending a batch, and bulk ingest can do it while the writer indexes the batch before.
///
/// The caller guesses where each batch will start in the log. `Store.write` uses a prewritten batch
/// only when its first log position and record ids are exactly those of the batch it appends, and
/// otherwise encodes and writes the segments itself. Blobs of a guess that did not land stay in the
/// object store unreferenced, as git leaves any unused object; `git gc` prunes them.
/// Unchecked Sendable: it is used by one thread at a time (made on the store's thread, then used
/// only on the preparing thread), and its repository handle is its own, shared with no store.
public final class BatchPrewriter: @unchecked Sendable {
    private let repository: Repository
    /// The log's size when the prewriter was made: where the next batch starts.
    public let logSize: Int64

    /// Call it on the store's own thread.
    public init(store: Store) throws {
        repository = try LineageError.catching { try Repository.openBare(at: store.path) }
        logSize = try store.index.recordCount()
    }

    /// Encodes and writes `records` as the segments of a batch starting at log position
    /// `firstSeq`. Nil when a blob could not be written: the writer then writes them itself and
    /// reports the error.
    public func prewrite(_ records: [Record], firstSeq: Int64) -> PrewrittenBatch? {
        let parts = Segment.encode(records, firstSeq: UInt64(firstSeq))
        guard let written = try? parts.map({ (try repository.writeBlob($0.bytes), $0) }) else { return nil }
        return PrewrittenBatch(firstSeq: firstSeq, ids: records.map(\.id), parts: written)
    }
}

/// A batch's segments written ahead by `BatchPrewriter`. Unchecked Sendable: made whole on the
/// preparing thread and handed to the writer through a lock; only `used` changes after, on the writer.
public final class PrewrittenBatch: @unchecked Sendable {
    let firstSeq: Int64
    let ids: [Digest]
    let parts: [(ObjectID, Segment.Part)]
    /// Set when `Store.write` appended the batch with these segments.
    public internal(set) var used = false

    init(firstSeq: Int64, ids: [Digest], parts: [(ObjectID, Segment.Part)]) {
        self.firstSeq = firstSeq
        self.ids = ids
        self.parts = parts
    }

    /// True when these segments are exactly those of `records` appended at `firstSeq`.
    func fits(_ records: [Record], firstSeq: Int64) -> Bool {
        firstSeq == self.firstSeq && ids.count == records.count && zip(ids, records).allSatisfy { $0 == $1.id }
    }
}
