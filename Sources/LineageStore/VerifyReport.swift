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
    /// Payloads in the payload store opened and found to match their records' commitments.
    public var payloadsStored = 0
    /// Payloads erased, each named by an erasure record.
    public var payloadsErased = 0
    /// Payloads that erasure records name but that are still readable here (a store this user may
    /// only read, whose owner has not run a command since): the owner's next command destroys them.
    public var payloadsAwaitingErasure = 0
    /// Payload packs of batches that never landed (a writer was killed); the next write removes them.
    public var orphanPacks = 0
    /// Records of other origins' logs held here that records of this log link to, each found there
    /// and of a kind the link allows.
    public var foreignLinks = 0
    /// Records linked to that no log held here contains (their origin was not pulled), by id.
    public var unresolvedLinks: [Digest] = []
}
