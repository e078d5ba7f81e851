import Foundation
import Testing
@testable import LineageCore

@Suite("RFC 6962 Merkle tree")
struct MerkleTests {
    /// Every vector file under ../shared/testdata/merkle/<folder>, recursively.
    static func vectors(_ folder: String) throws -> [(String, [String: Any])] {
        let root = SharedTestData.root.appendingPathComponent("merkle/" + folder)
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        return try enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted().map { path in
            let data = try Data(contentsOf: root.appendingPathComponent(path))
            return (path, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
        }
    }

    static func bytes(_ value: Any?) -> [UInt8] {
        guard let text = value as? String else { return [] }
        return Data(base64Encoded: text).map { [UInt8]($0) } ?? Array(text.utf8)
    }

    static func hashes(_ value: Any?) -> [[UInt8]] { (value as? [String] ?? []).map { bytes($0) } }

    @Test("every inclusion vector: happy paths verify, every corrupted variant is rejected")
    func inclusionVectors() throws {
        let all = try Self.vectors("inclusion")
        #expect(all.count > 80)
        var verified = 0
        for (path, v) in all {
            let result = Result {
                try Merkle.verifyInclusion(leafHash: Self.bytes(v["leafHash"]), index: (v["leafIdx"] as! NSNumber).uint64Value,
                                           size: (v["treeSize"] as! NSNumber).uint64Value, proof: Self.hashes(v["proof"]),
                                           root: Self.bytes(v["root"]))
            }
            let wantErr = v["wantErr"] as! Bool
            switch result {
            case .success: #expect(!wantErr, "\(path) verified but must be rejected"); verified += 1
            case .failure: #expect(wantErr, "\(path) was rejected but must verify")
            }
        }
        #expect(verified >= 5)
    }

    @Test("every consistency vector: happy paths verify, every corrupted variant is rejected")
    func consistencyVectors() throws {
        let all = try Self.vectors("consistency")
        #expect(all.count > 80)
        for (path, v) in all {
            let result = Result {
                try Merkle.verifyConsistency(oldSize: (v["size1"] as! NSNumber).uint64Value, newSize: (v["size2"] as! NSNumber).uint64Value,
                                             oldRoot: Self.bytes(v["root1"]), newRoot: Self.bytes(v["root2"]), proof: Self.hashes(v["proof"]))
            }
            let wantErr = v["wantErr"] as! Bool
            switch result {
            case .success: #expect(!wantErr, "\(path) verified but must be rejected")
            case .failure: #expect(wantErr, "\(path) was rejected but must verify")
            }
        }
    }

    /// The README's leaves: "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f.
    static let leaves: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                    "606162636465666768696a6b6c6d6e6f"].map { Hex.decode($0)! }

    @Test("roots of the vectors' tree match, and generated proofs verify for every size and leaf")
    func generatedProofs() throws {
        let leafHashes = Self.leaves.map(Merkle.leafHash)
        #expect(Data(Merkle.root(leafHashes: leafHashes)).base64EncodedString() == "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
        let tree = InMemoryTree(leaves: leafHashes)
        for size in 1...UInt64(leafHashes.count) {
            let root = Merkle.root(leafHashes: Array(leafHashes.prefix(Int(size))))
            #expect(try Merkle.rangeHash(tree, 0, size) == root)
            for index in 0..<size {
                let proof = try Merkle.inclusionProof(tree, index: index, size: size)
                try Merkle.verifyInclusion(leafHash: leafHashes[Int(index)], index: index, size: size, proof: proof, root: root)
            }
            for old in 1...size {
                let oldRoot = Merkle.root(leafHashes: Array(leafHashes.prefix(Int(old))))
                let proof = try Merkle.consistencyProof(tree, oldSize: old, newSize: size)
                try Merkle.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof)
            }
        }
    }

    @Test("the compact range reports completed subtrees and survives encoding")
    func compactRange() throws {
        var range = CompactRange()
        var completed: [String] = []
        let leafHashes = (0..<13).map { Merkle.leafHash([UInt8($0)]) }
        for leaf in leafHashes { range.append(leaf) { level, index, _ in completed.append("\(level)/\(index)") } }
        #expect(completed == ["1/0", "1/1", "2/0", "1/2", "1/3", "2/1", "3/0", "1/4", "1/5", "2/2"])
        #expect(range.root == Merkle.root(leafHashes: leafHashes))
        let restored = try #require(CompactRange(encoded: range.encoded))
        #expect(restored == range)
        #expect(CompactRange(encoded: Array(range.encoded.dropLast())) == nil)
    }
}

@Suite("Merkle subtree roots over a segment's bytes")
struct SubtreeRootTests {
    @Test("equal to the root of the leaf hashes, for 1 to 256 records")
    func sameAsLeafHashes() {
        for count in [1, 2, 4, 8, 64, 256] {
            var bytes: [UInt8] = [], ranges: [(Int, Int)] = []
            for i in 0..<count {
                let record = Array("{\"n\":\(i * 7919)}".utf8)
                ranges.append((bytes.count, record.count))
                bytes += record + [0x0A]
            }
            let leaves = ranges.map { Merkle.leafHash(bytes[$0.0..<($0.0 + $0.1)]) }
            #expect(Merkle.subtreeRoot(of: bytes, ranges: ranges) == Merkle.root(leafHashes: leaves))
        }
    }
}

@Suite("appending perfect subtrees to a compact range")
struct SubtreeAppendTests {
    @Test("a subtree's root appended at a multiple of its size gives the range that its leaves give one by one")
    func sameAsLeaves() {
        let leaves = (0..<1100).map { Merkle.leafHash(Array("{\"n\":\($0)}".utf8)) }
        // Leaves and subtrees (of 256 and of 4 leaves, each at a multiple of its size), mixed.
        var byLeaf = CompactRange(), mixed = CompactRange()
        for leaf in leaves { byLeaf.append(leaf) }
        var i = 0
        for (count, level) in [(256, 0), (256, 8), (4, 2), (252, 0), (256, 8), (76, 0)] {
            if level == 0 {
                for leaf in leaves[i..<(i + count)] { mixed.append(leaf) }
            } else {
                var sub = CompactRange()
                for leaf in leaves[i..<(i + count)] { sub.append(leaf) }
                mixed.append(subtree: sub.root, level: level)
            }
            i += count
        }
        #expect(i == leaves.count)
        #expect(mixed == byLeaf)
        #expect(mixed.root == Merkle.root(leafHashes: leaves))
    }
}
