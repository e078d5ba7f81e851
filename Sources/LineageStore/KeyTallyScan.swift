import Foundation
import GitStore

/// Verify's one pass over the index's key tables (`keyTallies`), run on a connection and a thread
/// of its own while verify reads the log, instead of after it.
///
/// Its tallies count only if that connection read the index as verify's own did: the same indexed
/// head and the same batch bounds (`tallies(head:batchStarts:end:)` says nil otherwise, say when a
/// writer landed a batch between the two reads, and verify then tallies on its own connection).
/// Unchecked Sendable: `outcome` is written by the scanning thread before it leaves `done`, and
/// read only after waiting for `done`.
final class KeyTallyScan: @unchecked Sendable {
    private struct Scanned {
        let head: ObjectID?
        let batchStarts: [Int64]
        let end: Int64
        let tallies: (batches: [KeyTally], outside: KeyTally)
    }

    private var outcome: Result<Scanned, any Error>?
    private let done = DispatchGroup()
    /// The scan's connection, used only on its thread once that has started.
    private let own: Result<any RecordIndex, any Error>

    /// Starts tallying the keys of the first `batches` batches that `index` holds.
    init(index: any RecordIndex, batches: Int64) {
        own = Result { try index.anotherConnection() }
        done.enter()
        Thread.detachNewThread { [self] in
            defer { done.leave() }
            outcome = Result { try KeyTallyScan.scan(own.get(), batches: batches) }
        }
    }

    private static func scan(_ own: any RecordIndex, batches: Int64) throws -> Scanned {
        try own.batchReads {
            let head = try own.indexedHead()
            var starts: [Int64] = [], end: Int64 = 0
            for number in 0..<batches {
                guard let batch = try own.batch(number) else { break }
                starts.append(batch.firstSeq)
                end = batch.firstSeq + batch.count
            }
            return Scanned(head: head, batchStarts: starts, end: end, tallies: try own.keyTallies(batchStarts: starts, end: end))
        }
    }

    /// The tallies, once the scan is done, if it read `head` as the indexed head and the batches
    /// starting at `batchStarts` and ending before `end`; nil if it read something else or failed.
    func tallies(head: ObjectID?, batchStarts: [Int64], end: Int64) -> (batches: [KeyTally], outside: KeyTally)? {
        done.wait()
        guard case .success(let scanned)? = outcome, scanned.head == head, scanned.batchStarts == batchStarts,
              scanned.end == end else { return nil }
        return scanned.tallies
    }
}
