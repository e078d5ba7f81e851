import GRDB
import LineageCore

/// An order-independent fingerprint of a set of index keys, each a (table, key, log position): their
/// count and the wrapping sum of a hash of each. Two sets with equal tallies are the same set but for
/// a collision of Swift's 64-bit hash, which is seeded at random in every process (so no one can
/// prepare an index whose wrong keys happen to sum right).
struct KeyTally: Equatable {
    /// The tables keys are kept in: ids (`record_key`) and prediction ids (`prediction`).
    enum Table: Int { case id = 0, predictionID = 1 }

    private(set) var count = 0
    private var sum: UInt64 = 0

    mutating func add(_ table: Table, key: Int64, seq: Int64) {
        var hasher = Hasher()
        hasher.combine(table.rawValue)
        hasher.combine(key)
        hasher.combine(seq)
        sum &+= UInt64(bitPattern: Int64(hasher.finalize()))
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
