import Dispatch
import LineageStore

/// One store, used on one serial queue: a `Store` is used by one thread at a time (see its
/// threading contract), so every call runs on `queue`, and async handlers wait for it.
/// Unchecked Sendable: `store` is touched only on `queue`.
final class StoreWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private var store: Store?
    private let path: String

    init(path: String, label: String) {
        self.path = path
        queue = DispatchQueue(label: "lineage.server." + label)
    }

    /// Runs `body` with the store on the worker's queue (opening it the first time).
    func run<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    if self.store == nil { self.store = try Store.open(at: self.path) }
                    continuation.resume(returning: try body(self.store!))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
