import Foundation

/// Hands chunks of a response from a store worker's thread to the task writing them to the client,
/// holding at most `capacity` chunks: the producer blocks while the client is slow, so a listing of
/// any size is sent in bounded memory. Closing it (the client went away, or the writer failed)
/// makes the producer's next `send` return false, so its worker is freed.
/// Unchecked Sendable: all state is touched under `lock`.
final class ChunkChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var finished = false
    private var closed = false
    private var waiting: CheckedContinuation<[UInt8]?, Never>?
    private let space: DispatchSemaphore

    init(capacity: Int = 8) {
        space = DispatchSemaphore(value: capacity)
    }

    /// Called on the producer's thread: waits for room, then queues `chunk`. False once closed.
    func send(_ chunk: [UInt8]) -> Bool {
        space.wait()
        lock.lock()
        guard !closed else {
            lock.unlock()
            space.signal()
            return false
        }
        if let waiting {
            self.waiting = nil
            lock.unlock()
            space.signal()
            waiting.resume(returning: chunk)
            return true
        }
        chunks.append(chunk)
        lock.unlock()
        return true
    }

    /// The producer has no more.
    func finish() {
        lock.lock()
        finished = true
        let waiting = self.waiting
        self.waiting = nil
        lock.unlock()
        waiting?.resume(returning: nil)
    }

    /// The consumer stops taking chunks: a blocked or later `send` returns false.
    func close() {
        lock.lock()
        closed = true
        chunks.removeAll()
        lock.unlock()
        space.signal()
    }

    /// The next chunk, or nil when the producer finished.
    func next() async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            lock.lock()
            if !chunks.isEmpty {
                let chunk = chunks.removeFirst()
                lock.unlock()
                space.signal()
                continuation.resume(returning: chunk)
            } else if finished || closed {
                lock.unlock()
                continuation.resume(returning: nil)
            } else {
                waiting = continuation
                lock.unlock()
            }
        }
    }
}
