import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// The access log of `lineage serve`: one `access` record for every read, allowed or denied, and
/// every refused write, appended to the store's signed log in batches, at most `interval` seconds
/// after the request (reads are answered at once). Unchecked Sendable: `pending` is touched only
/// under `lock`; the store is written only through the writer worker.
final class AccessLog: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Record] = []
    private let writer: StoreWorker
    private let interval: Double
    private let metrics: ServerMetrics

    init(writer: StoreWorker, interval: Double, metrics: ServerMetrics) {
        self.writer = writer
        self.interval = interval
        self.metrics = metrics
    }

    /// Queues the access record of one request.
    func record(action: String, actor: String, role: String?, token: String?, purpose: String?, request: String?, client: String?,
                outcome: String, status: Int, records: [Digest] = [], query: String? = nil) {
        var event = AccessEvent(action: action, interface: "http")
        (event.role, event.token, event.purpose, event.request, event.client) = (role, token, purpose, request, client)
        (event.outcome, event.status, event.records, event.query) = (outcome, status, records, query)
        // The fields come from the server, not the client, except purpose and request id, which are
        // strings: a record that does not build would be a bug, reported and not silently dropped.
        do {
            let made = try event.record(actor: actor, time: Int64(Date().timeIntervalSince1970 * 1000))
            lock.withLock { pending.append(made) }
        } catch {
            FileHandle.standardError.write(Data("lineage serve: an access record could not be made: \(error)\n".utf8))
        }
    }

    /// Writes what is queued, every `interval` seconds, until cancelled; then writes the rest.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            await flush()
        }
        await flush()
    }

    /// Appends every queued access record as one batch.
    func flush() async {
        let batch = lock.withLock { () -> [Record] in
            defer { pending.removeAll() }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await writer.run { store in
                _ = try store.write(actor: "lineage-serve") { tx in
                    for record in batch { _ = try tx.add(record) }
                }
            }
            metrics.accessRecordsWritten(batch.count)
        } catch {
            FileHandle.standardError.write(Data("lineage serve: \(batch.count) access records could not be written: \(LineageError.wrap(error).message)\n".utf8))
            lock.withLock { pending.insert(contentsOf: batch, at: 0) }
        }
    }
}
