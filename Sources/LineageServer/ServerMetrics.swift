import Hummingbird
import Prometheus

/// What `GET /metrics` shows, in the Prometheus text format (swift-prometheus): requests by route,
/// method and status, their latency, records landed, the sizes of the batches they landed in, and
/// access records written. Sendable: the registry and its metrics lock internally, so any request's
/// task may record into them.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    // The metrics' names (descriptors are not Sendable, so each is made where it is used).
    private static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "http", metricName: "requests", unitName: "total",
                                                       helpText: "HTTP requests answered, by route, method and status.") }
    private static var duration: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                       helpText: "Time to answer a request (to its last byte for streamed listings), by route.") }
    private static var landed: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "ingest", metricName: "records_landed", unitName: "total",
                                                     helpText: "Records appended to the log through POST /v1/records.") }
    private static var batchSize: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "ingest", metricName: "batch_size", unitName: "records",
                                                        helpText: "Records per batch landed by POST /v1/records.") }
    private static var rejected: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "ingest", metricName: "lines_rejected", unitName: "total",
                                                       helpText: "Lines of POST /v1/records bodies rejected.") }
    private static var access: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "access_log", metricName: "records_written", unitName: "total",
                                                     helpText: "Access records appended to the log.") }

    private static var monitorValue: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "monitor", metricName: "value",
                                                           helpText: "The value each monitoring rule measured at its last evaluation (docs/monitoring.md), by rule and scope.") }
    private static var monitorFiring: MetricNameDescriptor { MetricNameDescriptor(namespace: "lineage", subsystem: "monitor", metricName: "firing",
                                                            helpText: "1 while a monitoring rule fires, else 0, by rule and scope.") }

    /// One monitoring rule's last evaluation; a rule with no data keeps its last value.
    func monitored(rule: String, scope: String, value: Double?, firing: Bool) {
        let labels = [("rule", rule), ("scope", scope)]
        if let value { registry.makeGauge(descriptor: Self.monitorValue, labels: labels).set(to: value) }
        registry.makeGauge(descriptor: Self.monitorFiring, labels: labels).set(to: firing ? 1.0 : 0.0)
    }

    private static let durationBuckets: [Duration] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { .nanoseconds(Int64($0 * 1e9)) }
    private static let batchBuckets: [Double] = [1, 10, 100, 500, 1000, 2500, 5000, 10000]

    init() {
        // Present from the start (at zero), so a scraper sees every series before the first ingest.
        _ = registry.makeCounter(descriptor: Self.landed, labels: [])
        _ = registry.makeCounter(descriptor: Self.rejected, labels: [])
        _ = registry.makeCounter(descriptor: Self.access, labels: [])
        _ = registry.makeValueHistogram(descriptor: Self.batchSize, labels: [], buckets: Self.batchBuckets)
    }

    /// One answered request; `route` is the path as the API names it (`/v1/records/{ref}`).
    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.durationBuckets).record(duration)
    }

    /// A batch of `records` landed by an ingest request.
    func landed(batch records: Int) {
        registry.makeCounter(descriptor: Self.landed, labels: []).increment(by: Int64(records))
        registry.makeValueHistogram(descriptor: Self.batchSize, labels: [], buckets: Self.batchBuckets).record(Double(records))
    }

    /// Lines of an ingest request that were rejected.
    func rejected(lines: Int) {
        registry.makeCounter(descriptor: Self.rejected, labels: []).increment(by: Int64(lines))
    }

    /// Access records appended.
    func accessRecordsWritten(_ count: Int) {
        registry.makeCounter(descriptor: Self.access, labels: []).increment(by: Int64(count))
    }

    /// The exposition text.
    var text: [UInt8] { registry.emitToBuffer() }
}

/// Times every request and counts it by route, method and status into `ServerMetrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        // Labels take bounded values only, whatever clients send: a route of the API or "unmatched",
        // a standard method or "other" (else each new path or method would add series without end).
        let route = RouteTable.api.route(for: request.uri.path) ?? "unmatched"
        let standard: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]
        let method = standard.contains(request.method.rawValue) ? request.method.rawValue : "other"
        do {
            let response = try await next(request, context)
            metrics.request(route: route, method: method, status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(route: route, method: method, status: Int(status), duration: ContinuousClock.now - started)
            throw error
        }
    }
}
