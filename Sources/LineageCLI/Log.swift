import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage log`: the newest records.
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            _superCommandName: "lineage",
            abstract: "List records, newest first.",
            discussion: "--json prints one JSON object per line (NDJSON)."
        )

        @Option(help: ArgumentHelp("Only records of this kind.", valueName: "kind"))
        var kind: String?

        @Option(name: [.customShort("n"), .long], parsing: .unconditional, help: "At most this many records.")
        var limit: Int = 20

        @OptionGroup var output: OutputOptions
        @OptionGroup var pager: PagerOptions
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let kind, RecordKind(rawValue: kind) == nil {
                throw ValidationError("unknown kind '\(kind)': use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit)") }
        }

        func run() throws {
            let store = try storeOptions.open()
            try access.log(store, "log", query: "kind=\(kind ?? "any") limit=\(limit)")
            pager.start()
            for listed in try store.recent(kind: kind.flatMap(RecordKind.init(rawValue:)), limit: limit, bodies: output.json) {
                print(listed.json?.canonicalString ?? RecordLabel.row(listed.entry))
            }
        }
    }
}
