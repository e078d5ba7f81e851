import GitStore
import LineageCore

/// Where a record lives and what the index knows about it, without its body.
public struct IndexedRecord: Sendable, Hashable {
    /// Position in the log (0-based append order): the record's Merkle leaf index.
    public let seq: Int64
    /// The record's id.
    public let id: Digest
    /// The record's kind.
    public let kind: RecordKind
    /// `name` for named kinds, `model/environment` for deployments, the prediction id for predictions.
    public let name: String?
    /// The per-name version of datasets and models.
    public let version: Int?
    /// The record time, milliseconds since 1970.
    public let timeMilliseconds: Int64
    /// The artifact digest of datasets and models.
    public let digest: Digest?
}

/// One appended batch: a commit on the log ref.
public struct BatchInfo: Sendable, Hashable {
    /// The batch's position in the log (0-based).
    public let number: Int64
    /// The batch's commit on the log ref.
    public let commit: ObjectID
    /// The batch's first segment blob.
    public let segment: ObjectID
    /// The log position of the batch's first record.
    public let firstSeq: Int64
    /// How many records the batch holds.
    public let count: Int64
}
