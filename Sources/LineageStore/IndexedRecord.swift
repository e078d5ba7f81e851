import GitStore
import LineageCore

/// Where a record lives and what the index knows about it, without its body.
public struct IndexedRecord: Sendable, Hashable {
    /// Position in the log (0-based append order): the record's Merkle leaf index.
    public let seq: Int64
    public let id: Digest
    public let kind: RecordKind
    /// `name` for named kinds, `model/environment` for deployments, the prediction id for predictions.
    public let name: String?
    public let version: Int?
    public let timeMilliseconds: Int64
    /// The batch (0-based) whose segment holds the record.
    public let batch: Int64
    /// Byte range of the canonical bytes inside the batch's segment blob.
    public let offset: Int
    public let length: Int
    /// The artifact digest of datasets and models.
    public let digest: Digest?
}

/// One appended batch: a commit on the log ref.
public struct BatchInfo: Sendable, Hashable {
    public let number: Int64
    public let commit: ObjectID
    public let segment: ObjectID
    public let firstSeq: Int64
    public let count: Int64
}
