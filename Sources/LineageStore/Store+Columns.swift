import Foundation
import LineageCore

/// Predictions in a stretch of the log, as columns: each one's log position, time and serving
/// record, and the values found at the asked-for paths, for monitoring to compute on.
public struct PredictionColumns: Sendable {
    /// A value read from a prediction.
    public enum Value: Sendable, Equatable {
        case missing
        case number(Double)
        /// A value that is not a number: a string as itself, anything else as its canonical JSON.
        case label(String)
    }

    /// The log position of entry 0: entries are consecutive log positions, predictions or not,
    /// unless `seqs` names each entry's position (columns compacted to their predictions).
    var first: Int64 = 0
    var seqs: [Int64]?
    /// Each entry's time and serving record (-1 for an entry that is not a prediction), in turn,
    /// as the words of the column cache.
    var entries: [UInt64] = []
    /// Per path, each entry's value, encoded (see `value`).
    var bits: [[UInt64]]
    var labels: [[String]]
    /// The entries that are predictions with a time in the range asked for, in log order: the
    /// `row` numbers the other members take.
    public internal(set) var rows: [Int] = []

    init(paths: Int) {
        bits = Array(repeating: [], count: paths)
        labels = Array(repeating: [], count: paths)
    }

    /// No predictions, with room for `paths` values each.
    public static func empty(paths: Int) -> PredictionColumns { PredictionColumns(paths: paths) }

    /// The log position of the prediction at `row`.
    public func seq(_ row: Int) -> Int64 { seqs?[row] ?? first + Int64(row) }

    /// Keeps only the entries of `rows` (and their positions): for a window whose predictions are
    /// a small part of the positions read.
    mutating func compact() {
        seqs = rows.map(seq)
        entries = rows.flatMap { [entries[2 * $0], entries[2 * $0 + 1]] }
        bits = bits.map { column in rows.map { column[$0] } }
        rows = Array(rows.indices)
    }

    /// These columns followed by `other`'s (of later positions, numbering labels as these do or more).
    mutating func append(_ other: PredictionColumns) {
        var other = other
        if !(seqs == nil && other.seqs == nil && first + Int64(entries.count / 2) == other.first) {
            if seqs == nil { compact() }
            if other.seqs == nil { other.compact() }
            seqs! += other.seqs!
        }
        rows += other.rows.map { $0 + entries.count / 2 }
        entries += other.entries
        for p in bits.indices { bits[p] += other.bits[p] }
        labels = other.labels
    }
    /// Its time, milliseconds since 1970.
    public func time(_ row: Int) -> Int64 { Int64(bitPattern: entries[2 * row]) }
    /// The log position of the deployment (or model) it names.
    public func target(_ row: Int) -> Int64 { Int64(bitPattern: entries[2 * row + 1]) }

    /// The value at path `path` (its index among those asked for) of prediction `row`.
    public func value(_ path: Int, _ row: Int) -> Value {
        let bits = bits[path][row]
        if bits == PredictionColumns.missingBits { return .missing }
        if bits & PredictionColumns.labelMask == PredictionColumns.labelMask {
            let label = Int(bits & 0xFFFF_FFFF)
            return label < labels[path].count ? .label(labels[path][label]) : .missing
        }
        return .number(Double(bitPattern: bits))
    }

    /// The rows among `rows` with a value at path `path`, and their values as numbers when every
    /// one is a number.
    public func present(_ path: Int, _ rows: [Int]) -> (rows: [Int], numbers: [Double]?) {
        var present: [Int] = [], numbers: [Double]? = []
        present.reserveCapacity(rows.count)
        numbers!.reserveCapacity(rows.count)
        bits[path].withUnsafeBufferPointer { bits in
            for row in rows where bits[row] != PredictionColumns.missingBits {
                present.append(row)
                if bits[row] & PredictionColumns.labelMask == PredictionColumns.labelMask { numbers = nil } else { numbers?.append(Double(bitPattern: bits[row])) }
            }
        }
        return (present, numbers)
    }

    /// Canonical JSON numbers are finite, so NaN patterns are free to mean other things: all bits
    /// set for a missing value, the sign and quiet bits with a label's number in the low 32 bits for a label.
    static let missingBits: UInt64 = .max
    static let labelMask: UInt64 = 0xFFF8_0000_0000_0000

    /// A value's encoding, numbering a new label in `labels` (and `added`).
    static func encode(_ value: JSONValue?, labels: inout [String: Int], added: inout [String], base: Int) -> UInt64 {
        guard let value else { return missingBits }
        if let number = value.numberValue, number.isFinite { return number.bitPattern }
        let text = value.stringValue ?? String(decoding: value.canonicalBytes, as: UTF8.self)
        if let known = labels[text] { return labelMask | UInt64(known) }
        let number = base + added.count
        labels[text] = number
        added.append(text)
        return labelMask | UInt64(number)
    }
}

extension Store {
    /// The records predictions are served by: every deployment (or model) a prediction names.
    public func servingTargets() throws -> [Int64] { try index.servingTargets() }

    /// What the column cache keeps of each block of 256 log positions: its predictions' earliest
    /// and latest time, how many there are, and the record serving them all (-2 when they are
    /// served by several), four words a block. Blocks not summarised yet (from the first such on,
    /// and the partial last one) are summarised from the index. Nil when the store cannot be written.
    private func blockSummaries(recordCount: Int64) throws -> [UInt64]? {
        guard let cache = try index.batch(0).flatMap({ ColumnCache(storePath: path, logIdentity: $0.commit.hex) }) else { return nil }
        defer { cache.close() }
        let block = ColumnCache.block
        let blocks = Int((recordCount + Int64(block) - 1) / Int64(block)), complete = Int(recordCount) / block
        var summary = cache.read("summary", width: 4, entries: 0..<blocks)
        let first = cache.filled("summary", unitWords: 4, units: 0..<complete, data: summary).firstIndex(of: false) ?? complete
        guard first < blocks else { return summary }
        for b in first..<blocks { summary.replaceSubrange((4 * b)..<(4 * b + 4), with: [UInt64(bitPattern: .max), UInt64(bitPattern: .min), 0, 0]) }
        for span in try index.predictionBlocks(from: Int64(first * block), to: recordCount, block: block) {
            summary.replaceSubrange((4 * span.block)..<(4 * span.block + 4), with: [span.earliest, span.latest, span.count, span.target].map { UInt64(bitPattern: $0) })
        }
        if first < complete, cache.write("summary", width: 4, firstEntry: first, summary[(4 * first)..<(4 * complete)]) {
            cache.markFilled("summary", units: Array(first..<complete), unitWords: 4, data: summary, firstUnit: 0)
        }
        return summary
    }

    /// Log positions outside which no prediction has a time in [since, until) (possibly wider
    /// than the tightest such bounds, in whole blocks); nil when no prediction can.
    public func predictionBounds(since: Int64, until: Int64) throws -> ClosedRange<Int64>? {
        let recordCount = try index.recordCount()
        guard recordCount > 0 else { return nil }
        guard let summary = try blockSummaries(recordCount: recordCount) else {
            return try index.predictionBounds(targets: index.servingTargets(), since: since, until: until)
        }
        var low: Int?, high: Int?
        for b in 0..<(summary.count / 4) {
            let (earliest, latest) = (Int64(bitPattern: summary[4 * b]), Int64(bitPattern: summary[4 * b + 1]))
            guard earliest <= latest, latest >= since, earliest < until else { continue }
            if low == nil { low = b }
            high = b
        }
        guard let low, let high else { return nil }
        let block = ColumnCache.block
        return Int64(low * block)...min(Int64((high + 1) * block) - 1, recordCount - 1)
    }

    /// How many predictions served by `targets` (all when nil) have a time in [since, until): the
    /// counts of the blocks wholly inside the window and served by one record, and the rest of the
    /// blocks that overlap it counted by the index, position range by position range.
    public func predictionCount(targets: [Int64]?, since: Int64, until: Int64) throws -> Int64 {
        let recordCount = try index.recordCount()
        guard recordCount > 0 else { return 0 }
        guard let summary = try blockSummaries(recordCount: recordCount) else {
            return try index.predictionCount(targets: try targets ?? index.servingTargets(), since: since, until: until)
        }
        let wanted = targets.map(Set.init)
        let block = Int64(ColumnCache.block)
        var total: Int64 = 0
        for b in 0..<(summary.count / 4) {
            let (earliest, latest) = (Int64(bitPattern: summary[4 * b]), Int64(bitPattern: summary[4 * b + 1]))
            let (count, target) = (Int64(bitPattern: summary[4 * b + 2]), Int64(bitPattern: summary[4 * b + 3]))
            guard count > 0, latest >= since, earliest < until else { continue }
            if let wanted, target >= 0, !wanted.contains(target) { continue }
            if earliest >= since, latest < until, wanted == nil || target >= 0 {
                total += count
            } else {
                total += try index.predictionCount(positions: Int64(b) * block..<min(Int64(b + 1) * block, recordCount), targets: targets, since: since, until: until)
            }
        }
        return total
    }

    /// The predictions at log positions in `positions` with a time in [since, until), with the values at `paths` (`["output", "score"]`). Values are
    /// read once from the verified segments and kept in the `columns/` cache (see `ColumnCache`), so
    /// later calls over the same stretch read only what was added since.
    public func predictionColumns(_ paths: [[String]], positions: ClosedRange<Int64>, since: Int64, until: Int64) throws -> PredictionColumns {
        // A few million positions at a time, each kept whole only when its predictions are most of
        // it: what a run holds grows with the window's predictions, not with the positions between them.
        var result: PredictionColumns?, labels = paths.map { _ in [String]() }
        var start = positions.lowerBound
        while start <= positions.upperBound {
            let end = min(positions.upperBound, start + Self.columnChunk - 1)
            var part = try predictionColumns(paths, chunk: start...end, since: since, until: until, labels: &labels)
            if part.rows.count * 2 < Int(end - start + 1) { part.compact() }
            if result == nil { result = part } else { result!.append(part) }
            start = end + 1
        }
        return result ?? PredictionColumns(paths: paths.count)
    }

    /// Positions `predictionColumns` reads at a time.
    static let columnChunk: Int64 = 1 << 22

    /// `predictionColumns` over one stretch of positions, numbering labels from `labels` on (and
    /// adding to them) where the cache holds none.
    private func predictionColumns(_ paths: [[String]], chunk positions: ClosedRange<Int64>, since: Int64, until: Int64,
                                   labels carried: inout [[String]]) throws -> PredictionColumns {
        var result = PredictionColumns(paths: paths.count)
        let recordCount = try index.recordCount()
        guard recordCount > 0, positions.lowerBound < recordCount else { return result }
        let last = min(positions.upperBound, recordCount - 1)
        let block = ColumnCache.block
        let blocks = Int(positions.lowerBound) / block..<(Int(last) / block + 1)
        let complete = Int(recordCount) / block
        let cache = try index.batch(0).flatMap { ColumnCache(storePath: path, logIdentity: $0.commit.hex) }
        defer { cache?.close() }

        // The names of the columns: the rows (time, serving record), then one per path.
        let names = ["rows"] + paths.map { "v-" + Hex.encode(Array(Digest(hashing: Array($0.joined(separator: "\0").utf8)).bytes.prefix(8))) }
        let widths = [2] + paths.map { _ in 1 }
        var labels = names.indices.dropFirst().map { cache?.labels(names[$0]) ?? carried[$0 - 1] }
        var data = names.indices.map { cache?.read(names[$0], width: widths[$0] * block, entries: blocks) ?? [UInt64](repeating: 0, count: blocks.count * block * widths[$0]) }
        let filled = names.indices.map { cache?.filled(names[$0], unitWords: widths[$0] * block, units: blocks, data: data[$0]) ?? Array(repeating: false, count: blocks.count) }
        var numbering = labels.map { Dictionary($0.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }) }
        var added = labels.map { _ in [String]() }

        // Compute the blocks not kept (and the last, partial one), a few at a time, reading ahead.
        let missing = (0..<blocks.count).filter { i in names.indices.contains { !filled[$0][i] } || blocks.lowerBound + i >= complete }
        var written: [[Int]] = names.map { _ in [] }
        let chunk = 8
        var prefetched = -1
        for start in stride(from: 0, to: missing.count, by: chunk) {
            for ahead in [start, start + chunk] where ahead > prefetched && ahead < missing.count {
                let firsts = missing[ahead..<min(ahead + chunk, missing.count)].map { Int64((blocks.lowerBound + $0) * block) }
                if paths.indices.contains(where: { p in missing[ahead..<min(ahead + chunk, missing.count)].contains { !filled[p + 1][$0] } }) {
                    try prefetchSegments(of: firsts.flatMap { first in (0..<Int64(block)).map { first + $0 }.filter { $0 < recordCount } }, ids: false)
                }
                prefetched = ahead
            }
            for i in missing[start..<min(start + chunk, missing.count)] {
                let first = Int64((blocks.lowerBound + i) * block)
                let rows = try index.predictionRows(from: first, to: first + Int64(block))
                for k in 0..<block { (data[0][2 * (i * block + k)], data[0][2 * (i * block + k) + 1]) = (0, UInt64(bitPattern: -1)) }
                for row in rows {
                    let k = i * block + Int(row.seq - first)
                    (data[0][2 * k], data[0][2 * k + 1]) = (UInt64(bitPattern: row.time), UInt64(bitPattern: row.target))
                }
                // Each record's bytes read once for every value still to compute.
                let needed = paths.indices.filter { !filled[$0 + 1][i] || blocks.lowerBound + i >= complete }
                for p in needed {
                    for k in 0..<block { data[p + 1][i * block + k] = PredictionColumns.missingBits }
                    if blocks.lowerBound + i < complete { written[p + 1].append(i) }
                }
                for row in rows where !needed.isEmpty {
                    let bytes = try canonicalBytes(seq: row.seq)
                    for p in needed {
                        let value = RecordMember.value(paths[p], in: bytes)
                        data[p + 1][i * block + Int(row.seq - first)] = PredictionColumns.encode(value, labels: &numbering[p], added: &added[p], base: labels[p].count)
                    }
                }
                if !filled[0][i], blocks.lowerBound + i < complete { written[0].append(i) }
            }
        }
        for p in paths.indices { labels[p] += added[p] }
        carried = labels

        // Keep what was computed: labels first, then the values, then the marks.
        if let cache {
            for n in names.indices where !written[n].isEmpty {
                if n > 0, !cache.appendLabels(names[n], added[n - 1]) { continue }
                // Consecutive blocks in one write (and one flush) each.
                let unit = widths[n] * block
                var runs: [Range<Int>] = []
                for i in written[n] {
                    if let last = runs.last, last.upperBound == i { runs[runs.count - 1] = last.lowerBound..<(i + 1) } else { runs.append(i..<(i + 1)) }
                }
                let ok = runs.allSatisfy { run in cache.write(names[n], width: unit, firstEntry: blocks.lowerBound + run.lowerBound, data[n][(run.lowerBound * unit)..<(run.upperBound * unit)]) }
                if ok { cache.markFilled(names[n], units: written[n].map { blocks.lowerBound + $0 }, unitWords: unit, data: data[n], firstUnit: blocks.lowerBound) }
            }
        }

        // The predictions asked for: the columns as read, cut to the positions asked for (bounds
        // from `predictionBounds` are whole blocks, so usually nothing is cut).
        let offset = Int(positions.lowerBound) - blocks.lowerBound * block, count = Int(last - positions.lowerBound) + 1
        for n in names.indices {
            data[n].removeLast(data[n].count - (offset + count) * widths[n])
            if offset > 0 { data[n].removeFirst(offset * widths[n]) }
        }
        result.first = positions.lowerBound
        result.labels = labels
        result.entries = data.removeFirst()
        result.bits = data
        result.rows = result.entries.withUnsafeBufferPointer { entries in
            (0..<count).filter { k in
                let (time, target) = (Int64(bitPattern: entries[2 * k]), Int64(bitPattern: entries[2 * k + 1]))
                return target >= 0 && time >= since && time < until
            }
        }
        return result
    }
}
