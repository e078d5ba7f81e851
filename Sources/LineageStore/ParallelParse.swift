import Foundation
import LineageCore

/// Parses the stored records of a batch's segments on every core: rebuilding the index and
/// verifying the log are mostly JSON parsing, and segments are independent.
enum ParallelParse {
    /// The first record that could not be read: its position among the records of all the parts.
    struct Failure: Error {
        let position: Int
        let error: RecordError
    }

    /// The position among all the records of `parts` of record `offset` of part `part`.
    private static func position(in parts: [Segment.Part], part: Int, offset: Int) -> Int {
        parts[..<part].reduce(0) { $0 + $1.ranges.count } + offset
    }

    /// Part of a Merkle tree's leaves: one leaf hash (level 0), or the root of a perfect subtree
    /// of 2^level leaves (a whole segment, level 8), appended with `CompactRange.append(subtree:level:)`.
    struct Piece {
        let level: Int
        let hash: [UInt8]
    }

    /// Collects each segment's records and Merkle pieces, or the first failure, from worker
    /// threads. Unchecked Sendable: every access goes through `lock`.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var records: [[Record]]
        private var pieces: [[Piece]]
        private var failure: (segment: Int, offset: Int, error: RecordError)?

        init(count: Int) {
            records = Array(repeating: [], count: count)
            pieces = Array(repeating: [], count: count)
        }

        func set(_ index: Int, _ parsed: [Record], _ hashed: [Piece]) {
            lock.lock()
            defer { lock.unlock() }
            records[index] = parsed
            pieces[index] = hashed
        }

        func fail(_ index: Int, offset: Int, _ error: RecordError) {
            lock.lock()
            defer { lock.unlock() }
            if failure == nil || index < failure!.segment { failure = (index, offset, error) }
        }

        func finish(_ parts: [Segment.Part]) throws(Failure) -> (records: [Record], pieces: [Piece]) {
            if let failure {
                throw Failure(position: position(in: parts, part: failure.segment, offset: failure.offset), error: failure.error)
            }
            return (records.flatMap { $0 }, pieces.flatMap { $0 })
        }
    }

    /// The records of `parts`, in order, read as `verify` must (canonical and valid against their
    /// schema), with their Merkle leaves: each whole segment as the root of its subtree, unless
    /// `leaves` asks for its leaf hashes; throws the first unreadable record.
    static func records(of parts: [Segment.Part], leaves: @Sendable (Segment.Part) -> Bool) throws(Failure) -> (records: [Record], pieces: [Piece]) {
        let results = Results(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let part = parts[i]
            var parsed: [Record] = []
            parsed.reserveCapacity(part.ranges.count)
            for (n, (offset, length)) in part.ranges.enumerated() {
                let bytes = Array(part.bytes[offset..<(offset + length)])
                do throws(RecordError) {
                    parsed.append(try Record(canonicalBytes: bytes))
                } catch {
                    results.fail(i, offset: n, error)
                    return
                }
            }
            let whole = UInt64(part.ranges.count) == Segment.chunkSize && part.firstSeq % Segment.chunkSize == 0 && !leaves(part)
            let pieces = whole ? [Piece(level: Segment.chunkLevel, hash: Merkle.subtreeRoot(of: part.bytes, ranges: part.ranges))]
                : parsed.map { Piece(level: 0, hash: Merkle.leafHash($0.canonicalBytes)) }
            results.set(i, parsed, pieces)
        }
        return try results.finish(parts)
    }

    /// What the index needs of a batch: its records' rows (deployments still to be named: that needs
    /// their model's name), their Merkle leaf hashes, and the records other than predictions with
    /// their positions in the batch (predictions are freed where they were parsed: freeing millions
    /// of small objects would otherwise fall to the thread writing the index).
    struct Parsed {
        var upstream: [(position: Int, record: Record)] = []
        var rows: [IndexRow] = []
        var leaves: [[UInt8]] = []
    }

    /// Parses stored records (as the index needs them) on a background thread, with their index
    /// rows and leaf hashes. Unchecked Sendable: `parsed` is written on that thread only, and read
    /// after `done.wait()`, which orders the write before the read.
    final class Task: @unchecked Sendable {
        private let done = DispatchGroup()
        private var parsed: Result<Parsed, Failure> = .success(Parsed())

        init(_ parts: [Segment.Part], firstSeq: Int64) {
            DispatchQueue.global().async(group: done) { [self] in
                var out = Parsed()
                for (index, part) in parts.enumerated() {
                    for (n, (offset, length)) in part.ranges.enumerated() {
                        let record: Record
                        do throws(RecordError) {
                            record = try Record(storedBytes: Array(part.bytes[offset..<(offset + length)]))
                        } catch {
                            parsed = .failure(Failure(position: position(in: parts, part: index, offset: n), error: error))
                            return
                        }
                        if record.kind != .prediction { out.upstream.append((out.rows.count, record)) }
                        out.rows.append(IndexRow(record, seq: firstSeq + Int64(out.rows.count), name: IndexRow.name(of: record) { _ in nil }))
                        out.leaves.append(Merkle.leafHash(record.canonicalBytes))
                    }
                }
                parsed = .success(out)
            }
        }

        /// The parsed batch, once parsing is done.
        func result() throws(Failure) -> Parsed {
            done.wait()
            return try parsed.get()
        }
    }
}
