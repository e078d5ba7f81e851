import Foundation
import ArgumentParser
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage reindex`: rebuilds the SQLite index from the log.
    struct Reindex: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reindex",
            _superCommandName: "lineage",
            abstract: "Rebuild the index (index.sqlite) from the log in git.",
            discussion: "The index is derived data; the log is the source of truth."
        )

        @Flag(name: .shortAndLong, help: "Print nothing on success.")
        var quiet = false

        @Flag(name: .customLong("accept-rewrite"),
              help: "Accept a log that does not extend the last checkpoint this store wrote or verified (rolled back or rewritten on purpose); the acceptance is recorded in .lineage/checkpoints/<origin>.accepted.")
        var acceptRewrite = false

        @Option(help: ArgumentHelp("Who accepts a rewrite (default: $LINEAGE_ACTOR, else $USER@host).", valueName: "name"))
        var actor: String?

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open(syncingIndex: false)
            let progress = Terminal.counter("indexing", unit: "records")
            let result: (records: Int64, accepted: String?)
            do {
                result = try store.reindex(acceptingRewrite: acceptRewrite ? try WriteOptionsActor(actor: actor).resolve() : nil) { done in
                    progress?.update(UInt64(done))
                }
                progress?.finish()
            } catch {
                progress?.finish()
                throw error
            }
            if let accepted = result.accepted { FileHandle.standardError.write(Data(("lineage: " + accepted + "\n").utf8)) }
            if !quiet { print("Indexed \(result.records) records in \(try store.batchCount()) batches") }
        }
    }
}
