import Testing
import LineageCore
@testable import LineageStore

/// Columns read a stretch of positions at a time are joined, whole or compacted to their
/// predictions, without losing or moving a value.
@Suite("prediction columns")
struct PredictionColumnsTests {
    /// Columns of `count` positions from `first`, where the positions in `predictions` are
    /// predictions (time = position × 10, target 7, value = position as a number, or a label for odd ones).
    static func columns(first: Int64, count: Int, predictions: [Int]) -> PredictionColumns {
        var columns = PredictionColumns(paths: 1)
        columns.first = first
        columns.entries = (0..<count).flatMap { k in predictions.contains(k) ? [UInt64(bitPattern: (first + Int64(k)) * 10), 7] : [0, UInt64(bitPattern: -1)] }
        columns.labels = [["odd"]]
        columns.bits = [(0..<count).map { k in
            !predictions.contains(k) ? PredictionColumns.missingBits : (first + Int64(k)) % 2 == 1 ? PredictionColumns.labelMask : Double(first + Int64(k)).bitPattern
        }]
        columns.rows = predictions
        return columns
    }

    static func described(_ columns: PredictionColumns) -> [String] {
        columns.rows.map { row in "\(columns.seq(row)) \(columns.time(row)) \(columns.target(row)) \(columns.value(0, row))" }
    }

    @Test("joining adjacent whole stretches, compacted ones, and a mix, gives the same predictions with the same values")
    func joins() {
        let a = Self.columns(first: 100, count: 8, predictions: [1, 2, 6]), b = Self.columns(first: 108, count: 8, predictions: [0, 5])
        let expected = ["101 1010 7 label(\"odd\")", "102 1020 7 number(102.0)", "106 1060 7 number(106.0)",
                        "108 1080 7 number(108.0)", "113 1130 7 label(\"odd\")"]
        var whole = a
        whole.append(b)
        #expect(Self.described(whole) == expected && whole.seqs == nil)
        var compacted = a
        compacted.compact()
        #expect(Self.described(compacted) == Array(expected.prefix(3)) && compacted.entries.count == 6)
        var mixed = compacted
        mixed.append(b)
        #expect(Self.described(mixed) == expected)
        var gap = a
        gap.append(Self.columns(first: 200, count: 4, predictions: [3]))
        #expect(Self.described(gap) == Array(expected.prefix(3)) + ["203 2030 7 label(\"odd\")"])
        #expect(gap.present(0, gap.rows).numbers == nil && gap.present(0, [1, 2]).numbers == [102, 106])
    }
}
