import Dispatch
import Foundation
import LineageStore

/// One store, used on one serial queue: a `Store` is used by one thread at a time (see its
/// threading contract), so every call runs on `queue`, and async handlers wait for it.
/// Unchecked Sendable: `store` is touched only on `queue`.
final class StoreWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private var store: Store?
    private let path: String
    private let segmentCache: Int?

    /// `segmentCache`: how many segments the store keeps read and checked (default: the store's).
    init(path: String, label: String, segmentCache: Int? = nil) {
        self.path = path
        self.segmentCache = segmentCache
        queue = DispatchQueue(label: "lineage.server." + label)
    }

    /// Runs `body` with the store on the worker's queue (opening it the first time).
    func run<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    if self.store == nil {
                        let store = try Store.open(at: self.path)
                        if let segments = self.segmentCache { store.segmentCacheCapacity = segments }
                        self.store = store
                    }
                    continuation.resume(returning: try body(self.store!))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// Several workers on one store, each with its own `Store` and queue, taking calls in turn: reads run
/// on as many threads as there are workers. Unchecked Sendable: `next` is touched only under `lock`.
final class StoreWorkerPool: @unchecked Sendable {
    private let workers: [StoreWorker]
    private let lock = NSLock()
    private var next = 0

    init(path: String, label: String, count: Int, segmentCache: Int? = nil) {
        workers = (0..<max(1, count)).map { StoreWorker(path: path, label: "\(label).\($0)", segmentCache: segmentCache) }
    }

    /// Runs `body` on the next worker in turn.
    func run<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        let worker = lock.withLock { () -> StoreWorker in
            defer { next = (next + 1) % workers.count }
            return workers[next]
        }
        return try await worker.run(body)
    }

    /// Opens every worker's store (a bad store is an error before anything listens).
    func openAll() async throws {
        for worker in workers { _ = try await worker.run { $0.origin } }
    }
}
