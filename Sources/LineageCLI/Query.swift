import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage query`: filtered listings for audits.
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            _superCommandName: "lineage",
            abstract: "List records matching filters, streaming: as a table, NDJSON (--json) or CSV (--csv).",
            discussion: """
                Filters combine with AND: --kind, --name, --model (records linking to the model, or to a \
                deployment of it: "predictions served by model:fraud@3"), --deployment, --linked-to (any \
                record), --actor, --since and --until (90d, 12h, 2026-11-01 or 2026-11-01T12:00:00Z), and \
                --where FIELD=VALUE on the record's own fields. Results stream in log order; the result set is \
                never held in memory. The store's own log comes first, then each other origin's log it pulled \
                (those records marked with their origin; in --json, an "origin" member).
                """
        )

        @Option(help: "Only records of this kind.")
        var kind: String?

        @Option(help: ArgumentHelp("A name: dataset or model name, MODEL/ENV for deployments, the prediction id.", valueName: "name"))
        var name: String?

        @Option(help: ArgumentHelp("The model version, records linking to it or its deployments, and the predictions they served (e.g. model:fraud@3; model:fraud for every version).", valueName: "model"))
        var model: String?

        @Option(help: ArgumentHelp("Records linking to this deployment (e.g. deployment:fraud/prod).", valueName: "deployment"))
        var deployment: String?

        @Option(name: .customLong("linked-to"), help: ArgumentHelp("Records linking to this record (repeatable).", valueName: "ref"))
        var linkedTo: [String] = []

        @Option(help: "Only records by this actor.")
        var actor: String?

        @Option(help: ArgumentHelp("From this time on: 90d, 12h, 2026-11-01 or 2026-11-01T12:00:00Z.", valueName: "when"))
        var since: String?

        @Option(help: ArgumentHelp("Before this time (same forms as --since).", valueName: "when"))
        var until: String?

        @Option(name: .customLong("where"), help: ArgumentHelp("A record field equal to a value, FIELD=VALUE (repeatable).", valueName: "field=value"))
        var conditions: [String] = []

        @Option(name: [.customShort("n"), .long], parsing: .unconditional, help: "At most this many records.")
        var limit: Int?

        @Flag(help: "Print CSV.")
        var csv = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var pager: PagerOptions
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let kind, RecordKind(rawValue: kind) == nil {
                throw ValidationError("unknown kind '\(kind)': use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (flag, value) in [("--since", since), ("--until", until)] {
                if let value, RecordTime.parseUserTime(value, now: Int64(Date().timeIntervalSince1970 * 1000)) == nil {
                    throw ValidationError("\(flag) '\(value)' is not a duration or time: use 90d, 12h, 30m, 2w, 2026-11-01 or 2026-11-01T12:00:00Z")
                }
            }
            if csv && output.json { throw ValidationError("give --json or --csv, not both") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit)") }
            do { try filter(now: 0).check() } catch let error as LineageError { throw ValidationError(error.message) }
        }

        /// The options given, as the access record's `query` (`kind=prediction model=model:fraud@3 …`).
        var described: String {
            var parts: [String] = []
            for (name, value) in [("kind", kind), ("name", name), ("model", model), ("deployment", deployment), ("actor", actor),
                                  ("since", since), ("until", until), ("limit", limit.map(String.init))] {
                if let value { parts.append("\(name)=\(value)") }
            }
            parts += linkedTo.map { "linkedTo=\($0)" } + conditions.map { "where=\($0)" }
            return parts.isEmpty ? "all records" : parts.joined(separator: " ")
        }

        /// The filter the options describe (times relative to `now`).
        func filter(now: Int64) throws -> ListingFilter {
            var filter = ListingFilter()
            filter.kind = kind.flatMap(RecordKind.init(rawValue:))
            filter.name = name
            filter.model = model
            filter.deployment = deployment
            filter.linkedTo = linkedTo
            filter.actor = actor
            filter.since = since.flatMap { RecordTime.parseUserTime($0, now: now) }
            filter.until = until.flatMap { RecordTime.parseUserTime($0, now: now) }
            filter.limit = limit
            for condition in conditions {
                guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
                    throw ValidationError("--where '\(condition)' is not FIELD=VALUE")
                }
                filter.conditions.append((String(condition[..<equals]), String(condition[condition.index(after: equals)...])))
            }
            return filter
        }

        func run() throws {
            let store = try storeOptions.open()
            let filter = try filter(now: Int64(Date().timeIntervalSince1970 * 1000))
            try access.log(store, "query", query: described)
            pager.start()
            if csv { print(ListedRecord.csvHeader.joined(separator: ",")) }
            try store.list(filter, bodies: output.json || csv) { listed in
                if output.json, let json = listed.json { print(json.canonicalString) }
                else if csv { print(listed.csvRow) }
                else { print(RecordLabel.row(listed.entry) + (listed.origin.map { "  [log \($0)]" } ?? "")) }
            }
        }
    }
}
