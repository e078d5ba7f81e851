import ArgumentParser
import LineageCore
import LineageStore

extension Lineage {
    /// `lineage checkpoint`: prints the latest signed checkpoint.
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            _superCommandName: "lineage",
            abstract: "Print the log's latest signed checkpoint (a C2SP signed note).",
            discussion: """
                Keep it somewhere the store's owner cannot change (a ticket, an email, another system): \
                `lineage verify --against saved.txt` later proves the log only grew since.
                """
        )

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            guard let note = try store.latestCheckpoint() else {
                throw LineageError.notFound("the log is empty: there is no checkpoint yet; record something first")
            }
            if output.json {
                let checkpoint = try? Checkpoint(parsing: SignedNote(parsing: note).text)
                var object = JSONObject()
                object["origin"] = .string(store.origin)
                object["size"] = checkpoint.map { .number(Double($0.size)) } ?? .null
                object["note"] = .string(note)
                print(JSONValue.object(object).prettyString())
            } else {
                print(note, terminator: "")
            }
        }
    }
}
