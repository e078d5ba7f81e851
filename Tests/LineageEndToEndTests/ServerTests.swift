import Foundation
import Testing

/// A `lineage serve` started on a free loopback port for one test, stopped with SIGTERM.
final class RunningServer {
    let process = Process()
    let base: String
    /// The token requests carry unless told otherwise.
    var token: String?
    /// The CA certificate curl trusts, for a server on HTTPS.
    var certificate: String?
    private let output = Pipe()

    convenience init(_ w: Workspace, _ arguments: String...) throws {
        try self.init(w, command: ["serve", "--listen", "127.0.0.1:0"] + arguments)
    }

    /// Runs `lineage COMMAND…`, a server that prints `… listening on URL` first (`serve`, `witness serve`).
    init(_ w: Workspace, command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Workspace.binary)
        process.arguments = command
        process.currentDirectoryURL = URL(fileURLWithPath: w.path)
        process.environment = w.environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens (the port the system chose).
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on ") else { throw CocoaError(.fileReadCorruptFile) }
        base = text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends a request with curl (with `token` as its bearer token); returns the status and the body.
    func request(_ w: Workspace, _ method: String, _ path: String, body: String? = nil, token: String? = nil,
                 headers: [String] = []) throws -> (status: Int, body: String) {
        var arguments = ["curl", "-s", "-X", method, "-w", "\n%{http_code}", base + path] + headers.flatMap { ["-H", $0] }
        if let certificate { arguments += ["--cacert", certificate] }
        if let token = token ?? self.token { arguments += ["-H", "Authorization: Bearer " + token] }
        if body != nil { arguments += ["--data-binary", "@-", "-H", "Content-Type: application/x-ndjson"] }
        let outcome = try w.run("/usr/bin/env", arguments, in: nil, stdin: body)
        let parts = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
    }

    /// Stops the server as a supervisor would; returns its exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// The records in the store other than access records (which every read through the server adds).
func nonAccessRecords(_ w: Workspace) throws -> Int {
    try w.ok("query", "--csv").split(separator: "\n").dropFirst().filter { !$0.contains(",access,") }.count
}

@Suite("lineage serve: the engine over HTTP", .serialized)
struct ServerTests {
    @Test("ingest, show, trace, query and errors over HTTP answer the CLI's JSON shapes; SIGTERM exits 0")
    func routes() throws {
        let w = try BadInputTests.seeded()
        let server = try RunningServer(w, "--max-body", "4096")
        defer { _ = server.stop() }
        server.token = try w.ok("token", "create", "--name", "ops", "--role", "admin").trimmingCharacters(in: .whitespacesAndNewlines)
        let health = try server.request(w, "GET", "/healthz")
        let healthy = try json(health.body)
        #expect(health.status == 200 && healthy["ok"] as? Bool == true)

        let posted = try server.request(w, "POST", "/v1/records", body: #"{"predictionId":"h-1","model":"model:m","output":{"label":1}}"# + "\n")
        #expect(posted.status == 200, "\(posted.body)")
        let landed = try json(posted.body)
        #expect(landed["records"] as? Int == 1)
        #expect((try json(try w.ok("show", "h-1", "--json"))["record"] as? [String: Any])?["actor"] as? String == "ops")
        #expect(try w.ok("show", "h-1").hasPrefix("prediction h-1"))
        // The same line again is a duplicate; a bad line is rejected by number, and nothing of it lands.
        let before = try nonAccessRecords(w)
        let mixed = try server.request(w, "POST", "/v1/records", body: #"{"predictionId":"h-1","model":"model:m","output":{"label":1}}"# + "\n{\"predictionId\": 5}\n")
        #expect(mixed.status == 422)
        let report = try json(mixed.body)
        #expect(report["duplicates"] as? Int == 1 && report["records"] as? Int == 0)
        #expect(((report["rejectedLines"] as? [[String: Any]])?.first)?["line"] as? Int == 2)
        #expect(try nonAccessRecords(w) == before)

        let shown = try json(try server.request(w, "GET", "/v1/records/h-1").body)
        #expect(shown["ref"] as? String == "h-1" && (shown["record"] as? [String: Any])?["predictionId"] as? String == "h-1")
        let cli = try json(try w.ok("trace", "h-1", "--json"))
        let traced = try json(try server.request(w, "GET", "/v1/records/h-1/trace").body)
        #expect(NSDictionary(dictionary: traced).isEqual(to: cli))
        let query = try server.request(w, "GET", "/v1/query?kind=prediction&model=model:m")
        #expect(query.status == 200 && query.body.split(separator: "\n").count == 2, "\(query.body)")
        let csv = try server.request(w, "GET", "/v1/query?kind=prediction&format=csv&limit=1")
        #expect(csv.body.hasPrefix("id,seq,time,kind,ref,actor,record\n") && csv.body.split(separator: "\n").count == 2)

        for (path, status) in [("/v1/records/nope", 404), ("/v1/query?kind=bogus", 400), ("/v1/query?since=yesterday", 400),
                               ("/v1/diff?a=model:m", 400), ("/no/such/route", 404)] {
            let answer = try server.request(w, "GET", path)
            #expect(answer.status == status, "\(path): \(answer.body)")
            let error = try json(answer.body)
            #expect(error["status"] as? Int == status && error["error"] is String, "\(path)")
        }
        let large = try server.request(w, "POST", "/v1/records", body: String(repeating: "x", count: 5000))
        #expect(large.status == 413, "\(large.body)")
        #expect(try nonAccessRecords(w) == before)
        #expect(server.stop() == 0)
    }

    @Test("a large listing streams; a client that goes away mid-stream does not wedge the server")
    func streaming() throws {
        let w = try BadInputTests.seeded()
        let lines = (0..<5000).map { #"{"predictionId":"s-\#($0)","model":"model:m","output":{"score":\#($0)},"explanation":{"note":"\#(String(repeating: "x", count: 200))"}}"# }
        try w.write("many.ndjson", lines.joined(separator: "\n") + "\n")
        try w.ok("ingest", "many.ndjson")
        let server = try RunningServer(w)
        defer { _ = server.stop() }
        server.token = try w.ok("token", "create", "--name", "reader", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        // Read the first bytes only, and hang up, 20 times (a channel left with chunks in flight once
        // crashed the server by freeing a DispatchSemaphore below its initial count, now and then).
        for _ in 0..<20 {
            let cut = try w.run("/bin/sh", ["-c", "curl -s -H 'Authorization: Bearer \(server.token!)' '\(server.base)/v1/query?kind=prediction' | head -c 1000 | wc -c"], in: nil, stdin: nil)
            #expect(cut.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
        }
        let all = try server.request(w, "GET", "/v1/query?kind=prediction")
        #expect(all.status == 200 && all.body.split(separator: "\n").count == 5001)
        #expect(try server.request(w, "GET", "/v1/query?model=model:nope").status == 404)
        #expect(server.stop() == 0)
    }

    @Test("every route answers 401 without a live token and 403 to a role that may not; tokens are kept as hashes")
    func roles() throws {
        let w = try BadInputTests.seeded()
        var secrets: [String: String] = [:]
        for role in ["ingest", "writer", "reader", "auditor", "admin"] {
            secrets[role] = try w.ok("token", "create", "--name", "t-" + role, "--role", role).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let file = w.path + "/.lineage/keys/tokens.json"
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!secrets.values.contains { stored.contains($0) })
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        secrets["expired"] = try w.ok("token", "create", "--name", "brief", "--role", "admin", "--expires", "1s").trimmingCharacters(in: .whitespacesAndNewlines)
        secrets["revoked"] = try w.ok("token", "create", "--name", "gone", "--role", "admin").trimmingCharacters(in: .whitespacesAndNewlines)
        try w.ok("token", "revoke", "gone")
        #expect(try w.ok("token", "list").contains("gone  admin  revoked"))
        Thread.sleep(forTimeInterval: 1.1)
        let server = try RunningServer(w)
        defer { _ = server.stop() }
        let prediction = #"{"predictionId":"r-1","model":"model:m","output":{"label":1}}"# + "\n"
        let model = #"{"kind":"model","name":"m2","digest":"sha256:"# + String(repeating: "b", count: 64) + "\"}\n"
        // (method, path, body, the roles allowed)
        let routes: [(String, String, String?, Set<String>)] = [
            ("GET", "/v1/records/p-1", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/records/p-1/trace", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/records/p-1/impact", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/records/p-1/proof", nil, ["auditor", "admin"]),
            ("GET", "/v1/query?kind=prediction", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/diff?a=model:m&b=model:m", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/checkpoint", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/key", nil, ["reader", "auditor", "admin"]),
            ("GET", "/v1/verify", nil, ["admin"]),
            ("POST", "/v1/records", prediction, ["ingest", "writer", "admin"]),
        ]
        for (method, path, body, allowed) in routes {
            for (who, secret) in secrets.sorted(by: { $0.key < $1.key }) + [("none", "")] {
                let answer = try server.request(w, method, path, body: body, token: who == "none" ? "" : secret)
                let expected = ["none", "expired", "revoked"].contains(who) ? 401 : allowed.contains(who) ? 200 : 403
                #expect(answer.status == expected, "\(who) \(method) \(path): \(answer.body)")
                if expected != 200 { #expect((try json(answer.body))["status"] as? Int == expected) }
            }
        }
        // The ingest role appends predictions and reviews only.
        let refused = try server.request(w, "POST", "/v1/records", body: model, token: secrets["ingest"])
        #expect(refused.status == 422 && refused.body.contains("may not be appended"), "\(refused.body)")
        #expect(try w.lineage("show", "model:m2").status == 3)
        #expect(try server.request(w, "POST", "/v1/records", body: model, token: secrets["writer"]).status == 200)
        #expect(try server.request(w, "GET", "/healthz", token: "").status == 200)
        // Each of the 72 reads (9 routes by 8 callers) and each of the 5 refused writes is in the access log.
        #expect(server.stop() == 0)
        let logged = try w.ok("query", "--kind", "access", "--csv").split(separator: "\n").count - 1
        #expect(logged == 77, "\(logged) access records")
    }

    @Test("every read, allowed or denied, leaves an access record in the signed log: who, role, what, why, outcome")
    func accessLog() throws {
        let w = try BadInputTests.seeded()
        let reader = try w.ok("token", "create", "--name", "alice", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w)
        server.token = reader
        let shown = try server.request(w, "GET", "/v1/records/p-1", headers: ["X-Lineage-Purpose: dispute 8812", "X-Request-Id: req-7"])
        #expect(shown.status == 200)
        #expect(try server.request(w, "GET", "/v1/records/p-1/proof").status == 403)
        #expect(try server.request(w, "GET", "/v1/query?kind=prediction&limit=1").status == 200)
        #expect(try server.request(w, "GET", "/v1/records/p-1", token: "lin_not-a-token").status == 401)
        #expect(server.stop() == 0) // lands the access records still waiting
        let lines = try w.ok("query", "--kind", "access", "--json").split(separator: "\n").map { try json(String($0)) }
        let records = lines.compactMap { $0["record"] as? [String: Any] }
        #expect(records.count == 4, "\(records)")
        let p1 = try json(try w.ok("show", "p-1", "--json"))["id"] as? String
        let show = try #require(records.first { $0["action"] as? String == "show" && $0["outcome"] as? String == "allowed" })
        #expect(show["actor"] as? String == "alice" && show["role"] as? String == "reader" && show["purpose"] as? String == "dispute 8812")
        #expect(show["request"] as? String == "req-7" && (show["records"] as? [String]) == [p1!] && show["status"] as? Int == 200)
        #expect((show["client"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(show)")
        #expect(records.contains { $0["action"] as? String == "prove" && $0["outcome"] as? String == "denied" && $0["status"] as? Int == 403 && $0["actor"] as? String == "alice" })
        #expect(records.contains { $0["action"] as? String == "query" && ($0["query"] as? String)?.contains("kind=prediction") == true })
        #expect(records.contains { $0["actor"] as? String == "anonymous" && $0["status"] as? Int == 401 })
        #expect(try w.ok("query", "--kind", "access", "--actor", "alice").split(separator: "\n").count == 3)
        #expect(try w.ok("verify").hasPrefix("OK"))
    }

    @Test("kill -9 during concurrent ingest over HTTP: every acknowledged line is in the store; verify and git fsck are clean")
    func killedDuringIngest() throws {
        let w = try BadInputTests.seeded()
        let token = try w.ok("token", "create", "--name", "svc", "--role", "ingest").trimmingCharacters(in: .whitespacesAndNewlines)
        let rounds = Int(ProcessInfo.processInfo.environment["LINEAGE_CRASH_ROUNDS"] ?? "") ?? 20
        var acknowledgedInAll = 0
        for round in 0..<rounds {
            let server = try RunningServer(w)
            // Four clients, each posting bodies of 100 predictions one after another, noting each answer.
            var script = ""
            for client in 0..<4 {
                var bodies: [String] = []
                for body in 0..<40 {
                    let name = "r\(round)-c\(client)-b\(body)"
                    let lines = (0..<100).map { #"{"predictionId":"\#(name)-\#($0)","model":"model:m","output":{"label":1}}"# }
                    try w.write("bodies/\(name).ndjson", lines.joined(separator: "\n") + "\n")
                    bodies.append(name)
                }
                script += "(for b in \(bodies.joined(separator: " ")); do curl -s -o /dev/null -w \"%{http_code} $b\\n\" -H 'Authorization: Bearer \(token)' --data-binary @bodies/$b.ndjson \(server.base)/v1/records >> answers-\(round); done) &\n"
            }
            script += "sleep 0.\(3 + round % 5); kill -9 \(server.process.processIdentifier); wait\n"
            _ = try w.run("/bin/sh", ["-c", script], in: nil, stdin: nil)
            server.process.waitUntilExit()
            let acknowledged = try String(contentsOfFile: w.path + "/answers-\(round)", encoding: .utf8)
                .split(separator: "\n").filter { $0.hasPrefix("200 ") }.map { String($0.dropFirst(4)) }
            let stored = Set(try w.ok("query", "--kind", "prediction", "--csv").split(separator: "\n").compactMap { line in
                line.split(separator: ",").dropFirst(4).first.map(String.init)
            })
            acknowledgedInAll += acknowledged.count
            for body in acknowledged {
                let missing = (0..<100).filter { !stored.contains("\(body)-\($0)") }
                #expect(missing.isEmpty, "round \(round): \(body) was acknowledged but lines \(missing) are not in the store")
            }
        }
        // The kills landed mid-load: some requests were answered, not all.
        #expect(acknowledgedInAll > 0 && acknowledgedInAll < rounds * 160, "\(acknowledgedInAll) of \(rounds * 160) requests acknowledged")
        #expect(try w.ok("verify").hasPrefix("OK"))
        try w.expectFsckClean()
    }

    @Test("with --tls-cert and --tls-key it serves HTTPS (on any address), and plain HTTP to it fails; bad TLS files are refused at start")
    func tls() throws {
        let w = try BadInputTests.seeded()
        let made = try w.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                              "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                                              "-addext", "subjectAltName=IP:127.0.0.1"], in: nil, stdin: nil)
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let server = try RunningServer(w, "--tls-cert", "cert.pem", "--tls-key", "key.pem")
        defer { _ = server.stop() }
        #expect(server.base.hasPrefix("https://127.0.0.1:"))
        server.certificate = w.path + "/cert.pem"
        server.token = try w.ok("token", "create", "--name", "ops", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        let key = try server.request(w, "GET", "/v1/key")
        #expect(key.status == 200, "\(key.body)")
        let plain = try w.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", server.base.replacingOccurrences(of: "https://", with: "http://") + "/healthz"], in: nil, stdin: nil)
        #expect(plain.stdout != "200", "plain HTTP was answered on the HTTPS port")
        let untrusted = try w.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", server.base + "/healthz"], in: nil, stdin: nil)
        #expect(untrusted.status == 60, "curl accepted a certificate it does not trust (exit \(untrusted.status))")
        // A wider address needs no --insecure-listen with TLS; TLS files must be both, readable, and real.
        let swapped = try w.lineage("serve", "--listen", "127.0.0.1:0", "--tls-cert", "key.pem", "--tls-key", "cert.pem")
        #expect(swapped.status == 2 && swapped.stderr.contains("--tls-cert") && swapped.stderr.contains("is not a PEM certificate"), "\(swapped.stderr)")
        let half = try w.lineage("serve", "--tls-cert", "cert.pem")
        #expect(half.status == 2 && half.stderr.contains("give both --tls-cert and --tls-key"))
        let missing = try w.lineage("serve", "--tls-cert", "nope.pem", "--tls-key", "key.pem")
        #expect(missing.status == 2 && missing.stderr.contains("cannot be read"))
    }

    @Test("JWTs from an identity provider (PyJWT plays it): a valid one reads in its role; another key, issuer, audience, an expired or unsigned one is 401, no role 403; all logged")
    func oidc() throws {
        let w = try BadInputTests.seeded()
        let made = try w.run("/usr/bin/env", ["python3", ConventionTests.root + "/Tests/validators/make_jwts.py", w.path, "https://idp.example.com", "lineage"], in: nil, stdin: nil)
        try #require(made.status == 0, "make_jwts.py: \(made.stderr)")
        let tokens = try json(try String(contentsOfFile: w.path + "/tokens.json", encoding: .utf8)) as! [String: String]
        let server = try RunningServer(w, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "lineage", "--oidc-jwks", "jwks.json")
        defer { _ = server.stop() }
        let read = try server.request(w, "GET", "/v1/records/model:m", token: tokens["reader"])
        #expect(read.status == 200, "\(read.body)")
        #expect(try server.request(w, "GET", "/v1/verify", token: tokens["reader"]).status == 403, "a reader may not verify")
        #expect(try server.request(w, "GET", "/v1/records/model:m", token: tokens["readerWithoutKid"]).status == 200, "a JWT without kid")
        #expect(try server.request(w, "GET", "/v1/verify", token: tokens["admin"]).status == 200)
        for (name, status, words) in [("otherKey", 401, "signature"), ("otherIssuer", 401, "issued by"), ("otherAudience", 401, "is for"),
                                      ("expired", 401, "expired"), ("none", 401, "signature"), ("noRole", 403, "no lineage role")] {
            let answer = try server.request(w, "GET", "/v1/records/model:m", token: tokens[name])
            #expect(answer.status == status, "\(name): \(answer.body)")
            #expect(((try json(answer.body))["error"] as? String ?? "").contains(words), "\(name): \(answer.body)")
        }
        // API tokens still work beside JWTs.
        let ops = try w.ok("token", "create", "--name", "ops", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try server.request(w, "GET", "/v1/key", token: ops).status == 200)
        #expect(server.stop() == 0)
        let logged = try w.ok("query", "--kind", "access", "--json").split(separator: "\n").map { try json(String($0))["record"] as! [String: Any] }
        let dana = logged.filter { $0["actor"] as? String == "dana@example.com" }
        #expect(dana.contains { $0["outcome"] as? String == "allowed" && $0["role"] as? String == "reader" && $0["token"] as? String == "jwt:session-1" })
        #expect(dana.contains { $0["outcome"] as? String == "denied" && $0["action"] as? String == "verify" })
        #expect(logged.filter { $0["outcome"] as? String == "denied" && $0["status"] as? Int == 401 }.count >= 5, "refused JWTs are logged")
    }

    @Test("the identity provider's keys by URL (jwks_uri): fetched at start; unreachable or in clear beyond loopback, refused at start")
    func oidcByURL() throws {
        let w = try BadInputTests.seeded()
        let made = try w.run("/usr/bin/env", ["python3", ConventionTests.root + "/Tests/validators/make_jwts.py", w.path, "https://idp.example.com", "lineage"], in: nil, stdin: nil)
        try #require(made.status == 0, "make_jwts.py: \(made.stderr)")
        let tokens = try json(try String(contentsOfFile: w.path + "/tokens.json", encoding: .utf8)) as! [String: String]
        // The provider's jwks_uri, played by Python's http.server on a free loopback port.
        let provider = Process()
        provider.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        provider.arguments = ["python3", "-c", "import http.server,functools,sys; h=functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1]); s=http.server.HTTPServer(('127.0.0.1',0),h); print(s.server_address[1],flush=True); s.serve_forever()", w.path]
        let out = Pipe()
        provider.standardOutput = out
        provider.standardError = FileHandle.nullDevice
        try provider.run()
        // SIGKILL: a child of the test runner may inherit SIGTERM blocked.
        defer { kill(provider.processIdentifier, SIGKILL); provider.waitUntilExit() }
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "lineage",
                                       "--oidc-jwks", "http://127.0.0.1:\(port)/jwks.json")
        defer { _ = server.stop() }
        #expect(try server.request(w, "GET", "/v1/records/model:m", token: tokens["reader"]).status == 200)
        #expect(try server.request(w, "GET", "/v1/records/model:m", token: tokens["otherKey"]).status == 401)
        #expect(server.stop() == 0)
        for (url, words) in [("http://127.0.0.1:\(port)/missing.json", "answered 404"), ("http://127.0.0.1:1/jwks.json", "cannot be fetched"),
                             ("http://idp.example.com/jwks.json", "plain http beyond loopback")] {
            let refused = try w.lineage("serve", "--listen", "127.0.0.1:0", "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "lineage",
                                        "--oidc-jwks", url)
            #expect(refused.status == 2 && refused.stderr.contains(words), "\(url): exit \(refused.status): \(refused.stderr)")
        }
    }

    @Test("the server applies the store's retention rules when it starts (and every --retention-every seconds)")
    func retention() throws {
        let w = try BadInputTests.seeded()
        try w.write("old.ndjson", "{\"predictionId\":\"old-1\",\"model\":\"model:m\",\"input\":{\"name\":\"Jane Roe\"},\"time\":\"2025-01-01T00:00:00Z\"}\n"
                    + "{\"predictionId\":\"new-1\",\"model\":\"model:m\",\"input\":{\"name\":\"John Doe\"}}\n")
        try w.ok("ingest", "old.ndjson")
        let server = try RunningServer(w, "--retention-every", "3600")
        defer { _ = server.stop() }
        var erased = false
        for _ in 0..<100 where !erased {
            erased = try w.ok("show", "old-1").contains("input erased on")
            if !erased { usleep(100_000) }
        }
        #expect(erased, "retention did not run at start")
        #expect(try w.ok("show", "old-1").contains("by lineage-serve: retention period over"))
        #expect(try w.ok("show", "new-1").contains("(payload stored)"))
        #expect(server.stop() == 0)
        let never = try w.lineage("serve", "--retention-every", "-1")
        #expect(never.status == 2 && never.stderr.contains("--retention-every"), "\(never.stderr)")
    }

    @Test("plain HTTP beyond loopback needs --insecure-listen")
    func loopbackOnly() throws {
        let w = try BadInputTests.seeded()
        let refused = try w.lineage("serve", "--listen", "0.0.0.0:0")
        #expect(refused.status == 2 && refused.stderr.contains("--insecure-listen"), "\(refused.stderr)")
    }
}
