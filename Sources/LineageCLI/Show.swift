import Foundation
import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage show`: one record in full.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            _superCommandName: "lineage",
            abstract: "Show one record: its fields, its links and what links to it.",
            discussion: "REF is a record id, a unique id prefix, a name such as model:fraud@3 or dataset:train, or a prediction id."
        )

        @Argument(help: ArgumentHelp("The record to show.", valueName: "ref"))
        var reference: String

        @Option(help: ArgumentHelp("For a name without a version: the record of that name as of this time (2026-11-01T12:00:00Z, 2026-11-01, 90d), e.g. which deployment served then.", valueName: "time"))
        var at: String?

        @Flag(help: "Print the exact canonical bytes the id is computed over.")
        var canonical = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var pager: PagerOptions
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let time = try at.map { text -> Int64 in
                guard let time = RecordTime.parseRFC3339(text) ?? RecordTime.parseUserTime(text, now: Int64(Date().timeIntervalSince1970 * 1000)) else {
                    throw LineageError.input("--at \(Names.printable(text)) is not a time: use 2026-11-01T12:00:00Z, 2026-11-01 or a duration back like 90d")
                }
                return time
            }
            let (holder, entry) = try store.resolveInFamily(reference, at: time)
            try access.log(store, "show", records: [entry.id])
            if canonical {
                print(String(decoding: try holder.read(entry).canonicalBytes, as: UTF8.self))
                return
            }
            let description = try holder.describe(entry)
            pager.start()
            if output.json {
                print(description.json.prettyString())
                return
            }
            let record = description.record
            let details = RecordDetails(entry: entry, record: record, payloads: description.payloads)
            print(details.headline)
            print("id: \(entry.id)")
            print("log position: \(entry.seq) (batch \(description.batch))\(holder === store ? "" : " of the log \(holder.origin), pulled")")
            for member in record.object where !["kind", "schemaVersion"].contains(member.key) {
                let state = description.payloads[member.key].map { " (" + RecordDetails.describe($0, field: member.key) + ")" } ?? ""
                print("\(member.key): \(RecordDetails.inline(member.value))\(state)")
            }
            if description.predictions > 0 { print("predictions: \(description.predictions) (list them with `lineage query --linked-to \(RecordLabel.reference(entry))`)") }
            for dependent in description.usedBy {
                print("used by: \(dependent.record.kind) \(RecordLabel.reference(dependent.record)) (as \(dependent.relation))")
            }
        }
    }
}
