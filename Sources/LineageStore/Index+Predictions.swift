import GRDB
import LineageCore

/// The index's answers for monitoring: where a time window's predictions lie in the log, how many
/// there are, and each one's time and serving record, all from `record` and its `(target, time)`
/// index, without reading a record.
extension Index {
    /// The records predictions are served by (deployments, or models predicted with directly).
    func servingTargets() throws -> [Int64] {
        try reading { db in try db.cachedStatement(sql: "SELECT target FROM served ORDER BY target").integers() }
    }

    /// The first and last log positions of the predictions served by `targets` with a time in
    /// [since, until); nil when there are none.
    func predictionBounds(targets: [Int64], since: Int64, until: Int64) throws -> ClosedRange<Int64>? {
        guard !targets.isEmpty else { return nil }
        return try reading { db in
            var low: Int64?, high: Int64?
            try db.cachedStatement(sql: """
                SELECT MIN(seq), MAX(seq) FROM record WHERE target IN (\(targets.map(String.init).joined(separator: ","))) AND time >= ? AND time < ?
                """).forEachRow(binding: since, until) { row in (low, high) = (row.int64OrNil(0), row.int64OrNil(1)) }
            guard let low, let high else { return nil }
            return low...high
        }
    }

    /// How many predictions served by `targets` have a time in [since, until).
    func predictionCount(targets: [Int64], since: Int64, until: Int64) throws -> Int64 {
        guard !targets.isEmpty else { return 0 }
        return try reading { db in
            try db.cachedStatement(sql: """
                SELECT COUNT(*) FROM record WHERE target IN (\(targets.map(String.init).joined(separator: ","))) AND time >= ? AND time < ?
                """).integers(binding: since, until).first ?? 0
        }
    }

    /// The log position, time and serving record of each prediction at a position in [from, to).
    func predictionRows(from: Int64, to: Int64) throws -> [(seq: Int64, time: Int64, target: Int64)] {
        try reading { db in
            var rows: [(seq: Int64, time: Int64, target: Int64)] = []
            try db.cachedStatement(sql: "SELECT seq, time, target FROM record WHERE seq >= ? AND seq < ? AND kind = 1 ORDER BY seq")
                .forEachRow(binding: from, to) { row in rows.append((row.int64(0), row.int64(1), row.int64OrNil(2) ?? -1)) }
            return rows
        }
    }

    /// Each block of `block` log positions in [from, to) holding a prediction: its number, its
    /// predictions' earliest and latest time and count, and the record serving them (-2 when several do).
    func predictionBlocks(from: Int64, to: Int64, block: Int) throws -> [(block: Int, earliest: Int64, latest: Int64, count: Int64, target: Int64)] {
        // Added up here, in log order: SQLite's GROUP BY would sort what is already in order (4x slower at 10M).
        try reading { db in
            var blocks: [(block: Int, earliest: Int64, latest: Int64, count: Int64, target: Int64)] = []
            try db.cachedStatement(sql: "SELECT seq, time, target FROM record WHERE seq >= ? AND seq < ? AND kind = 1")
                .forEachRow(binding: from, to) { row in
                    let (b, time, target) = (Int(row.int64(0)) / block, row.int64(1), row.int64OrNil(2) ?? -2)
                    if let last = blocks.last, last.block == b {
                        blocks[blocks.count - 1] = (b, min(last.earliest, time), max(last.latest, time), last.count + 1, last.target == target ? target : -2)
                    } else {
                        blocks.append((b, time, time, 1, target))
                    }
                }
            return blocks
        }
    }

    /// How many predictions at positions in `positions`, served by `targets` (any when nil), have a
    /// time in [since, until).
    func predictionCount(positions: Range<Int64>, targets: [Int64]?, since: Int64, until: Int64) throws -> Int64 {
        try reading { db in
            // (The unary pluses keep SQLite on the position range: the (target, time) index would
            // have it walk every prediction of the target in the window.)
            let served = targets.map { " AND +target IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try db.cachedStatement(sql: "SELECT COUNT(*) FROM record WHERE seq >= ? AND seq < ? AND kind = 1 AND +time >= ? AND +time < ?" + served)
                .integers(binding: positions.lowerBound, positions.upperBound, since, until).first ?? 0
        }
    }
}
