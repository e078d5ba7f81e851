import Foundation

/// Hands chunks of a response from a store worker's thread to the task writing them to the client,
/// holding at most `capacity` chunks: the producer blocks while the client is slow, so a listing of
/// any size is sent in bounded memory. Closing it (the client went away, or the writer failed)
/// makes the producer's next `send` return false, so its worker is freed.
/// Unchecked Sendable: all state is touched under `condition`'s lock. (A condition, not a
/// DispatchSemaphore: libdispatch traps when a semaphore is freed below its initial count, which
/// is what a closed channel with chunks in flight would do.)
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var finished = false
    private var closed = false
    private var waiting: CheckedContinuation<[UInt8]?, Never>?
    private let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// Called on the producer's thread: waits for room, then queues `chunk`. False once closed.
    func send(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        while chunks.count >= capacity && !closed { condition.wait() }
        guard !closed else {
            condition.unlock()
            return false
        }
        if let waiting {
            self.waiting = nil
            condition.unlock()
            waiting.resume(returning: chunk)
            return true
        }
        chunks.append(chunk)
        condition.unlock()
        return true
    }

    /// The producer has no more.
    func finish() {
        condition.lock()
        finished = true
        let waiting = self.waiting
        self.waiting = nil
        condition.unlock()
        waiting?.resume(returning: nil)
    }

    /// The consumer stops taking chunks: a blocked or later `send` returns false.
    func close() {
        condition.lock()
        closed = true
        chunks.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, or nil when the producer finished.
    func next() async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if !chunks.isEmpty {
                let chunk = chunks.removeFirst()
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if finished || closed {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                waiting = continuation
                condition.unlock()
            }
        }
    }
}
