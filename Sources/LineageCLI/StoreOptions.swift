import ArgumentParser
import Foundation
import LineageCore
import LineageStore

/// `--store`, shared by every command that uses a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: .lineage in this or a parent directory, or $LINEAGE_STORE).", valueName: "path"))
    var store: String?

    /// Opens the store the options point at; `verify` opens it without bringing the index up to date.
    func open(syncingIndex: Bool = true) throws -> Store {
        let path = try StoreLocation.discover(explicit: store, environment: ProcessInfo.processInfo.environment,
                                              workingDirectory: FileManager.default.currentDirectoryPath)
        guard let cache = OpenStores.session else { return try Store.open(at: path, syncingIndex: syncingIndex) }
        if let open = cache[path] {
            if syncingIndex { try open.syncIndexWithLog() }
            return open
        }
        let opened = try Store.open(at: path, syncingIndex: syncingIndex)
        OpenStores.session?[path] = opened
        return opened
    }
}

/// Stores that `lineage session` keeps open across its commands, by path: opening one (git,
/// SQLite in WAL mode) and closing it again (a checkpoint and an fsync) would cost more than most
/// commands. Nil outside a session.
enum OpenStores {
    nonisolated(unsafe) static var session: [String: Store]?
}

/// Options of commands that write records.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who records this (default: $LINEAGE_ACTOR, else user@host).", valueName: "actor"))
    var actor: String?

    @Option(help: ArgumentHelp("The record's time, UTC, like 2026-01-31T12:00:00.000Z (default: now).", valueName: "time"))
    var time: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A label KEY=VALUE kept with the record (repeatable).", valueName: "key=value"))
    var tags: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// The actor to stamp on records.
    var resolvedActor: String { WriteOptionsActor(actor: actor).resolved }

    func validate() throws {
        if let time, RecordTime.parse(time) == nil {
            throw ValidationError("--time \(time) is not a UTC time like 2026-01-31T12:00:00.000Z")
        }
    }
}

/// Options of commands that only read.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
