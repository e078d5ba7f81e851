import Foundation
import LineageCore
import LineageStore

/// Guesses the batches `lineage ingest` will append from a file and has their segments written
/// ahead (`BatchPrewriter`) on the thread that prepares lines, which has time to spare, while the
/// writing thread appends and indexes the batch before.
///
/// The guess: every prepared line lands, in input order, `batchSize` to a batch. Lines that fail
/// are left out when bad lines are skipped; otherwise ingest stops at the first, and so does
/// guessing. A batch with a line whose record needs the store to be built (its links were not
/// resolved yet) is not written ahead, but counted. The writer uses a guessed batch only if it fits
/// exactly (see `Store.write`), and gives up guessing after the first batch that does not land
/// where guessed (duplicates, a batch closed early): each guess after it would be off by as much.
/// Unchecked Sendable: the preparing thread calls `add` and `finish`, the writing thread `take` and
/// `abandon`; the state they share is touched only under its lock.
final class IngestSpeculation: @unchecked Sendable {
    /// Where a batch is expected to land, and its segments if they were written ahead.
    struct Guess {
        let firstSeq: Int64
        let count: Int64
        let prewritten: PrewrittenBatch?

        /// True when `batch` landed where it was expected, with the segments written for it if any
        /// were (a batch of the expected size can still hold other records: a line dropped as a
        /// duplicate of one before it leaves room for the line after the guess).
        func landed(as batch: BatchInfo?) -> Bool {
            guard let batch, batch.firstSeq == firstSeq, batch.count == count else { return false }
            return prewritten?.used ?? true
        }
    }

    private let prewriter: BatchPrewriter
    private let batchSize: Int
    private let skipsBadLines: Bool

    private let lock = NSLock()
    /// Guessed batches by the input line of their last record. Under `lock`.
    private var ready: [Int: Guess] = [:]
    /// Under `lock`.
    private var abandoned = false

    // Touched only by the preparing thread.
    private var nextSeq: Int64
    private var lines = 0
    /// The records of the batch's lines so far, while every one of them has its record.
    private var records: [Record] = []
    private var complete = true
    private var lastLine = 0
    private var stopped = false

    init(prewriter: BatchPrewriter, batchSize: Int, skipsBadLines: Bool) {
        self.prewriter = prewriter
        self.batchSize = batchSize
        self.skipsBadLines = skipsBadLines
        nextSeq = prewriter.logSize
    }

    /// Takes the next prepared line, in input order (preparing thread).
    func add(_ result: Result<IngestLine?, any Error>) {
        guard !stopped else { return }
        switch result {
        case .success(nil):
            return
        case .success(let item?):
            lines += 1
            lastLine = item.line
            if let record = item.record { records.append(record) } else { complete = false }
            if lines == batchSize { guess() }
        case .failure:
            if !skipsBadLines { stop() }
        }
    }

    /// Guesses the last, partial batch at the end of the input (preparing thread).
    func finish() {
        if !stopped && lines > 0 { guess() }
    }

    private func guess() {
        if lock.withLock({ abandoned }) { return stop() }
        let guess = Guess(firstSeq: nextSeq, count: Int64(lines),
                          prewritten: complete ? prewriter.prewrite(records, firstSeq: nextSeq) : nil)
        lock.withLock { ready[lastLine] = guess }
        nextSeq += Int64(lines)
        lines = 0
        complete = true
        records.removeAll(keepingCapacity: true)
    }

    private func stop() {
        stopped = true
        records = []
    }

    /// The guess for the batch whose last record came from input line `line`, if there is one
    /// (writing thread). Guesses for earlier lines are dropped.
    func take(lastLine line: Int) -> Guess? {
        lock.withLock {
            let guess = ready.removeValue(forKey: line)
            ready = ready.filter { $0.key > line }
            return guess
        }
    }

    /// Stops guessing (writing thread).
    func abandon() {
        lock.withLock {
            abandoned = true
            ready = [:]
        }
    }
}
