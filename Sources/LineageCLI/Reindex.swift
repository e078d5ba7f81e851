import ArgumentParser
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

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open(syncingIndex: false)
            let progress = Terminal.counter("indexing", unit: "records")
            let count: Int64
            do {
                count = try store.reindex { done in progress?.update(UInt64(done)) }
                progress?.finish()
            } catch {
                progress?.finish()
                throw error
            }
            if !quiet { print("Indexed \(count) records in \(try store.index.batchCount()) batches") }
        }
    }
}
