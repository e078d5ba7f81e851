import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage monitor`: evaluates the monitoring rules once.
    struct Monitor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "monitor",
            _superCommandName: "lineage",
            abstract: "Evaluate the store's monitoring rules once and record the alerts they raise.",
            discussion: """
                Reads the monitoring rules of .lineage/policy.yaml (output and feature drift by PSI or \
                Kolmogorov-Smirnov, prediction volume, governance of what served, the reviewers' override rate, \
                fairness across a group), evaluates each over its window \
                ending now, prints each finding, and appends an alert record for each rule that starts firing and \
                a clear for each alert whose rule no longer fires. A rule still firing is not alerted again. For \
                cron and CI: --fail-on-alert exits 1 while any rule fires. See docs/monitoring.md.
                """
        )

        @Option(help: ArgumentHelp("Evaluate only this rule.", valueName: "name"))
        var rule: String?

        @Option(help: ArgumentHelp("Evaluate as of this time (RFC 3339; default: now).", valueName: "time"))
        var at: String?

        @Option(help: ArgumentHelp("Evaluate every rule over the window from this time (RFC 3339, or a duration back like 6h or 7d) instead of its own.", valueName: "time"))
        var since: String?

        @Flag(help: "Show the findings; record nothing.")
        var dryRun = false

        @Flag(help: "Exit 1 when any rule fires.")
        var failOnAlert = false

        @Option(name: .customLong("exec"), help: ArgumentHelp("Run this shell command for each alert fired or cleared, with the event as JSON on its standard input (e.g. curl to a webhook; the JSON's text member suits Slack).", valueName: "command"))
        var command: String?

        @Option(help: ArgumentHelp("POST each alert fired or cleared to this http(s) URL as JSON (the event object; with --slack, a Slack message).", valueName: "url"))
        var webhook: String?

        @Flag(help: "Post to --webhook as a Slack incoming-webhook message ({\"text\": …}).")
        var slack = false

        @OptionGroup var options: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let webhook, !ServerProgram.isHTTPURL(webhook) { throw ValidationError("--webhook must be an http:// or https:// URL with a host") }
            if slack, webhook == nil { throw ValidationError("--slack formats the --webhook posts; give --webhook URL too") }
        }

        func run() throws {
            let store = try storeOptions.open()
            let now = try at.map { text in
                guard let time = RecordTime.parseRFC3339(text) else { throw LineageError.input("--at \(Names.printable(text)) is not an RFC 3339 time like 2026-12-05T12:00:00Z") }
                return time
            } ?? Int64(Date().timeIntervalSince1970 * 1000)
            let start = try since.map { text in
                if let duration = RecordTime.duration(text) {
                    guard duration > 0 else { throw LineageError.input("--since \(Names.printable(text)): a duration back must be more than 0, like 6h or 7d") }
                    return now - duration
                }
                guard let time = RecordTime.parseRFC3339(text) else {
                    throw LineageError.input("--since \(Names.printable(text)) is neither an RFC 3339 time like 2026-12-05T12:00:00Z nor a duration like 6h or 7d")
                }
                return time
            }
            let policy = try MonitoringPolicy.load(store: store.path)
            let report = try store.monitor(policy, now: now, since: start, rule: rule, dryRun: dryRun, actor: dryRun ? "" : try options.resolvedActor())
            if options.json {
                print(report.json.prettyString())
            } else {
                for finding in report.findings {
                    let value = finding.value.map { CanonicalNumber.format(($0 * 10_000).rounded() / 10_000) } ?? "-"
                    let state = report.state(of: finding)
                    print("\(state == "ok" || state == "no-data" ? state : state.uppercased())\t\(finding.rule.name)\t\(finding.rule.scope)\tvalue \(value) (threshold \(CanonicalNumber.format(finding.rule.threshold)))\t\(finding.detail)")
                }
            }
            // The sinks: the command for each event, the webhook for all of them.
            var failed = 0
            for event in report.events where command != nil {
                if try ServerProgram.run("/bin/sh", ["-c", command!], input: Data((event.canonicalString + "\n").utf8)).status != 0 { failed += 1 }
            }
            var posted: Int32 = 0
            if let webhook, !report.events.isEmpty {
                // lineage-server posts them and says what failed.
                let lines = report.events.map { $0.canonicalString + "\n" }.joined()
                posted = try ServerProgram.run(["--post-alerts", webhook] + (slack ? ["--slack"] : []), input: Data(lines.utf8)).status
            }
            if failed > 0 {
                throw LineageError.storage("the --exec command failed for \(failed) of \(report.events.count) alert events (the alerts are recorded in the log all the same)")
            }
            if posted != 0 { throw ExitCode(posted) }
            if failOnAlert, report.alerting { throw ExitCode(1) }
        }
    }

    /// `lineage alert`: the alerts in the log, and their review.
    struct AlertCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alert",
            _superCommandName: "lineage",
            abstract: "List the alerts monitoring raised, or acknowledge one (a record: the review is evidence).",
            subcommands: [List.self, Ack.self],
            defaultSubcommand: List.self
        )

        /// `lineage alert list`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", _superCommandName: "lineage alert", abstract: "List open alerts (with --all, cleared ones too).")

            @Flag(help: "Also list alerts that cleared.")
            var all = false
            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let alerts = try storeOptions.open().alerts().filter { all || !$0.cleared }
                if output.json { return print(JSONValue.array(alerts.map(\.json)).prettyString()) }
                for alert in alerts {
                    let acks = alert.acknowledgements.map { "acknowledged by \($0.actor) on \($0.time): \($0.reason)" }.joined(separator: "; ")
                    let value = alert.record["value"]?.numberValue.map { CanonicalNumber.format(($0 * 10_000).rounded() / 10_000) } ?? "?"
                    print([alert.entry.id.short, alert.cleared ? "cleared" : "open", alert.record["rule"]?.stringValue ?? "?",
                           alert.record["scope"]?.stringValue ?? "?", "value \(value)", alert.record["time"]?.stringValue ?? "?", acks]
                        .filter { !$0.isEmpty }.joined(separator: "\t"))
                }
            }
        }

        /// `lineage alert ack`.
        struct Ack: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ack", _superCommandName: "lineage alert", abstract: "Acknowledge an alert, saying why: recorded in the log.")

            @Argument(help: ArgumentHelp("The alert (its id or short id, as `lineage alert list` shows it).", valueName: "alert"))
            var alert: String
            @Option(help: ArgumentHelp("What was found and done.", valueName: "text"))
            var reason: String
            @OptionGroup var options: WriteOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let id = try store.acknowledge(try store.resolve(alert), reason: reason, actor: try options.resolvedActor())
                print("\(id)  acknowledged \(alert)")
            }
        }
    }
}
