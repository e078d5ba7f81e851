import Foundation
import GitStore
import LineageCore

/// A segment: consecutive records of one batch, each record's canonical bytes followed by a
/// newline, stored as one git blob named `records-<log position of its first record>.ndjson`
/// (12 digits). A batch is cut into segments at every multiple of `chunkSize` in log position, so a
/// perfect Merkle subtree of up to `chunkSize` leaves always lies in one small blob, and reading one
/// record inflates at most `chunkSize` records. Canonical JSON never holds a raw newline.
enum Segment {
    /// Records per segment at most; segments start at multiples of it (or at a batch's start).
    static let chunkSize: UInt64 = 256
    /// The height of the perfect Merkle subtree over a whole segment (2^8 = 256 leaves).
    static let chunkLevel = 8

    /// One segment of a batch, as written or read.
    struct Part {
        let firstSeq: UInt64
        let bytes: [UInt8]
        /// Each record's (offset, length) inside `bytes`.
        let ranges: [(Int, Int)]

        var name: String { Segment.name(firstSeq: firstSeq) }
    }

    static func name(firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return "records-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".ndjson"
    }

    /// The log position a segment file name stands for, if the name is one.
    static func firstSeq(ofName name: String) -> UInt64? {
        guard name.hasPrefix("records-"), name.hasSuffix(".ndjson") else { return nil }
        let digits = name.dropFirst("records-".count).dropLast(".ndjson".count)
        guard digits.count == 12, let value = UInt64(digits), name == Segment.name(firstSeq: value) else { return nil }
        return value
    }

    /// Cuts the records of a batch starting at log position `firstSeq` into segments.
    static func encode(_ records: [Record], firstSeq: UInt64) -> [Part] {
        var parts: [Part] = []
        var index = 0
        var seq = firstSeq
        while index < records.count {
            let room = Int(chunkSize - seq % chunkSize)
            let slice = records[index..<min(records.count, index + room)]
            var bytes: [UInt8] = []
            var ranges: [(Int, Int)] = []
            for record in slice {
                ranges.append((bytes.count, record.canonicalBytes.count))
                bytes.append(contentsOf: record.canonicalBytes)
                bytes.append(0x0A)
            }
            parts.append(Part(firstSeq: seq, bytes: bytes, ranges: ranges))
            index += slice.count
            seq += UInt64(slice.count)
        }
        return parts
    }

    /// Splits a segment's bytes into its records' byte ranges (without their newlines).
    static func ranges(of bytes: [UInt8]) -> [(Int, Int)] {
        bytes.withUnsafeBufferPointer { buffer -> [(Int, Int)] in
            guard let base = buffer.baseAddress else { return [] }
            var ranges: [(Int, Int)] = []
            var start = 0
            while start < buffer.count {
                guard let hit = memchr(base + start, 0x0A, buffer.count - start) else {
                    ranges.append((start, buffer.count - start))
                    break
                }
                let end = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                ranges.append((start, end - start))
                start = end + 1
            }
            return ranges
        }
    }

    /// Why a batch's segments are not laid out as `encode` lays them out.
    struct LayoutError: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads the segments of a batch commit's tree, checking names, order and cut points against a
    /// batch that starts at `firstSeq`.
    static func read(tree entries: [TreeEntry], firstSeq: UInt64, blob: (ObjectID) throws -> [UInt8]) throws -> [(ObjectID, Part)] {
        guard !entries.isEmpty else { throw LayoutError(description: "its tree holds no records") }
        var parts: [(ObjectID, Part)] = []
        var expected = firstSeq
        for (i, entry) in entries.enumerated() {
            guard entry.mode == .blob, let seq = Segment.firstSeq(ofName: entry.name) else {
                throw LayoutError(description: "its tree holds \(entry.name), which is not a segment of records")
            }
            guard seq == expected else {
                throw LayoutError(description: "its segment \(entry.name) starts at record \(seq), but the log before it holds \(expected) records: batches were removed, inserted or reordered")
            }
            let bytes = try blob(entry.id)
            let ranges = Segment.ranges(of: bytes)
            guard !ranges.isEmpty, bytes.last == 0x0A else {
                throw LayoutError(description: "its segment \(entry.name) is empty or does not end with a newline")
            }
            let end = seq + UInt64(ranges.count)
            let isLast = i == entries.count - 1
            guard (end - 1) / chunkSize == seq / chunkSize, isLast || end % chunkSize == 0 else {
                throw LayoutError(description: "its segment \(entry.name) is not cut at multiples of \(chunkSize) records")
            }
            parts.append((entry.id, Part(firstSeq: seq, bytes: bytes, ranges: ranges)))
            expected = end
        }
        return parts
    }
}
