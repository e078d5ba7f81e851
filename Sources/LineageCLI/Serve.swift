import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage serve`: the store over HTTP.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the store over HTTP: ingest NDJSON, show, trace, query, impact, diff, prove, checkpoint, key, verify.",
            discussion: """
                Routes (JSON shapes as docs/json.md, all of them in /openapi.yaml): GET /healthz, /metrics; \
                POST /v1/records (NDJSON, as lineage ingest); GET /v1/records/REF, /v1/records/REF/trace, /impact, \
                /proof; GET /v1/query; GET /v1/diff?a=&b=; GET /v1/checkpoint, /v1/key, /v1/verify. Every /v1 route \
                needs a token (lineage token create) whose role allows it, and every read is written to the log as \
                an access record. Errors answer {"error", "status"}. With --tls-cert and --tls-key it serves \
                HTTPS on any address; plain HTTP is served on loopback only, unless --insecure-listen (behind a \
                TLS proxy). SIGTERM or SIGINT stops it after the requests in flight. See docs/server.md.
                """
        )

        @Option(help: ArgumentHelp("The address to listen on, HOST:PORT (port 0: any free port, printed).", valueName: "host:port"))
        var listen = "127.0.0.1:8470"

        @Flag(help: "Allow plain HTTP on an address other than loopback (behind a TLS-terminating proxy).")
        var insecureListen = false

        @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
        var tlsCertificate: String?

        @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
        var tlsKey: String?

        @Option(name: .customLong("oidc-issuer"), help: ArgumentHelp("Also accept JWTs from this identity provider (its iss), with --oidc-audience and --oidc-jwks.", valueName: "url"))
        var oidcIssuer: String?

        @Option(name: .customLong("oidc-audience"), help: ArgumentHelp("The audience (aud) a JWT must be for.", valueName: "audience"))
        var oidcAudience: String?

        @Option(name: .customLong("oidc-jwks"), help: ArgumentHelp("The identity provider's keys: its JWKS URL (jwks_uri, https), or the document saved as a file.", valueName: "url-or-file"))
        var oidcJWKS: String?

        @Option(name: .customLong("oidc-role-claim"), help: ArgumentHelp("The JWT claim naming the caller's lineage role (or roles).", valueName: "claim"))
        var oidcRoleClaim = "lineage_roles"

        @Option(name: .customLong("retention-every"), help: ArgumentHelp("How often to erase payloads past their retention rules (docs/privacy.md), in seconds; 0: never.", valueName: "seconds"))
        var retentionEvery = 86_400.0

        @Option(name: .customLong("cosign-every"), help: ArgumentHelp("How often to ask the store's witnesses to cosign a new checkpoint (lineage cosign), in seconds; 0: never.", valueName: "seconds"))
        var cosignEvery = 60.0

        @Option(name: .customLong("monitor-interval"), help: ArgumentHelp("Evaluate the monitoring rules (lineage monitor) this often, in seconds, and export their values as Prometheus gauges; 0: never.", valueName: "seconds"))
        var monitorInterval = 0.0

        @Option(help: ArgumentHelp("With --monitor-interval: POST each alert fired or cleared to this http(s) URL as JSON (with --slack, a Slack message).", valueName: "url"))
        var webhook: String?

        @Flag(help: "Post to --webhook as a Slack incoming-webhook message.")
        var slack = false

        @Option(name: .customLong("batch-seconds"), help: ArgumentHelp("The longest an access record waits before it lands in the log, in seconds.", valueName: "seconds"))
        var batchSeconds = 1.0

        @Option(name: .customLong("max-body"), help: "The largest request body accepted, in bytes.")
        var maxBody = 64 << 20

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard ServerProgram.address(listen) != nil else {
                throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8470)")
            }
            let host = String(listen[..<listen.lastIndex(of: ":")!])
            if (tlsCertificate == nil) != (tlsKey == nil) {
                throw ValidationError("give both --tls-cert and --tls-key, or neither")
            }
            if tlsCertificate == nil, !insecureListen, !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) {
                throw ValidationError("--listen \(listen) is not a loopback address: plain HTTP there would send tokens and records in clear; give --tls-cert and --tls-key, or put a TLS proxy in front and pass --insecure-listen")
            }
            if Set([oidcIssuer == nil, oidcAudience == nil, oidcJWKS == nil]).count != 1 {
                throw ValidationError("give --oidc-issuer, --oidc-audience and --oidc-jwks together, or none of them")
            }
            guard batchSeconds.isFinite, batchSeconds > 0, batchSeconds <= 3600 else {
                throw ValidationError("--batch-seconds must be more than 0 and at most 3600")
            }
            if maxBody < 1 || maxBody > 1 << 30 { throw ValidationError("--max-body must be from 1 to 1073741824") }
            guard retentionEvery.isFinite, retentionEvery >= 0, retentionEvery <= 31_536_000 else {
                throw ValidationError("--retention-every must be from 0 (never) to 31536000 seconds")
            }
            guard cosignEvery.isFinite, cosignEvery >= 0, cosignEvery <= 31_536_000 else {
                throw ValidationError("--cosign-every must be from 0 (never) to 31536000 seconds")
            }
            guard monitorInterval.isFinite, monitorInterval >= 0, monitorInterval <= 31_536_000 else {
                throw ValidationError("--monitor-interval must be from 0 (never) to 31536000 seconds")
            }
            if let webhook, !ServerProgram.isHTTPURL(webhook) { throw ValidationError("--webhook must be an http:// or https:// URL with a host") }
            if webhook != nil, monitorInterval == 0 { throw ValidationError("--webhook posts the alerts of --monitor-interval; give that too") }
            if slack, webhook == nil { throw ValidationError("--slack formats the --webhook posts; give --webhook URL too") }
        }

        func run() throws {
            let jwksFile = oidcJWKS.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? nil : $0 }
            for (flag, file) in [("--tls-cert", tlsCertificate), ("--tls-key", tlsKey), ("--oidc-jwks", jwksFile)] {
                if let file, !FileManager.default.isReadableFile(atPath: file) {
                    throw LineageError.input("\(flag) \(file) cannot be read; check the path")
                }
            }
            let path = try storeOptions.open().path
            let (host, port) = ServerProgram.address(listen)!
            var arguments = ["--store", path, "--host", host, "--port", port,
                             "--max-body", String(maxBody), "--batch-seconds", String(batchSeconds),
                             "--retention-every", String(retentionEvery), "--cosign-every", String(cosignEvery),
                             "--monitor-interval", String(monitorInterval)]
            if let oidcIssuer, let oidcAudience, let oidcJWKS {
                arguments += ["--oidc-issuer", oidcIssuer, "--oidc-audience", oidcAudience, "--oidc-jwks", jwksFile.map { URL(fileURLWithPath: $0).path } ?? oidcJWKS,
                              "--oidc-role-claim", oidcRoleClaim]
            }
            if let webhook { arguments += ["--webhook", webhook, "--webhook-format", slack ? "slack" : "json"] }
            if let tlsCertificate, let tlsKey {
                arguments += ["--tls-cert", URL(fileURLWithPath: tlsCertificate).path, "--tls-key", URL(fileURLWithPath: tlsKey).path]
            }
            try ServerProgram.exec(arguments)
        }
    }
}
