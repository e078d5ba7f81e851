import LineageCore

/// What `verify` checked, when everything held.
public struct VerifyReport: Sendable {
    /// Records checked: the log's size.
    public var records: UInt64 = 0
    /// Batches checked.
    public var batches: Int = 0
    /// The Merkle root recomputed from every record.
    public var root: [UInt8] = Merkle.emptyRoot
    /// Checkpoint signatures verified.
    public var checkpointSignatures = 0
    /// Commit signatures verified.
    public var commitSignatures = 0
    /// Records whose index rows were compared with the log.
    public var indexedRecords: UInt64 = 0
    /// The size of the checkpoint given with `--against`, when one was.
    public var extendsCheckpointOfSize: UInt64?
}
