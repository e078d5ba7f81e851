import ArgumentParser
import Foundation
import LineageCore
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
                never held in memory.
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
            let kinds = kind.flatMap(RecordKind.init(rawValue:)).map { [$0] } ?? RecordKind.allCases
            for condition in conditions {
                guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
                    throw ValidationError("--where '\(condition)' is not FIELD=VALUE")
                }
                let field = String(condition[..<equals])
                guard kinds.contains(where: { RecordSchema.of($0).field(field) != nil }) else {
                    throw ValidationError("--where filters on an unknown field '\(field)'" + (kind.map { " for \($0) records" } ?? "") + "; see docs/records.md")
                }
            }
        }

        func run() throws {
            let store = try storeOptions.open()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var query = RecordQuery()
            query.kind = kind.flatMap(RecordKind.init(rawValue:))
            query.name = name
            query.since = since.flatMap { RecordTime.parseUserTime($0, now: now) }
            query.until = until.flatMap { RecordTime.parseUserTime($0, now: now) }
            query.linkedTo = try (linkedTo + (deployment.map { [$0] } ?? [])).map { try store.resolve($0).seq }
            if let model {
                let entry = try store.resolve(model)
                guard entry.kind == .model else { throw LineageError.input("--model \(Names.printable(model)) is a \(entry.kind), not a model") }
                // model:NAME without a version means every version of it.
                let unversioned = model.hasPrefix("model:") && !model.contains("@")
                query.servedByModels = try unversioned ? store.index.records(kind: .model, name: entry.name ?? "").map(\.seq).sorted() : [entry.seq]
            }
            let wanted = conditions.map { condition -> (String, String) in
                let equals = condition.firstIndex(of: "=")!
                return (String(condition[..<equals]), String(condition[condition.index(after: equals)...]))
            }
            if csv { print("id,seq,time,kind,ref,actor,record") }
            var printed = 0
            let needsBody = actor != nil || !wanted.isEmpty || output.json || csv
            try store.query(query, readingRecords: needsBody) { entry in
                let record = needsBody ? try store.read(entry) : nil
                if let actor, record?["actor"]?.stringValue != actor { return true }
                for (field, value) in wanted {
                    guard let present = record?[field], (present.stringValue ?? present.canonicalString) == value else { return true }
                }
                print(line(entry, record))
                printed += 1
                return limit.map { printed < $0 } ?? true
            }
        }

        func line(_ entry: IndexedRecord, _ record: Record?) -> String {
            if output.json, let record { return RecordLabel.jsonLine(entry, record) }
            if csv, let record {
                let fields = [entry.id.description, String(entry.seq), RecordTime.format(milliseconds: entry.timeMilliseconds),
                              entry.kind.rawValue, RecordLabel.reference(entry),
                              record["actor"]?.stringValue ?? "", JSONValue.object(record.object).canonicalString]
                return fields.map(Self.csvField).joined(separator: ",")
            }
            return RecordLabel.row(entry)
        }

        /// RFC 4180 quoting.
        static func csvField(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
