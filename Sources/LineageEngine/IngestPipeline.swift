import Foundation

/// Reads and prepares input lines on another thread, up to `chunksAhead` chunks ahead, so that
/// parsing and validating lines overlaps with admitting and writing batches.
/// Unchecked Sendable: `ready`, `done`, `finished` and `stopped` are touched only under `condition`;
/// `readLine` is called only on the reading thread, and the caller reads its source again only
/// after `stop` has waited for that thread to end.
final class IngestPipeline: @unchecked Sendable {
    /// Lines per chunk.
    static let chunkLines = 1024
    /// Prepared chunks held at most: a few batches' worth, so the thread keeps working while a
    /// batch is written.
    static let chunksAhead = 8

    typealias Chunk = [Result<IngestLine?, any Error>]

    private let condition = NSCondition()
    private var ready: [Chunk] = []
    /// Chunks and batches the writing thread is done with, freed here: the lines were allocated on
    /// this thread, and glibc frees a block fastest on the thread (arena) that allocated it.
    private var done: [Any] = []
    private var finished = false
    private var stopped = false
    private let readLine: () -> LineReader.Line?
    /// Left when the reading thread ends.
    private let running = DispatchGroup()

    /// Prepares the lines `readLine` returns, until it returns nil, and hands each to `speculation`.
    init(actor: String, references: IngestLine.References, speculation: IngestSpeculation?,
         readLine: @escaping () -> LineReader.Line?) {
        self.readLine = readLine
        running.enter()
        Thread.detachNewThread { [self] in
            defer { running.leave() }
            var ended = false
            while !ended {
                let garbage = condition.withLock { () -> [Any] in
                    defer { done = [] }
                    return done
                }
                withExtendedLifetime(garbage) {}
                var chunk: Chunk = []
                chunk.reserveCapacity(IngestPipeline.chunkLines)
                while chunk.count < IngestPipeline.chunkLines {
                    guard let line = self.readLine() else {
                        ended = true
                        speculation?.finish()
                        break
                    }
                    let result = Result { try IngestLine.prepare(line, actor: actor, references: references) }
                    speculation?.add(result)
                    chunk.append(result)
                }
                condition.lock()
                while ready.count >= IngestPipeline.chunksAhead && !stopped { condition.wait() }
                if stopped { ended = true }
                if !chunk.isEmpty { ready.append(chunk) }
                if ended { finished = true }
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The next chunk of prepared lines, in input order; nil at the end of the input.
    func next() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished { condition.wait() }
        guard !ready.isEmpty else { return nil }
        condition.broadcast()
        return ready.removeFirst()
    }

    /// Hands back what the caller is done with (chunks, batches of lines), to be freed on the
    /// preparing thread; after that thread has ended, it is freed here.
    func recycle(_ garbage: Any) {
        condition.withLock { done.append(garbage) }
    }

    /// Stops the reading thread and waits for it to end (after the chunk it is on), so the input can
    /// be closed safely.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        running.wait()
    }
}
