import LineageCore

/// A segment: the canonical bytes of one batch's records, each followed by a newline, stored as
/// one git blob. Canonical JSON never contains a raw newline, so lines are records.
enum Segment {
    /// The name of the segment blob in a batch commit's tree.
    static let fileName = "records.ndjson"

    /// Encodes records; returns the bytes and each record's (offset, length).
    static func encode(_ records: [Record]) -> ([UInt8], [(Int, Int)]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.reduce(0) { $0 + $1.canonicalBytes.count + 1 })
        var ranges: [(Int, Int)] = []
        for record in records {
            ranges.append((bytes.count, record.canonicalBytes.count))
            bytes.append(contentsOf: record.canonicalBytes)
            bytes.append(0x0A)
        }
        return (bytes, ranges)
    }

    /// Splits a segment into its records' byte ranges.
    static func ranges(of bytes: [UInt8]) -> [(Int, Int)] {
        var ranges: [(Int, Int)] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            ranges.append((start, i - start))
            start = i + 1
        }
        if start < bytes.count { ranges.append((start, bytes.count - start)) }
        return ranges
    }
}
