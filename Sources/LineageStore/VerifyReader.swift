import Foundation
import GitStore
import LineageCore

/// Reads, parses and hashes the records of the log's batches one batch ahead of `verify`'s other
/// checks, on another thread with a repository handle of its own: reading and parsing is most of
/// verifying, and the index checks of one batch then overlap with reading the next.
/// Unchecked Sendable: its state is split between `queue` and the caller (each field says which),
/// and what crosses between them goes through `Reading`.
final class VerifyReader: @unchecked Sendable {
    /// One batch's records, each checked to be canonical and valid, and their Merkle leaves (whole
    /// segments as their subtrees' roots, hashed on the parsing threads).
    struct Batch {
        let records: [Record]
        let pieces: [ParallelParse.Piece]
    }

    /// One batch being read on `queue`. Unchecked Sendable: `result` is written on `queue` and read
    /// after `done.wait()`, which orders the write before the read.
    private final class Reading: @unchecked Sendable {
        let done = DispatchGroup()
        var result: Result<Batch, LineageError>?
    }

    private let chain: [CommitInfo]
    private let path: String
    private let queue = DispatchQueue(label: "lineage.verify-read")
    /// Touched only on `queue`.
    private var repository: Repository?
    /// Touched only on `queue`.
    private var nextFirstSeq: UInt64 = 0
    /// The batch being read ahead; touched only by the caller.
    private var ahead: (number: Int, reading: Reading)?

    /// The number of the chain's first batch in the log.
    private let firstBatch: Int
    /// Every record's leaf hash is wanted (for a consistency proof over all leaves).
    private let allLeaves: Bool
    /// A log size whose root is wanted: the segment it falls inside is given leaf by leaf.
    private let sizeOfInterest: UInt64?

    /// Reads `chain`, whose first batch is batch `firstBatch` of the log and starts at log position
    /// `firstSeq`. `allLeaves`: give every leaf hash, not whole segments' subtrees; `sizeOfInterest`:
    /// the caller needs the tree's root at this size.
    init(chain: [CommitInfo], path: String, firstBatch: Int = 0, firstSeq: UInt64 = 0, allLeaves: Bool = false, sizeOfInterest: UInt64? = nil) {
        self.chain = chain
        self.path = path
        self.firstBatch = firstBatch
        self.allLeaves = allLeaves
        self.sizeOfInterest = sizeOfInterest
        nextFirstSeq = firstSeq
    }

    /// The label verify gives a batch in its messages.
    static func label(_ number: Int, _ commit: CommitInfo) -> String {
        "batch \(number) (commit \(commit.id.hex.prefix(12)))"
    }

    /// Batch `number`'s records (asked for in order, from 0), or the verdict on why they cannot be
    /// read; starts reading the batch after it.
    func batch(_ number: Int) -> Result<Batch, LineageError> {
        let reading = ahead.flatMap { $0.number == number ? $0.reading : nil } ?? start(number)
        ahead = number + 1 < chain.count ? (number + 1, start(number + 1)) : nil
        reading.done.wait()
        return reading.result!
    }

    private func start(_ number: Int) -> Reading {
        let reading = Reading()
        queue.async(group: reading.done) { [self] in reading.result = read(number) }
        return reading
    }

    /// Frees what the caller is done with on the reading thread, between batches.
    func release(_ batch: Batch, _ records: [Record]) {
        queue.async { withExtendedLifetime((batch, records)) {} }
    }

    /// Runs on `queue`, batches in order.
    private func read(_ number: Int) -> Result<Batch, LineageError> {
        let commit = chain[number], label = VerifyReader.label(firstBatch + number, commit), firstSeq = nextFirstSeq
        let parts: [(ObjectID, Segment.Part)]
        do {
            if repository == nil { repository = try Repository.openBare(at: path) }
            let repository = repository!
            parts = try Segment.read(tree: try repository.readTree(commit.tree), firstSeq: firstSeq) { try repository.readBlob($0) }
        } catch let error as Segment.LayoutError {
            return .failure(LineageError(.verdict, "\(label): \(error)"))
        } catch {
            return .failure(LineageError(.verdict, "\(label): its records cannot be read (\(error))"))
        }
        let parsed: (records: [Record], pieces: [ParallelParse.Piece])
        do {
            parsed = try ParallelParse.records(of: parts.map(\.1)) { [allLeaves, sizeOfInterest] part in
                allLeaves || sizeOfInterest.map { $0 > part.firstSeq && $0 < part.firstSeq + UInt64(part.ranges.count) } == true
            }
        } catch {
            return .failure(LineageError(.verdict, "record \(firstSeq + UInt64(error.position)) in \(label) is not a valid canonical record: \(error.error)"))
        }
        nextFirstSeq = firstSeq + UInt64(parsed.records.count)
        return .success(Batch(records: parsed.records, pieces: parsed.pieces))
    }
}
