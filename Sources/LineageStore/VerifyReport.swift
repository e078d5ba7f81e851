import LineageCore

/// What `verify` checked, when everything held.
public struct VerifyReport: Sendable {
    public var records: UInt64 = 0
    public var batches: Int = 0
    public var root: [UInt8] = Merkle.emptyRoot
    public var checkpointSignatures = 0
    public var commitSignatures = 0
    /// Records whose index rows were compared with the log.
    public var indexedRecords: UInt64 = 0
    /// The size of the checkpoint given with `--against`, when one was.
    public var extendsCheckpointOfSize: UInt64?
}
