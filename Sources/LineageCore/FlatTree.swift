/// Leaf hashes kept in one contiguous buffer, 32 bytes each: cheap for millions of leaves.
public struct FlatTree: SubtreeHashes {
    public private(set) var bytes: [UInt8] = []

    /// Starts an empty tree.
    public init() {}

    /// The number of leaves.
    public var count: UInt64 { UInt64(bytes.count / 32) }

    /// Adds the next leaf hash.
    public mutating func append(_ leafHash: [UInt8]) { bytes.append(contentsOf: leafHash) }

    /// The hash of leaf `index`.
    public func leaf(_ index: UInt64) -> [UInt8] { Array(bytes[Int(index) * 32..<Int(index + 1) * 32]) }

    /// The hash of a perfect subtree, computed from its leaves.
    public func hash(start: UInt64, size: UInt64) -> [UInt8] {
        if size == 1 { return leaf(start) }
        return Merkle.nodeHash(hash(start: start, size: size / 2), hash(start: start + size / 2, size: size / 2))
    }
}
