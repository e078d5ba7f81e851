import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

/// `--purpose`, and the access record of a read, for the read commands: when the store is set to log
/// CLI reads (`lineage config access-log on`), each read appends an `access` record (interface `cli`)
/// before its result is shown.
struct AccessOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Why you read: kept in the access record when the store logs reads (lineage config access-log on).", valueName: "text"))
    var purpose: String?

    /// Logs the read `action` of `records` (or of `query`) in `store`, if it logs CLI reads.
    func log(_ store: Store, _ action: String, records: [Digest] = [], query: String? = nil) throws {
        var event = AccessEvent(action: action, interface: "cli")
        (event.records, event.query, event.purpose, event.outcome) = (records, query, purpose, "allowed")
        try store.logCLIRead(event) { try WriteOptionsActor(actor: nil).resolve() }
    }
}
