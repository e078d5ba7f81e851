import Foundation

/// Reads and prepares input lines on another thread, up to `chunksAhead` chunks ahead, so that
/// parsing and validating lines overlaps with admitting and writing batches.
final class IngestPipeline: @unchecked Sendable {
    /// Lines per chunk.
    static let chunkLines = 1024
    /// Prepared chunks held at most: a few batches' worth, so the thread keeps working while a
    /// batch is written.
    static let chunksAhead = 8

    typealias Chunk = [Result<IngestLine?, any Error>]

    private let condition = NSCondition()
    private var ready: [Chunk] = []
    private var finished = false
    private var stopped = false
    private let readLine: () -> LineReader.Line?
    /// Left when the reading thread ends.
    private let running = DispatchGroup()

    /// Prepares the lines `readLine` returns, until it returns nil.
    init(actor: String, references: IngestLine.References, readLine: @escaping () -> LineReader.Line?) {
        self.readLine = readLine
        running.enter()
        Thread.detachNewThread { [self] in
            defer { running.leave() }
            var done = false
            while !done {
                var chunk: Chunk = []
                chunk.reserveCapacity(IngestPipeline.chunkLines)
                while chunk.count < IngestPipeline.chunkLines {
                    guard let line = self.readLine() else {
                        done = true
                        break
                    }
                    chunk.append(Result { try IngestLine.prepare(line, actor: actor, references: references) })
                }
                condition.lock()
                while ready.count >= IngestPipeline.chunksAhead && !stopped { condition.wait() }
                if stopped { done = true }
                if !chunk.isEmpty { ready.append(chunk) }
                if done { finished = true }
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
