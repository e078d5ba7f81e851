import Foundation
import Testing

/// `lineage monitor` on synthetic streams with a known shift: the right rules fire with the right
/// values (PSI and KS checked against numpy and scipy on the same data); the same streams without
/// the shift fire nothing.
@Suite("monitoring and alerts")
struct MonitoringTests {
    /// A deterministic stream of numbers in [0, 1) (a 64-bit LCG), so both runs and Python see the same data.
    struct Numbers {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        /// Roughly normal around `mean` (the sum of four uniforms).
        mutating func around(_ mean: Double, _ spread: Double) -> Double {
            mean + spread * ((next() + next() + next() + next()) / 2 - 1)
        }
    }

    static let policy = """
        monitoring:
          - {name: score-psi, type: output-drift, deployment: m/prod, field: score, metric: psi}
          - {name: score-ks, type: output-drift, deployment: m/prod, field: score, metric: ks}
          - {name: score-named, type: output-drift, deployment: m/prod, field: score, reference: 2026-11-01T00:00:00Z/2026-11-08T00:00:00Z}
          - {name: label-shares, type: output-drift, model: m, field: label}
          - {name: amount-drift, type: feature-drift, field: amount, metric: ks}
          - {name: volume, type: volume, deployment: m/prod}
          - {name: caller-volume, type: volume, by: caller}
          - {name: governance, type: governance}
          - {name: oversight, type: override-rate}
          - {name: four-fifths, type: fairness, group: country, field: label, favourable: ok}
          - {name: accuracy, type: performance, metric: accuracy, threshold: 0.8}
          - {name: accuracy-drop, type: performance, metric: accuracy, drop: 0.1}
          - {name: auc, type: performance, metric: auc, positive: fraud, score: score, threshold: 0.3}
        """

    /// A store whose model m was deployed (and approved) on 2026-11-01, with a reference week of 210
    /// predictions, 40 a day from the 11th to the 18th, and on the 19th either the same again
    /// (`shifted` false) or 400 predictions with higher scores, more "fraud" labels and larger
    /// amounts, the last 20 after the deployment was retired. Returns the workspace and the scores
    /// of the reference week and of the 19th.
    static func store(shifted: Bool) throws -> (Workspace, reference: [Double], current: [Double]) {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/monitor")
        try w.write("model.bin", "weights\n")
        try w.ok("record", "model", "--name", "m", "--file", "model.bin", "--time", "2026-11-01T00:00:00.000Z")
        try w.ok("record", "approval", "--model", "model:m@1", "--approver", "carol", "--purpose", "production", "--time", "2026-11-01T00:00:00.000Z")
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod", "--time", "2026-11-01T00:00:00.000Z")
        var numbers = Numbers(state: 42), lines: [String] = [], reference: [Double] = [], current: [Double] = []
        var n = 0
        func add(day: Int, hour: Double, score: Double, amount: Double, caller: String = "svc-a") -> Double {
            // Half the customers are in FR; after the shift, their scores run higher than DE's.
            let country = n % 2 == 0 ? "DE" : "FR"
            let rounded = ((score + (shifted && day == 19 && country == "FR" ? 0.25 : 0)) * 1000).rounded() / 1000
            let time = String(format: "2026-11-%02dT%02d:%02d:00.000Z", day, Int(hour), Int((hour - hour.rounded(.down)) * 60))
            lines.append("{\"predictionId\":\"p\(n)\",\"caller\":\"\(caller)\",\"deployment\":\"deployment:m/prod\",\"time\":\"\(time)\",\"output\":{\"score\":\(rounded),\"label\":\"\(rounded > 0.5 ? "fraud" : "ok")\"},\"monitored\":{\"amount\":\(Int(amount)),\"country\":\"\(country)\"}}")
            n += 1
            return rounded
        }
        for i in 0..<210 { reference.append(add(day: 1 + i / 30, hour: Double(i % 30) * 0.75, score: numbers.around(0.3, 0.15), amount: numbers.around(100, 60))) }
        for day in 11...18 { for i in 0..<40 { _ = add(day: day, hour: Double(i) * 0.5, score: numbers.around(0.3, 0.15), amount: numbers.around(100, 60)) } }
        let today = shifted ? 400 : 40
        for i in 0..<today {
            let hour = Double(i) * 23.0 / Double(today)
            current.append(add(day: 19, hour: hour, score: shifted ? numbers.around(0.55, 0.15) : numbers.around(0.3, 0.15),
                               amount: shifted ? numbers.around(180, 60) : numbers.around(100, 60), caller: shifted && i >= today - 100 ? "batch-job" : "svc-a"))
            if shifted, i == today - 21 {
                try w.write("p.ndjson", lines.joined(separator: "\n") + "\n")
                try w.ok("ingest", "p.ndjson", "-q")
                lines = []
                try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod", "--action", "retire", "--time", "2026-11-19T20:00:00.000Z")
            }
        }
        try w.write("p.ndjson", lines.joined(separator: "\n") + "\n")
        try w.ok("ingest", "p.ndjson", "-q")
        // Reviewers look at the day's last 20 predictions: they correct the label of 8 after the shift, of 1 before.
        for i in 0..<20 {
            let overridden = i < (shifted ? 8 : 1)
            let label = current[current.count - 1 - i] > 0.5 ? "fraud" : "ok"
            try w.ok(["record", "review", "--prediction", "p\(n - 1 - i)", "--reviewer", "dave", "--decision", overridden ? "override" : "confirm",
                      "--time", "2026-11-19T23:30:00.000Z"] + (overridden ? ["--output", "{\"label\":\"\(label == "ok" ? "fraud" : "ok")\"}"] : []))
        }
        // And ten of the reference week's, all confirmed: the reference a performance drop is measured against.
        for i in 0..<10 {
            try w.ok("record", "review", "--prediction", "p\(i)", "--reviewer", "dave", "--decision", "confirm", "--time", "2026-11-07T12:00:00.000Z")
        }
        try w.write(".lineage/policy.yaml", policy)
        return (w, reference, current)
    }

    /// A webhook on a free loopback port (Python's http.server): appends each POST's body, one a
    /// line, to `file` and answers 200. Stop it with `kill(pid, SIGKILL)`.
    static func webhook(_ w: Workspace, file: String) throws -> (url: String, process: Process) {
        try w.write("hook.py", """
            import http.server, sys
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                    with open(sys.argv[1], "ab") as f: f.write(body + b"\\n")
                    self.send_response(200); self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", w.path + "/hook.py", w.path + "/" + file]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        return ("http://127.0.0.1:\(port)/hook", process)
    }

    static func findings(_ output: String) throws -> [String: [String: Any]] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let list = try #require(report["findings"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["rule"] as! String, $0) })
    }

    @Test("a shifted stream fires drift, volume and governance with the right values; the alerts are records, not repeated, acknowledged and cleared")
    func shifted() throws {
        let (w, reference, current) = try MonitoringTests.store(shifted: true)
        let head = try w.logHead()
        let dry = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--dry-run", "--json"))
        #expect(try w.logHead() == head, "a dry run wrote to the log")
        for rule in ["score-psi", "score-ks", "label-shares", "amount-drift", "volume", "governance", "oversight", "four-fifths", "accuracy", "accuracy-drop", "caller-volume"] {
            #expect(dry[rule]?["firing"] as? Bool == true, "\(rule) did not fire: \(dry[rule] ?? [:])")
        }
        // Every prediction served after the retirement at 20:00: 20 through the retire record, the rest through the deployment before it.
        let afterRetirement = (0..<400).filter { Double($0) * 23.0 / 400 >= 20 }.count
        #expect(dry["governance"]?["value"] as? Double == Double(afterRetirement), "\(dry["governance"] ?? [:])")
        #expect(dry["score-psi"]?["state"] as? String == "firing")
        #expect(abs((dry["accuracy-drop"]?["value"] as? Double ?? -1) - 0.4) < 1e-12, "\(dry["accuracy-drop"] ?? [:])")
        // A named reference window that is the first week measures what the default does.
        #expect(dry["score-named"]?["value"] as? Double == dry["score-psi"]?["value"] as? Double, "\(dry["score-named"] ?? [:])")
        // --since: every rule over the window from then (or that long back), here half a day: the
        // predictions at 12:00 or later (prediction i of 400 is at i * 23 / 400 hours).
        let half = (0..<400).filter { Double($0) * 23.0 / 400 >= 12 }.count
        for since in ["2026-11-19T12:00:00Z", "12h"] {
            let volume = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--since", since, "--rule", "volume", "--dry-run", "--json"))["volume"]
            #expect((volume?["window"] as? [String: Any])?["from"] as? String == "2026-11-19T12:00:00.000Z" && (volume?["detail"] as? String)?.hasPrefix("\(half) predictions in the window") == true, "\(volume ?? [:])")
        }
        #expect(try w.lineage("monitor", "--at", "2026-11-20T00:00:00Z", "--since", "2026-11-21T00:00:00Z").status == 2)
        #expect(try w.lineage("monitor", "--since", "last tuesday").status == 2)
        // By caller: the batch job that never called before stands out (100 against none: z = 100).
        #expect(dry["caller-volume"]?["value"] as? Double == 100 && (dry["caller-volume"]?["detail"] as? String)?.hasPrefix("caller batch-job: 100 predictions") == true, "\(dry["caller-volume"] ?? [:])")
        // The values come from the column cache the first run filled; the same without it, and with
        // its files cut short (a crash), the stale blocks read again from the log.
        let json = { (finding: [String: Any]) in String(describing: finding["value"] ?? "-") + String(describing: finding["detail"] ?? "-") }
        let cachedRun = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--dry-run", "--json"))
        #expect(cachedRun.mapValues(json) == dry.mapValues(json))
        for file in try FileManager.default.contentsOfDirectory(atPath: w.path + "/.lineage/columns") where file.hasSuffix(".col") {
            try #require(truncate(w.path + "/.lineage/columns/" + file, 300) == 0)
        }
        let cutRun = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--dry-run", "--json"))
        #expect(cutRun.mapValues(json) == dry.mapValues(json), "\(cutRun.mapValues(json).filter { dry.mapValues(json)[$0.key] != $0.value })")
        // A damaged labels list (its first line unreadable) empties its column, read again from the
        // log, instead of renumbering the labels after it.
        var damaged = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: w.path + "/.lineage/columns") where file.hasSuffix(".labels") {
            let handle = try #require(FileHandle(forWritingAtPath: w.path + "/.lineage/columns/" + file))
            handle.write(Data("X".utf8))
            try handle.close()
            damaged += 1
        }
        #expect(damaged > 0)
        #expect(try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--dry-run", "--json")).mapValues(json) == dry.mapValues(json))
        try FileManager.default.removeItem(atPath: w.path + "/.lineage/columns")
        #expect(try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--dry-run", "--json")).mapValues(json) == dry.mapValues(json))
        // PSI and KS against numpy and scipy on the same scores.
        try w.write("scores.json", String(decoding: try JSONSerialization.data(withJSONObject: ["reference": reference, "current": current]), as: UTF8.self))
        let script = """
            import json, numpy as np
            from scipy.stats import ks_2samp
            d = json.load(open("scores.json")); r, c = np.array(d["reference"]), np.array(d["current"])
            edges = np.quantile(r, [i / 10 for i in range(1, 10)])
            share = lambda x: np.maximum(np.bincount(np.searchsorted(edges, x, side="right"), minlength=10) / len(x), 1e-4)
            p, q = share(r), share(c)
            print(float(np.sum((q - p) * np.log(q / p))), float(ks_2samp(r, c).statistic))
            """
        try w.write("check.py", script)
        let python = try w.run("/usr/bin/env", ["python3", "check.py"], in: nil, stdin: nil)
        let expected = python.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(expected.count == 2, "\(python.stdout)\(python.stderr)")
        #expect(abs((dry["score-psi"]?["value"] as? Double ?? -1) - expected[0]) < 1e-9, "PSI \(dry["score-psi"] ?? [:]) against numpy \(expected[0])")
        #expect(abs((dry["score-ks"]?["value"] as? Double ?? -1) - expected[1]) < 1e-9, "KS \(dry["score-ks"] ?? [:]) against scipy \(expected[1])")

        // Recorded: one alert record per rule, in the log; a second run repeats none.
        #expect(dry["accuracy"]?["value"] as? Double == 0.6, "\(dry["accuracy"] ?? [:])")
        // AUC against scikit-learn on the reviewed predictions (scores, and labels as corrected).
        let reviewed = current.suffix(20).reversed().enumerated().map { i, score -> [Any] in
            let label = score > 0.5 ? "fraud" : "ok"
            return [score, (i < 8 ? (label == "ok" ? "fraud" : "ok") : label) == "fraud" ? 1 : 0]
        }
        try w.write("reviewed.json", String(decoding: try JSONSerialization.data(withJSONObject: reviewed), as: UTF8.self))
        try w.write("auc.py", "import json\nfrom sklearn.metrics import roc_auc_score\nd = json.load(open('reviewed.json'))\nprint(roc_auc_score([y for _, y in d], [s for s, _ in d]))\n")
        let sklearn = Double(try w.run("/usr/bin/env", ["python3", "auc.py"], in: nil, stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(sklearn != nil && abs((dry["auc"]?["value"] as? Double ?? -1) - sklearn!) < 1e-12, "AUC \(dry["auc"] ?? [:]) against scikit-learn \(sklearn ?? -1)")
        let firing = dry.values.filter { $0["firing"] as? Bool == true }.count
        // The sink command gets each event; when it fails, the alerts are recorded all the same (exit 4).
        // The webhook gets them too, as Slack messages.
        let (url, hook) = try MonitoringTests.webhook(w, file: "posted.ndjson")
        defer { kill(hook.processIdentifier, SIGKILL) }
        let first = try w.lineage("monitor", "--at", "2026-11-20T00:00:00Z", "--exec", "cat >> events.ndjson; exit 3", "--webhook", url, "--slack")
        #expect(first.status == 4 && first.stdout.contains("FIRED\tscore-psi") && first.stderr.contains("failed for \(firing) of \(firing)"), "\(first.stdout)\(first.stderr)")
        let posted = try String(contentsOfFile: w.path + "/posted.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(posted.count == firing && posted.allSatisfy { $0.hasPrefix("{\"text\":\"lineage alert fired: ") && $0.hasSuffix("\"}") }, "\(posted)")
        let events = try String(contentsOfFile: w.path + "/events.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(events.count == firing && events.allSatisfy { $0.contains("\"event\":\"fired\"") && $0.contains("\"text\":\"lineage alert fired: ") }, "\(events)")
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(try w.ok("alert", "list", "--json").utf8)) as? [[String: Any]])
        #expect(alerts.count == dry.values.filter { $0["firing"] as? Bool == true }.count, "\(alerts)")
        #expect(dry["oversight"]?["value"] as? Double == 0.4, "\(dry["oversight"] ?? [:])")
        let again = try w.lineage("monitor", "--at", "2026-11-20T00:00:00Z", "--fail-on-alert", "--exec", "cat >> events.ndjson")
        #expect(again.status == 1 && again.stdout.contains("OPEN\tscore-psi") && !again.stdout.contains("FIRED"), "\(again.stdout)\(again.stderr)")
        #expect((try JSONSerialization.jsonObject(with: Data(try w.ok("alert", "list", "--json").utf8)) as? [Any])?.count == alerts.count)
        // Acknowledged: a record naming the alert, with who and why.
        let psi = try #require(alerts.first { $0["rule"] as? String == "score-psi" }?["id"] as? String)
        try w.ok("alert", "ack", psi, "--reason", "new merchant mix after the campaign; retraining")
        #expect(try w.ok("alert", "list").contains("acknowledged by alice@example.com"))
        #expect(try w.ok("log", "--kind", "alert").split(separator: "\n").count == alerts.count + 1)
        // A day later with no predictions, drift cannot be measured and stays open; volume clears.
        let later = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-22T00:00:00Z", "--json", "--exec", "cat >> events.ndjson"))
        #expect(try String(contentsOfFile: w.path + "/events.ndjson", encoding: .utf8).split(separator: "\n").filter { $0.contains("\"event\":\"cleared\"") }.count >= 1)
        #expect(later["volume"]?["state"] as? String == "cleared", "\(later["volume"] ?? [:])")
        // The windows before, counted from the column cache's block summaries (the 19th's 400 among them) and the index.
        #expect((later["volume"]?["detail"] as? String)?.contains("averaged 85.7") == true, "\(later["volume"] ?? [:])")
        #expect(later["score-psi"]?["state"] as? String == "no-data")
        #expect(try w.ok("alert", "list", "--all").contains("cleared\tvolume"))
        // Bad input.
        #expect(try w.lineage("monitor", "--rule", "nope").status == 3)
        #expect(try w.lineage("monitor", "--at", "yesterday-ish").status == 2)
        #expect(try w.lineage("alert", "ack", "model:m@1", "--reason", "x").status == 2)
        try w.write(".lineage/policy.yaml", "monitoring:\n  - {name: x, type: drift}\n")
        let bad = try w.lineage("monitor")
        #expect(bad.status == 2 && bad.stderr.contains("needs a type"), "\(bad.stderr)")
        try w.write(".lineage/policy.yaml", "monitoring:\n  - {name: x, type: output-drift, reference: 2026-11-08T00:00:00Z/2026-11-01T00:00:00Z}\n")
        let backwards = try w.lineage("monitor")
        #expect(backwards.status == 2 && backwards.stderr.contains("a named window START/END"), "\(backwards.stderr)")
    }

    @Test("lineage serve evaluates the rules continuously: alerts land in the log, values are Prometheus gauges")
    func served() throws {
        let w = try CrashTests.deployed()
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod", "--action", "retire")
        try w.write("p.ndjson", CrashTests.predictions(0..<3))
        try w.ok("ingest", "p.ndjson")
        try w.write(".lineage/policy.yaml", "monitoring:\n  - {name: governance, type: governance}\n")
        let (url, hook) = try MonitoringTests.webhook(w, file: "posted.ndjson")
        defer { kill(hook.processIdentifier, SIGKILL) }
        #expect(try w.lineage("serve", "--webhook", url).status == 2, "a webhook without --monitor-interval")
        let server = try RunningServer(w, "--monitor-interval", "0.2", "--webhook", url)
        defer { _ = server.stop() }
        var metrics = ""
        for _ in 0..<100 where !metrics.contains("lineage_monitor_firing{rule=\"governance\",scope=\"all\"} 1") {
            usleep(100_000)
            metrics = try server.request(w, "GET", "/metrics").body
        }
        #expect(metrics.contains("lineage_monitor_firing{rule=\"governance\",scope=\"all\"} 1"), "\(metrics.suffix(1500))")
        #expect(metrics.contains("lineage_monitor_value{rule=\"governance\",scope=\"all\"} 3"), "\(metrics.suffix(1500))")
        #expect(try w.ok("alert", "list").contains("governance"))
        let posted = try String(contentsOfFile: w.path + "/posted.ndjson", encoding: .utf8)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(posted.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(event["event"] as? String == "fired" && event["rule"] as? String == "governance" && event["value"] as? Double == 3, "\(posted)")
    }

    @Test("reads per actor and denied attempts, from the server's access records, fire access rules")
    func access() throws {
        let w = try BadInputTests.seeded()
        let reader = try w.ok("token", "create", "--name", "alice", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w)
        server.token = reader
        for _ in 0..<12 { #expect(try server.request(w, "GET", "/v1/records/p-1/proof").status == 403) }
        for _ in 0..<3 { #expect(try server.request(w, "GET", "/v1/records/p-1").status == 200) }
        #expect(server.stop() == 0)
        try w.write(".lineage/policy.yaml", """
            monitoring:
              - {name: denied, type: access, outcome: denied, metric: count, by: actor, threshold: 10}
              - {name: reads, type: access, by: actor}
              - {name: quiet, type: access, by: role, outcome: allowed, metric: count, threshold: 5}
            """)
        let findings = try MonitoringTests.findings(try w.ok("monitor", "--dry-run", "--json"))
        #expect(findings["denied"]?["value"] as? Double == 12 && findings["denied"]?["firing"] as? Bool == true, "\(findings["denied"] ?? [:])")
        #expect(findings["denied"]?["detail"] as? String == "actor alice: 12 denied reads in the window (the most of any actor)")
        #expect(findings["reads"]?["value"] as? Double == 15 && findings["reads"]?["firing"] as? Bool == true, "\(findings["reads"] ?? [:])")
        #expect(findings["quiet"]?["value"] as? Double == 3 && findings["quiet"]?["firing"] as? Bool == false, "\(findings["quiet"] ?? [:])")
        // A webhook that cannot be reached: exit 4 with a sentence; the alerts are recorded all the same.
        let unreachable = try w.lineage("monitor", "--webhook", "http://127.0.0.1:9/hook")
        #expect(unreachable.status == 4 && unreachable.stderr.contains("2 of 2 alert events were not delivered"), "\(unreachable.stderr)")
        #expect(try w.ok("alert", "list").contains("denied"))
        #expect(try w.lineage("monitor", "--webhook", "ftp://example.com/x").status == 2)
        #expect(try w.lineage("monitor", "--slack").status == 2)
        try w.write(".lineage/policy.yaml", "monitoring:\n  - {name: x, type: access, outcome: maybe}\n")
        let bad = try w.lineage("monitor")
        #expect(bad.status == 2 && bad.stderr.contains("outcome is for access rules: allowed or denied"), "\(bad.stderr)")
    }

    @Test("a window whose predictions are scattered through the log (a late backfill) counts every one, with its values")
    func scattered() throws {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/backfill")
        try w.write("model.bin", "weights\n")
        try w.ok("record", "model", "--name", "m", "--file", "model.bin", "--time", "2026-11-01T00:00:00.000Z")
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod", "--time", "2026-11-01T00:00:00.000Z")
        func lines(_ range: Range<Int>, day: Int, caller: String) -> String {
            range.map { "{\"predictionId\":\"p\($0)\",\"caller\":\"\(caller)\",\"deployment\":\"deployment:m/prod\",\"time\":\"2026-11-\(day)T12:00:00.000Z\",\"output\":{\"score\":0.5}}\n" }.joined()
        }
        try w.write("p.ndjson", lines(0..<30, day: 10, caller: "early") + lines(30..<630, day: 11, caller: "live") + lines(630..<700, day: 10, caller: "late"))
        try w.ok("ingest", "p.ndjson", "-q")
        try w.write(".lineage/policy.yaml", """
            monitoring:
              - {name: count, type: volume, metric: count}
              - {name: callers, type: volume, by: caller, metric: count}
            """)
        for _ in 0..<2 {
            let findings = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-11T00:00:00Z", "--dry-run", "--json"))
            #expect(findings["count"]?["value"] as? Double == 100, "\(findings["count"] ?? [:])")
            #expect(findings["callers"]?["detail"] as? String == "caller late: 70 predictions in the window (the most of any caller)", "\(findings["callers"] ?? [:])")
        }
    }

    @Test("the same streams without the shift fire nothing at the default thresholds")
    func stable() throws {
        let (w, _, _) = try MonitoringTests.store(shifted: false)
        let findings = try MonitoringTests.findings(try w.ok("monitor", "--at", "2026-11-20T00:00:00Z", "--json", "--fail-on-alert"))
        for (rule, finding) in findings {
            #expect(finding["firing"] as? Bool == false, "\(rule) fired on a stable stream: \(finding)")
            // (AUC may have no positive to rank before the shift.)
            #expect(finding["value"] is Double || rule == "auc", "\(rule) measured nothing: \(finding)")
        }
        #expect(try w.ok("alert", "list").isEmpty)
    }
}
