import Crypto

/// RFC 6962 / RFC 9162 Merkle tree hashing: leaves are records' canonical bytes in append order.
public enum Merkle {
    /// SHA-256(0x00 || leaf).
    public static func leafHash(_ leaf: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        prefix(0x00, &hasher)
        hasher.update(data: Array(leaf))
        return Array(hasher.finalize())
    }

    /// SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        prefix(0x01, &hasher)
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// Feeds the domain-separation byte from the stack (an array literal would be allocated per hash).
    private static func prefix(_ byte: UInt8, _ hasher: inout SHA256) {
        withUnsafeBytes(of: byte) { hasher.update(bufferPointer: $0) }
    }

    /// The root of the perfect subtree over the records at `ranges` of `bytes` (a power of two of
    /// them), computed in one buffer: no array per leaf or node (a segment of 256 records is
    /// checked this way on every read).
    public static func subtreeRoot(of bytes: [UInt8], ranges: [(Int, Int)]) -> [UInt8] {
        precondition(!ranges.isEmpty && ranges.count & (ranges.count - 1) == 0, "a perfect subtree has a power of two of leaves")
        var level = [UInt8](repeating: 0, count: ranges.count * 32)
        bytes.withUnsafeBytes { source in
            level.withUnsafeMutableBytes { hashes in
                func store(_ digest: SHA256.Digest, at index: Int) {
                    digest.withUnsafeBytes { hashes.baseAddress!.advanced(by: index * 32).copyMemory(from: $0.baseAddress!, byteCount: 32) }
                }
                for (i, (offset, length)) in ranges.enumerated() {
                    var hasher = SHA256()
                    prefix(0x00, &hasher)
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + length)]))
                    store(hasher.finalize(), at: i)
                }
                var count = ranges.count
                while count > 1 {
                    for i in 0..<(count / 2) {
                        var hasher = SHA256()
                        prefix(0x01, &hasher)
                        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: hashes[(2 * i * 32)..<((2 * i + 2) * 32)]))
                        store(hasher.finalize(), at: i)
                    }
                    count /= 2
                }
            }
        }
        return Array(level[0..<32])
    }

    /// The root of an empty tree: SHA-256 of nothing.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func splitPoint(_ n: UInt64) -> UInt64 {
        var k: UInt64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The root of a tree over `leafHashes`, computed directly (for tests and small trees).
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        var range = CompactRange()
        for leaf in leafHashes { range.append(leaf) }
        return range.root
    }
}

/// The right edge of a growing Merkle tree: the roots of the perfect subtrees that the binary
/// decomposition of its size splits it into, largest first. Appending a leaf is O(log n); the
/// root is a fold of at most log n hashes.
public struct CompactRange: Sendable, Equatable {
    /// One perfect subtree: its height (0 = a leaf) and hash.
    public struct Node: Sendable, Equatable {
        /// The subtree's height: 0 for a leaf.
        public let level: Int
        /// The subtree's root hash.
        public let hash: [UInt8]
    }

    public private(set) var size: UInt64 = 0
    public private(set) var nodes: [Node] = []

    /// Starts the range of an empty tree.
    public init() {}

    /// Restores a range from its size and nodes (as stored by `encoded`).
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 8, (bytes.count - 8) % 33 == 0 else { return nil }
        size = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        var i = 8
        while i < bytes.count {
            nodes.append(Node(level: Int(bytes[i]), hash: Array(bytes[(i + 1)..<(i + 33)])))
            i += 33
        }
        let expected = (0..<64).reversed().filter { size >> UInt64($0) & 1 == 1 }
        guard nodes.map(\.level) == expected else { return nil }
    }

    /// A compact binary form: 8-byte big-endian size, then (level, 32-byte hash) per node.
    public var encoded: [UInt8] {
        var out = (0..<8).reversed().map { UInt8(truncatingIfNeeded: size >> UInt64($0 * 8)) }
        for node in nodes {
            out.append(UInt8(node.level))
            out.append(contentsOf: node.hash)
        }
        return out
    }

    /// Appends a leaf hash; calls `completed` with every perfect subtree (level ≥ 1, index) it completes.
    public mutating func append(_ leafHash: [UInt8], completed: ((Int, UInt64, [UInt8]) -> Void)? = nil) {
        var node = Node(level: 0, hash: leafHash)
        while let last = nodes.last, last.level == node.level {
            nodes.removeLast()
            node = Node(level: node.level + 1, hash: Merkle.nodeHash(last.hash, node.hash))
            // The new leaf is at index `size`; the completed subtree ends there.
            completed?(node.level, size >> UInt64(node.level), node.hash)
        }
        nodes.append(node)
        size += 1
    }

    /// Appends the root of a perfect subtree of 2^`level` leaves (level 0: one leaf hash), as
    /// appending its leaves one by one would; the range's size must be a multiple of 2^`level`.
    public mutating func append(subtree hash: [UInt8], level: Int) {
        precondition(size % (1 << UInt64(level)) == 0, "a subtree is appended at a multiple of its size")
        var node = Node(level: level, hash: hash)
        while let last = nodes.last, last.level == node.level {
            nodes.removeLast()
            node = Node(level: node.level + 1, hash: Merkle.nodeHash(last.hash, node.hash))
        }
        nodes.append(node)
        size += 1 << UInt64(level)
    }

    /// The tree's root hash.
    public var root: [UInt8] {
        guard var hash = nodes.last?.hash else { return Merkle.emptyRoot }
        for node in nodes.dropLast().reversed() { hash = Merkle.nodeHash(node.hash, hash) }
        return hash
    }
}
