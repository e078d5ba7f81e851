import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HTTPTypes
import LineageCore
import LineageEngine
import LineageStore

/// `lineage serve`: the engine over HTTP. One process holds the store: writes go through one
/// worker (one batch at a time, as a single `lineage ingest` would), reads through another, each
/// with its own `Store` handle on its own queue. Every route parses the request, calls the engine
/// function the CLI calls, and answers with the same JSON shape (docs/json.md); failures answer
/// `{"error": SENTENCE, "status": N}`.
public struct LineageServer: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 8470
        /// The largest request body accepted (413 beyond).
        public var maxBody = 64 << 20
        /// Records per batch of an ingest request.
        public var batchSize = 5000
        /// The longest an access record waits before it lands.
        public var batchSeconds = 1.0
        /// TLS: the PEM certificate chain and private key files (both, or neither for plain HTTP).
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// Single sign-on: the identity provider whose JWTs are accepted beside API tokens (nil: none).
        public var oidcIssuer: String?
        public var oidcAudience: String?
        public var oidcJWKS: String?
        public var oidcRoleClaim = "lineage_roles"
        /// How often retention runs (`lineage retention apply`), in seconds; 0: never.
        public var retentionSeconds: Double = 86_400
        /// How often, in seconds, to ask the store's witnesses to cosign a checkpoint newer than the
        /// last one they cosigned (`lineage cosign`); 0: never.
        public var cosignSeconds: Double = 60
        /// How often, in seconds, to evaluate the monitoring rules (`lineage monitor`); 0: never.
        public var monitorSeconds: Double = 0
        /// Where to post the alerts continuous monitoring fires and clears (as `lineage monitor
        /// --webhook` does), and whether as Slack messages.
        public var webhook: String?
        public var webhookSlack = false

        public init() {}
    }

    let storePath: String
    let options: Options
    private let writer: StoreWorker
    private let reader: StoreWorkerPool
    private let tokens: TokenFile

    public init(storePath: String, options: Options) {
        self.storePath = storePath
        self.options = options
        writer = StoreWorker(path: storePath, label: "writer")
        // Reads run on as many threads as the machine has cores, each with its own store handle.
        // Each keeps 256 segments (blocks of 256 records, ~16-64 MB) read and checked: the records every
        // trace reaches (deployments, models, runs, data) stay in memory.
        reader = StoreWorkerPool(path: storePath, label: "reader", count: ProcessInfo.processInfo.activeProcessorCount, segmentCache: 256)
        tokens = TokenFile(storePath: storePath)
    }

    /// Who a request comes from: the name records and access records give (`actor`), the role, and
    /// the credential (an API token's name, or `jwt:` and the JWT's session or subject).
    struct Caller: Sendable {
        let name: String
        let role: Role
        let credential: String
    }

    /// A request refused for its credentials, with who it named when that is known.
    struct Denied: Error {
        let error: APIError
        let name: String?
        let role: String?
        let credential: String?
    }

    /// The caller of a request, if its role allows `permission`: 401 without a valid, live API token
    /// or JWT, 403 when its role may not (thrown as `Denied`). An API token is `lin_…`; anything
    /// else is taken as a JWT when the server trusts an identity provider (`--oidc-*`).
    static func authorize(_ request: Request, _ permission: Permission, tokens: TokenFile, oidc: OIDCVerifier?) async throws -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Denied(error: APIError(.unauthorized, "this route needs an API token or a JWT: send Authorization: Bearer TOKEN (make one with `lineage token create`)"),
                         name: nil, role: nil, credential: nil)
        }
        let secret = String(header.dropFirst("Bearer ".count))
        let caller: Caller
        if let oidc, !secret.hasPrefix("lin_") {
            do {
                let identity = try await oidc.identity(for: secret)
                caller = Caller(name: identity.subject, role: identity.role, credential: identity.session)
            } catch let refused as OIDCVerifier.Refusal {
                throw Denied(error: APIError(.unauthorized, refused.message), name: nil, role: nil, credential: nil)
            } catch let forbidden as OIDCVerifier.Forbidden {
                throw Denied(error: APIError(.forbidden, forbidden.message), name: nil, role: nil, credential: nil)
            }
        } else {
            guard let token = try tokens.token(secret: secret) else {
                throw Denied(error: APIError(.unauthorized, "the API token is not one this store issued"), name: nil, role: nil, credential: nil)
            }
            guard !token.revoked else {
                throw Denied(error: APIError(.unauthorized, "the API token \(token.name) was revoked"), name: token.name, role: token.role, credential: token.name)
            }
            if let expires = token.expires, expires <= Int64(Date().timeIntervalSince1970 * 1000) {
                throw Denied(error: APIError(.unauthorized, "the API token \(token.name) expired at \(RecordTime.format(milliseconds: expires))"),
                             name: token.name, role: token.role, credential: token.name)
            }
            guard let role = Role(rawValue: token.role) else {
                throw Denied(error: APIError(.forbidden, "the token \(token.name) has an unknown role \(token.role)"), name: token.name, role: token.role, credential: token.name)
            }
            caller = Caller(name: token.name, role: role, credential: token.name)
        }
        guard caller.role.permissions.contains(permission) else {
            throw Denied(error: APIError(.forbidden, "the role \(caller.role.rawValue) of \(caller.name) may not \(permission.rawValue) (docs/server.md lists what each role may do)"),
                         name: caller.name, role: caller.role.rawValue, credential: caller.credential)
        }
        return caller
    }

    /// Serves until SIGTERM or SIGINT (then stops accepting, finishes the requests in flight, and
    /// returns). `onListening` gets the address bound (the port the system chose, for port 0).
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        // Open both stores first: a bad store is an error before anything listens.
        _ = try await writer.run { $0.origin }
        try await reader.openAll()
        let router = Router(context: ServerContext.self)
        let metrics = ServerMetrics()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: APIErrorMiddleware())
        let access = AccessLog(writer: writer, interval: options.batchSeconds, metrics: metrics)
        let ingest = IngestQueue(writer: writer, batchSize: options.batchSize, metrics: metrics)
        var oidc: OIDCVerifier?
        if let issuer = options.oidcIssuer, let audience = options.oidcAudience, let jwks = options.oidcJWKS {
            oidc = try await OIDCVerifier(.init(issuer: issuer, audience: audience, jwks: jwks, roleClaim: options.oidcRoleClaim))
        }
        routes(router, access: access, ingest: ingest, metrics: metrics, oidc: oidc)
        let scheme = options.tlsCertificate == nil ? "http" : "https"
        let app = Application(
            router: router,
            server: try Self.serverBuilder(options),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "lineage"),
            onServerRunning: { channel in
                onListening(scheme + "://" + (channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"))
            }
        )
        let logging = Task { await access.run() }
        defer { logging.cancel() }
        let retention = Task { await self.runRetention() }
        defer { retention.cancel() }
        let cosigning = Task { await self.runCosigning() }
        defer { cosigning.cancel() }
        let monitoring = Task { await self.runMonitoring(metrics) }
        defer { monitoring.cancel() }
        do {
            try await app.runService()
        } catch {
            await access.flush()
            throw error
        }
        // Stopped (SIGTERM): the access records of the last requests land before the process ends.
        logging.cancel()
        await logging.value
    }

    /// Applies the store's retention rules when the server starts and every `retentionSeconds` after,
    /// until cancelled. A failure is reported on standard error and tried again next time.
    func runRetention() async {
        guard options.retentionSeconds > 0 else { return }
        while !Task.isCancelled {
            do {
                let erased = try await writer.run { store in try store.applyRetention(dryRun: false, actor: "lineage-serve").plan.payloadCount }
                if erased > 0 { FileHandle.standardError.write(Data("lineage-server: retention erased \(erased) payloads\n".utf8)) }
            } catch {
                FileHandle.standardError.write(Data("lineage-server: retention failed: \(error); trying again in \(Int(options.retentionSeconds)) s\n".utf8))
            }
            try? await Task.sleep(for: .seconds(options.retentionSeconds))
        }
    }

    /// While the server runs, every `monitorSeconds`: evaluates the store's monitoring rules as
    /// `lineage monitor` does (alerts and clears land in the log) and sets the `lineage_monitor_*`
    /// gauges. A failure is reported on standard error and tried again next time.
    func runMonitoring(_ metrics: ServerMetrics) async {
        guard options.monitorSeconds > 0 else { return }
        while !Task.isCancelled {
            do {
                let report = try await writer.run { store -> MonitorReport? in
                    let policy = try MonitoringPolicy.load(store: store.path)
                    guard !policy.rules.isEmpty else { return nil }
                    return try store.monitor(policy, now: Int64(Date().timeIntervalSince1970 * 1000), dryRun: false, actor: "lineage-serve")
                }
                for finding in report?.findings ?? [] {
                    metrics.monitored(rule: finding.rule.name, scope: finding.rule.scope, value: finding.value, firing: finding.firing)
                }
                for event in report?.events ?? [] {
                    FileHandle.standardError.write(Data("lineage-server: \(event.objectValue?["text"]?.stringValue ?? "")\n".utf8))
                }
                if let webhook = options.webhook, let events = report?.events, !events.isEmpty {
                    for failure in await AlertWebhook.post(events, to: webhook, slack: options.webhookSlack) {
                        FileHandle.standardError.write(Data("lineage-server: \(failure) (the alert is recorded in the log all the same)\n".utf8))
                    }
                }
            } catch {
                FileHandle.standardError.write(Data("lineage-server: monitoring failed: \(error); trying again in \(Int(options.monitorSeconds)) s\n".utf8))
            }
            try? await Task.sleep(for: .seconds(options.monitorSeconds))
        }
    }

    /// While the server runs, every `cosignSeconds`: when the store lists witnesses and its latest
    /// checkpoint is not cosigned yet, asks them (`WitnessClient.cosign`). A failure is reported on
    /// standard error and tried again next time.
    func runCosigning() async {
        guard options.cosignSeconds > 0 else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(options.cosignSeconds))
            do {
                let due = try await writer.run { store -> Bool in
                    guard !(try store.witnesses()).isEmpty, let size = try store.checkpointView().size else { return false }
                    return store.cosignedSizes().last != size
                }
                guard due else { continue }
                let report = try await WitnessClient.cosign(storePath: storePath)
                for outcome in report.outcomes where outcome.time == nil {
                    FileHandle.standardError.write(Data("lineage-server: witness \(outcome.name) did not cosign the checkpoint of size \(report.size): \(outcome.problem ?? "")\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("lineage-server: cosigning failed: \(error); trying again in \(Int(options.cosignSeconds)) s\n".utf8))
            }
        }
    }

    /// HTTP/1.1, in TLS when a certificate and key are given (read before anything listens, so a bad
    /// file is an error at start, naming it).
    static func serverBuilder(_ options: Options) throws -> HTTPServerBuilder {
        // A connection that sends nothing for 30 s is closed: a slow or stalled client cannot hold one for ever.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(30)))
        guard let certificate = options.tlsCertificate, let key = options.tlsKey else { return http1 }
        let chain: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw LineageError.input("--tls-cert \(certificate) is not a PEM certificate chain lineage can read (\(error)); give the server's certificate, then its intermediates")
        }
        guard !chain.isEmpty else { throw LineageError.input("--tls-cert \(certificate) holds no certificate") }
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw LineageError.input("--tls-key \(key) is not a PEM private key lineage can read (\(error)); give the key of the certificate, unencrypted")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        return try .tls(http1, tlsConfiguration: configuration)
    }

    /// What one read returns: the answer, the records it showed, and the query it ran.
    typealias Read = (response: Response, records: [Digest], query: String?)

    /// The reader's stated purpose, and the client's request id, kept in access records.
    static let purposeHeader = HTTPField.Name("X-Lineage-Purpose")!, requestIDHeader = HTTPField.Name("X-Request-Id")!

    private func routes(_ router: Router<ServerContext>, access: AccessLog, ingest: IngestQueue, metrics: ServerMetrics, oidc: OIDCVerifier?) {
        let reader = self.reader, options = self.options, tokens = self.tokens
        /// Authorizes a request; a denial is logged in the access log (as `action`) and thrown.
        @Sendable func admit(_ request: Request, _ context: ServerContext, _ action: String, _ permission: Permission) async throws -> Caller {
            do {
                return try await Self.authorize(request, permission, tokens: tokens, oidc: oidc)
            } catch let denied as Denied {
                access.record(action: action, actor: denied.name ?? "anonymous", role: denied.role, token: denied.credential,
                              purpose: request.headers[Self.purposeHeader], request: request.headers[Self.requestIDHeader],
                              client: context.client, outcome: "denied", status: Int(denied.error.status.code))
                throw denied.error
            }
        }
        /// Authorizes a read, runs it, and logs it in the access log, allowed or denied.
        @Sendable func logged(_ request: Request, _ context: ServerContext, _ action: String, _ permission: Permission,
                              _ body: @escaping @Sendable () async throws -> Read) async throws -> Response {
            let caller = try await admit(request, context, action, permission)
            func log(status: HTTPResponse.Status, records: [Digest], query: String?) {
                access.record(action: action, actor: caller.name, role: caller.role.rawValue, token: caller.credential,
                              purpose: request.headers[Self.purposeHeader], request: request.headers[Self.requestIDHeader],
                              client: context.client, outcome: "allowed", status: Int(status.code), records: records, query: query)
            }
            do {
                let read = try await body()
                log(status: read.response.status, records: read.records, query: read.query)
                return read.response
            } catch {
                let failed = APIError(error)
                log(status: failed.status, records: [], query: request.uri.query)
                throw failed
            }
        }

        router.get("/healthz") { _, _ in
            let origin = try await reader.run { $0.origin }
            return Response.json(.object(JSONObject([("ok", .bool(true)), ("origin", .string(origin))])))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.text)))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.post("/v1/records") { request, context in
            let caller = try await admit(request, context, "ingest", .ingest)
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: options.maxBody)
            } catch {
                throw APIError(.contentTooLarge, "the request body is larger than \(options.maxBody) bytes; send fewer records per request")
            }
            let bytes = [UInt8](buffer: body)
            guard !bytes.split(separator: 0x0A).allSatisfy(LineReader.isBlank) else {
                throw APIError(.badRequest, "the request body is empty; send NDJSON, one JSON record per line")
            }
            let answer = try await ingest.submit(bytes, actor: caller.name, kinds: caller.role.appendableKinds)
            return Response.json(answer.json, status: answer.rejected == 0 ? .ok : .unprocessableContent)
        }
        router.get("/v1/records/{ref}") { request, context in
            let reference = try context.parameters.require("ref")
            return try await logged(request, context, "show", .read) {
                let (json, id) = try await reader.run { store in
                    let (holder, entry) = try store.resolveInFamily(reference)
                    let description = try holder.describe(entry)
                    return (description.json, description.entry.id)
                }
                return (Response.json(json), [id], nil)
            }
        }
        router.get("/v1/records/{ref}/trace") { request, context in
            let reference = try context.parameters.require("ref")
            return try await logged(request, context, "trace", .read) {
                let (json, ids) = try await reader.run { store in
                    let graph = try store.trace(reference)
                    return (graph.json(payloadStates: store.payloadStates(in: graph)), graph.order)
                }
                return (Response.json(json), ids, nil)
            }
        }
        router.get("/v1/records/{ref}/impact") { request, context in
            let reference = try context.parameters.require("ref")
            return try await logged(request, context, "impact", .read) {
                let (json, ids) = try await reader.run { store in
                    let report = try store.impact(reference)
                    return (report.json, [report.root.id] + report.items.map(\.entry.id) + report.deployments.map(\.entry.id))
                }
                return (Response.json(json), ids, nil)
            }
        }
        router.get("/v1/records/{ref}/proof") { request, context in
            let reference = try context.parameters.require("ref")
            return try await logged(request, context, "prove", .prove) {
                let (json, id) = try await reader.run { store in
                    let (holder, entry) = try store.resolveInFamily(reference)
                    return (try holder.prove(entry).json, entry.id)
                }
                return (Response.json(json), [id], nil)
            }
        }
        router.get("/v1/diff") { request, context in
            try await logged(request, context, "diff", .read) {
                guard let a = request.uri.queryParameters["a"].map(String.init), let b = request.uri.queryParameters["b"].map(String.init), !a.isEmpty, !b.isEmpty else {
                    throw APIError(.badRequest, "give the two models to compare as ?a=model:fraud@1&b=model:fraud@2")
                }
                return (Response.json(try await reader.run { store in try store.diff(a, b).json }), [], request.uri.query)
            }
        }
        router.get("/v1/query") { request, context in
            try await logged(request, context, "query", .read) {
                let filter = try Self.filter(request.uri.queryParameters)
                let format = request.uri.queryParameters["format"] ?? "ndjson"
                guard format == "ndjson" || format == "csv" else {
                    throw APIError(.badRequest, "format '\(format)' is not one of ndjson, csv")
                }
                let csv = format == "csv"
                // Bad filters and unknown references answer 4xx before anything is streamed.
                try await reader.run { store in
                    try filter.check()
                    for reference in filter.linkedTo + [filter.model, filter.deployment].compactMap({ $0 }) { _ = try store.resolve(reference) }
                }
                return (Response(status: .ok, headers: [.contentType: csv ? "text/csv" : "application/x-ndjson"],
                                 body: Self.listing(filter, csv: csv, reader: reader)), [], request.uri.query ?? "")
            }
        }
        // The log as C2SP tlog-tiles, for mirrors and verifiers built for transparency logs.
        router.get("/tiles/**") { request, context in
            let path = String(request.uri.path.dropFirst("/tiles/".count))
            return try await logged(request, context, "tiles", .prove) {
                guard let bytes = try await reader.run({ try $0.tile(path) }) else {
                    throw APIError(.notFound, "no tile \(path) in this log: a tile path is tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] within the log's size, or checkpoint")
                }
                let fixed = path != "checkpoint"
                let headers: HTTPFields = [.contentType: fixed ? "application/octet-stream" : "text/plain; charset=utf-8",
                                           .cacheControl: fixed ? "public, max-age=31536000, immutable" : "no-store"]
                return (Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes))), [], path)
            }
        }
        // A batch's payload pack, for a copy of the store (`lineage pull --payloads`): raw payloads, replica or admin.
        router.get("/v1/payloads/packs/{commit}") { request, context in
            let commit = context.parameters.get("commit") ?? ""
            return try await logged(request, context, "payload", .payloads) {
                guard let bytes = try await reader.run({ try $0.payloadPack(batch: commit) }) else {
                    throw APIError(.notFound, "batch \(commit.prefix(12)) holds no payload")
                }
                return (Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "no-store"],
                                 body: .init(byteBuffer: ByteBuffer(bytes: bytes))), [], commit)
            }
        }
        router.get("/v1/checkpoint") { request, context in
            try await logged(request, context, "checkpoint", .read) { (Response.json(try await reader.run { try $0.checkpointView().json }), [], nil) }
        }
        router.get("/v1/key") { request, context in
            try await logged(request, context, "key", .read) { (Response.json(try await reader.run { try $0.keyView().json }), [], nil) }
        }
        router.get("/v1/verify") { request, context in
            try await logged(request, context, "verify", .admin) {
                (Response.json(try await reader.run { store in try store.verify().json(origin: store.origin) }), [], nil)
            }
        }
    }

    /// A listing streamed: the reader produces 64 KB chunks into a bounded channel that the
    /// response writer drains, so a listing of any size is sent in bounded memory.
    static func listing(_ filter: ListingFilter, csv: Bool, reader: StoreWorkerPool) -> ResponseBody {
        ResponseBody { writer in
            let channel = ChunkChannel()
            async let listed: Void = reader.run { store in
                defer { channel.finish() }
                var chunk = csv ? Array((ListedRecord.csvHeader.joined(separator: ",") + "\n").utf8) : []
                struct Closed: Error {}
                do {
                    try store.list(filter, bodies: true) { listed in
                        chunk += Array(((csv ? listed.csvRow : listed.json?.canonicalString ?? "") + "\n").utf8)
                        if chunk.count >= 1 << 16 {
                            guard channel.send(chunk) else { throw Closed() }
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                } catch is Closed {
                    return
                }
                if !chunk.isEmpty { _ = channel.send(chunk) }
            }
            do {
                while let chunk = await channel.next() { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            } catch {
                channel.close()
                try? await listed
                throw error
            }
            try await listed
        }
    }

    /// A listing filter from query parameters named as `lineage query`'s options.
    static func filter(_ parameters: FlatDictionary<Substring, Substring>) throws -> ListingFilter {
        for (name, value) in parameters where value.isEmpty {
            throw APIError(.badRequest, "the query parameter \(name) is empty; give it a value or leave it out")
        }
        func value(_ name: String) -> String? { parameters[Substring(name)].map(String.init) }
        func values(_ name: String) -> [String] { parameters[values: Substring(name)].map(String.init) }
        var filter = ListingFilter()
        if let kind = value("kind") {
            guard let parsed = RecordKind(rawValue: kind) else {
                throw APIError(.badRequest, "unknown kind '\(kind)': use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.kind = parsed
        }
        filter.name = value("name")
        filter.model = value("model")
        filter.deployment = value("deployment")
        filter.actor = value("actor")
        filter.linkedTo = values("linkedTo")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (name, keyPath) in [("since", \ListingFilter.since), ("until", \ListingFilter.until)] {
            guard let text = value(name) else { continue }
            guard let time = RecordTime.parseUserTime(text, now: now) else {
                throw APIError(.badRequest, "\(name) '\(text)' is not a duration or time: use 90d, 12h, 2026-11-01 or 2026-11-01T12:00:00Z")
            }
            filter[keyPath: keyPath] = time
        }
        if let limit = value("limit") {
            guard let n = Int(limit), n >= 1 else { throw APIError(.badRequest, "limit must be a whole number, at least 1, not '\(limit)'") }
            filter.limit = n
        }
        for condition in values("where") {
            guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
                throw APIError(.badRequest, "where '\(condition)' is not FIELD=VALUE")
            }
            filter.conditions.append((String(condition[..<equals]), String(condition[condition.index(after: equals)...])))
        }
        return filter
    }
}
