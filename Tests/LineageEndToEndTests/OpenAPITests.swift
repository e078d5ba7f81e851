import Foundation
import Testing

/// docs/openapi.yaml is what the server does: schemathesis (PyPI) tests the running server against the
/// document it serves; wrong methods answer 405 with Allow; /metrics counts what happened.
@Suite("lineage serve: OpenAPI, 405 and metrics", .serialized)
struct OpenAPITests {
    /// A store with model:fraud@1 deployed to prod and prediction pred-1 (the values the schemathesis
    /// configuration names), served, with an admin token.
    static func served() throws -> (Workspace, RunningServer) {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/openapi")
        try w.write("m.bin", "model bytes")
        try w.ok("record", "model", "--name", "fraud", "--file", "m.bin")
        try w.ok("record", "deployment", "--model", "model:fraud@1", "--environment", "prod")
        try w.ok("record", "prediction", "--id", "pred-1", "--deployment", "deployment:fraud/prod", "--input-json", #"{"a":1}"#, "--output", #"{"label":1}"#)
        let server = try RunningServer(w)
        server.token = try w.ok("token", "create", "--name", "ops", "--role", "admin").trimmingCharacters(in: .whitespacesAndNewlines)
        return (w, server)
    }

    @Test("schemathesis finds no failure: every check, every operation, the document the server serves")
    func schemathesis() throws {
        let (w, server) = try Self.served()
        defer { _ = server.stop() }
        let served = try server.request(w, "GET", "/openapi.yaml")
        #expect(served.status == 200)
        #expect(served.body + "\n" == (try String(contentsOfFile: ConventionTests.root + "/docs/openapi.yaml", encoding: .utf8)),
                "the server serves another document than docs/openapi.yaml")
        let directory = ConventionTests.root + "/Tests/schemathesis"
        let saved = w.environment
        defer { w.environment = saved }
        w.environment["LINEAGE_TEST_TOKEN"] = server.token
        w.environment["PYTHONPATH"] = directory
        w.environment["SCHEMATHESIS_HOOKS"] = "hooks"
        let run = try w.run("/usr/bin/env", ["python3", "-m", "schemathesis.cli", "--config-file", directory + "/schemathesis.toml", "run",
                                             server.base + "/openapi.yaml", "--seed", "8812", "--no-color"], in: nil, stdin: nil)
        #expect(run.status == 0, "schemathesis found failures:\n\(run.stdout.suffix(6000))\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("passed"), "\(run.stdout.suffix(2000))")
        // What schemathesis sent changed nothing it was not allowed to: the log still verifies.
        try w.ok("verify")
    }

    @Test("a known path asked with another method answers 405 with Allow and a JSON error; an unknown path 404")
    func methodNotAllowed() throws {
        let (w, server) = try Self.served()
        defer { _ = server.stop() }
        for (method, path, allow) in [("PUT", "/v1/records/pred-1", "GET"), ("DELETE", "/v1/records", "POST"), ("POST", "/v1/query", "GET")] {
            let outcome = try w.run("/usr/bin/env", ["curl", "-s", "-i", "-X", method, server.base + path, "-H", "Authorization: Bearer " + server.token!], in: nil, stdin: nil)
            #expect(outcome.stdout.hasPrefix("HTTP/1.1 405"), "\(method) \(path): \(outcome.stdout)")
            #expect(outcome.stdout.contains("Allow: \(allow)\r\n"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains(#""status" : 405"#) || outcome.stdout.contains(#""status": 405"#), "\(outcome.stdout)")
        }
        #expect(try server.request(w, "GET", "/v1/nothing/here").status == 404)
        #expect(try nonAccessRecords(w) == 3, "a refused method wrote a record")
    }

    @Test("/metrics counts requests by route, method and status, records landed, batch sizes and access records")
    func metrics() throws {
        let (w, server) = try Self.served()
        defer { _ = server.stop() }
        let lines = (0..<7).map { #"{"predictionId":"m-\#($0)","deployment":"deployment:fraud/prod","output":{"label":0}}"# }
        #expect(try server.request(w, "POST", "/v1/records", body: lines.joined(separator: "\n") + "\n").status == 200)
        #expect(try server.request(w, "GET", "/v1/records/pred-1").status == 200)
        #expect(try server.request(w, "GET", "/v1/records/nope").status == 404)
        _ = try server.request(w, "QUERY", "/v1/query")
        // Access records land within the batch interval (a second).
        var text = ""
        for _ in 0..<40 {
            text = try server.request(w, "GET", "/metrics", token: "").body
            if text.contains("lineage_access_log_records_written_total 2") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(text.contains(#"lineage_http_requests_total{route="/v1/records/{ref}",method="GET",status="200"} 1"#), "\(text)")
        #expect(text.contains(#"lineage_http_requests_total{route="/v1/records/{ref}",method="GET",status="404"} 1"#))
        #expect(text.contains(#"lineage_http_requests_total{route="/v1/records",method="POST",status="200"} 1"#))
        #expect(text.contains(#"lineage_http_requests_total{route="/v1/query",method="other",status="405"} 1"#), "an unknown method is counted as other")
        #expect(text.contains("lineage_ingest_records_landed_total 7"))
        #expect(text.contains("lineage_ingest_batch_size_records_count 1") && text.contains("lineage_ingest_batch_size_records_sum 7"))
        #expect(text.contains("lineage_access_log_records_written_total 2"), "\(text)")
        #expect(text.contains(#"lineage_http_request_duration_seconds_bucket{route="/v1/records/{ref}""#))
    }
}

@Suite("lineage serve: group commit", .serialized)
struct GroupCommitTests {
    @Test("concurrent requests land in shared batches, and each is answered for its own lines: landed, duplicates, rejected by its own line numbers")
    func sharedBatches() throws {
        let (w, server) = try OpenAPITests.served()
        defer { _ = server.stop() }
        var grouped = 0
        for round in 0..<3 {
            // Eight requests of 500 lines each, sent at once; request r has a bad line at its line r + 2
            // and repeats the first prediction of request 0, exactly (a duplicate, or the copy that lands).
            for request in 0..<8 {
                var lines = (0..<500).map { #"{"predictionId":"g\#(round)-\#(request)-\#($0)","deployment":"deployment:fraud/prod","output":{"label":0},"time":"2026-12-01T00:00:00Z"}"# }
                lines[request + 1] = #"{"predictionId": 7}"#
                if request > 0 { lines.append(lines[0].replacingOccurrences(of: "g\(round)-\(request)-0", with: "g\(round)-0-0")) }
                try w.write("r\(request).ndjson", lines.joined(separator: "\n") + "\n")
            }
            // xargs -P sends them at once and waits for each (a shell's `wait` may not, in a test process).
            let send = "seq 0 7 | xargs -P 8 -I{} curl -s -o answer-{}.json -H 'Authorization: Bearer \(server.token!)' --data-binary @r{}.ndjson \(server.base)/v1/records"
            #expect(try w.run("/bin/sh", ["-c", send], in: nil, stdin: nil).status == 0)
            for request in 0..<8 {
                let answer = try json(try String(contentsOfFile: w.path + "/answer-\(request).json", encoding: .utf8))
                #expect(answer["rejected"] as? Int == 1, "request \(request): \(answer)")
                #expect(((answer["rejectedLines"] as? [[String: Any]])?.first?["line"] as? Int) == request + 2, "request \(request): \(answer)")
                // Request 0's first line lands once; the others' copies of it are duplicates (or, for
                // the request that lands first in its group, the landed one).
                let records = answer["records"] as? Int ?? -1, duplicates = answer["duplicates"] as? Int ?? -1
                #expect(records + duplicates == (request == 0 ? 499 : 500), "request \(request): \(answer)")
                grouped = max(grouped, answer["groupedRequests"] as? Int ?? 0)
            }
        }
        #expect(grouped > 1, "no two concurrent requests were landed together in three rounds")
        // Every line that was acknowledged as landed is in the store: 3 rounds x (8 x 499 + 1 shared duplicate line).
        #expect(try w.ok("query", "--kind", "prediction", "--csv").split(separator: "\n").count - 1 == 1 + 3 * 8 * 499)
        try w.ok("verify")
    }
}
