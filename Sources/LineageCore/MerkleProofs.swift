/// Source of the hashes of perfect, aligned subtrees of a log: `hash(start, size)` with `size` a
/// power of two and `start` a multiple of it. Proof generation asks only for such subtrees.
public protocol SubtreeHashes {
    func hash(start: UInt64, size: UInt64) throws -> [UInt8]
}

/// Leaf hashes held in memory.
public struct InMemoryTree: SubtreeHashes {
    /// The leaf hashes, in order.
    public let leaves: [[UInt8]]

    /// Holds `leaves` in memory.
    public init(leaves: [[UInt8]]) { self.leaves = leaves }

    /// The hash of a perfect subtree, computed from its leaves.
    public func hash(start: UInt64, size: UInt64) -> [UInt8] {
        if size == 1 { return leaves[Int(start)] }
        return Merkle.nodeHash(hash(start: start, size: size / 2), hash(start: start + size / 2, size: size / 2))
    }
}

extension Merkle {
    /// MTH(D[lo:hi]) per RFC 6962, built from perfect subtrees.
    public static func rangeHash(_ tree: some SubtreeHashes, _ lo: UInt64, _ hi: UInt64) throws -> [UInt8] {
        let n = hi - lo
        if n == 0 { return emptyRoot }
        if n & (n - 1) == 0 && lo % n == 0 { return try tree.hash(start: lo, size: n) }
        let k = splitPoint(n)
        return nodeHash(try rangeHash(tree, lo, lo + k), try rangeHash(tree, lo + k, hi))
    }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 6962 2.1.1).
    public static func inclusionProof(_ tree: some SubtreeHashes, index: UInt64, size: UInt64) throws -> [[UInt8]] {
        precondition(index < size)
        func path(_ m: UInt64, _ lo: UInt64, _ hi: UInt64) throws -> [[UInt8]] {
            let n = hi - lo
            if n <= 1 { return [] }
            let k = splitPoint(n)
            if m < lo + k { return try path(m, lo, lo + k) + [rangeHash(tree, lo + k, hi)] }
            return try path(m, lo + k, hi) + [rangeHash(tree, lo, lo + k)]
        }
        return try path(index, 0, size)
    }

    /// The consistency proof between the trees of the first `oldSize` and `newSize` leaves (RFC 6962 2.1.2).
    public static func consistencyProof(_ tree: some SubtreeHashes, oldSize: UInt64, newSize: UInt64) throws -> [[UInt8]] {
        precondition(0 < oldSize && oldSize <= newSize)
        func subproof(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, _ complete: Bool) throws -> [[UInt8]] {
            let n = hi - lo
            if m == n { return complete ? [] : [try rangeHash(tree, lo, hi)] }
            let k = splitPoint(n)
            if m <= k { return try subproof(m, lo, lo + k, complete) + [rangeHash(tree, lo + k, hi)] }
            return try subproof(m - k, lo + k, hi, false) + [rangeHash(tree, lo, lo + k)]
        }
        return try subproof(oldSize, 0, newSize, true)
    }
}

/// Why a Merkle proof did not verify.
public struct MerkleProofError: Error, Sendable, CustomStringConvertible {
    /// What did not verify.
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Merkle {
    /// Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root` (RFC 9162 2.1.3.2).
    public static func verifyInclusion(leafHash: [UInt8], index: UInt64, size: UInt64, proof: [[UInt8]], root: [UInt8]) throws {
        guard index < size else { throw MerkleProofError("leaf index \(index) is not below the tree size \(size)") }
        guard leafHash.count == 32, root.count == 32, proof.allSatisfy({ $0.count == 32 }) else {
            throw MerkleProofError("a hash in the inclusion proof is not 32 bytes long")
        }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw MerkleProofError("the inclusion proof has more hashes than the tree has levels") }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw MerkleProofError("the inclusion proof is too short for a tree of \(size) leaves") }
        guard r == root else { throw MerkleProofError("the inclusion proof leads to a different root: the leaf or the proof was altered") }
    }

    /// Verifies that the tree of `newSize` leaves with `newRoot` extends the tree of `oldSize`
    /// leaves with `oldRoot` (RFC 9162 2.1.4.2). A proof from the empty tree is refused as meaningless.
    public static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]) throws {
        guard oldSize <= newSize else { throw MerkleProofError("the old tree (\(oldSize)) is larger than the new one (\(newSize))") }
        guard oldSize > 0 else { throw MerkleProofError("a consistency proof from an empty tree proves nothing") }
        if oldSize == newSize {
            guard proof.isEmpty else { throw MerkleProofError("equal tree sizes need an empty proof") }
            guard oldRoot == newRoot else { throw MerkleProofError("the trees have the same size but different roots") }
            return
        }
        guard !proof.isEmpty else { throw MerkleProofError("the consistency proof is empty") }
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 { path = ([oldRoot] + proof)[...] }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path.first!, sr = path.first!
        for c in path.dropFirst() {
            guard sn != 0 else { throw MerkleProofError("the consistency proof is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw MerkleProofError("the consistency proof is too short") }
        guard fr == oldRoot else { throw MerkleProofError("the log does not contain the old tree: its first \(oldSize) records were changed") }
        guard sr == newRoot else { throw MerkleProofError("the consistency proof does not lead to the new root") }
    }
}
