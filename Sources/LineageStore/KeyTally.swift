import GRDB
import LineageCore

/// An order-independent fingerprint of a set of index keys, each a (table, key, log position): their
/// count and the wrapping sum of a keyed 64-bit mix of each. The key is drawn at random once in every
/// process, so no one who can edit the index can prepare wrong keys that happen to sum right: that
/// needs the key, which never leaves the process. The mix (two rounds of MurmurHash3's finaliser, a
/// bijection on 64 bits, with the key folded in before each) replaced Swift's `Hasher` (SipHash),
/// which `verify` ran four times a record.
struct KeyTally: Equatable {
    /// The tables keys are kept in: ids (`record_key`) and prediction ids (`prediction`).
    enum Table: Int { case id = 0, predictionID = 1 }

    /// This process's mixing key: immutable once drawn (a `static let` is initialised once, thread-safely).
    private static let mixKey: (UInt64, UInt64, UInt64) = {
        var random = SystemRandomNumberGenerator()
        return (random.next(), random.next(), random.next())
    }()

    private(set) var count = 0
    private var sum: UInt64 = 0

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var x = x
        x ^= x >> 33
        x &*= 0xff51afd7ed558ccd
        x ^= x >> 33
        x &*= 0xc4ceb9fe1a85ec53
        x ^= x >> 33
        return x
    }

    mutating func add(_ table: Table, key: Int64, seq: Int64) {
        let k = KeyTally.mixKey
        let first = KeyTally.mix(UInt64(bitPattern: key) ^ k.0)
        sum &+= KeyTally.mix(first ^ (UInt64(bitPattern: seq) &+ (table == .id ? k.1 : k.2)))
        count += 1
    }

    /// Adds the keys the index keeps for a record.
    mutating func add(seq: Int64, id: Digest, predictionID: String?) {
        add(.id, key: Index.key(id), seq: seq)
        if let predictionID { add(.predictionID, key: Index.predictionKey(predictionID), seq: seq) }
    }
}

extension Index {
    /// The tallies of the keys the index holds for the records of each batch, given the batches'
    /// first log positions in order, and of the keys at positions before the first or past the
    /// last batch: one pass over the key tables, in their stored order (no lookups).
    func keyTallies(batchStarts: [Int64], end: Int64) throws -> (batches: [KeyTally], outside: KeyTally) {
        var batches = [KeyTally](repeating: KeyTally(), count: batchStarts.count)
        var outside = KeyTally()
        try reading { db in
            let scans = Index.KeyTier.allCases.flatMap { tier -> [(KeyTally.Table, String)] in
                [(.id, "SELECT key, seq FROM record_key\(tier.rawValue)"), (.predictionID, "SELECT pkey, seq FROM prediction\(tier.rawValue)")]
            }
            for (table, sql) in scans {
                try db.makeStatement(sql: sql).forEachRow { row in
                    let key = row.int64(0), seq = row.int64(1)
                    // The last batch starting at or before `seq`.
                    var low = 0, high = batchStarts.count
                    while low < high {
                        let mid = (low + high) / 2
                        if batchStarts[mid] <= seq { low = mid + 1 } else { high = mid }
                    }
                    if low > 0, seq < end { batches[low - 1].add(table, key: key, seq: seq) } else { outside.add(table, key: key, seq: seq) }
                }
            }
        }
        return (batches, outside)
    }
}
