import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// `--store`, shared by every command that uses a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: .lineage in this or a parent directory, or $LINEAGE_STORE).", valueName: "path"))
    var store: String?

    /// Opens the store the options point at; `verify` opens it without bringing the index up to date.
    func open(syncingIndex: Bool = true) throws -> Store {
        let path = try StoreLocation.discover(explicit: store, variable: Environment.value("LINEAGE_STORE"),
                                              workingDirectory: Environment.workingDirectory)
        return try OpenStores.store(at: path, syncingIndex: syncingIndex)
    }
}

/// The stores this process has opened, by path, kept open until `lineage session` ends or the
/// process exits. A session's commands share them: opening one (git, SQLite in WAL mode) costs
/// more than most commands. A single command leaves its store to the process's exit rather than
/// closing it: closing the index through GRDB cost ~1 ms of each short command (NotificationCenter,
/// and a thread libdispatch starts to dispose of the connection's queue), and SQLite needs no
/// close to stay consistent; the index's WAL is kept between processes either way (see Index).
enum OpenStores {
    nonisolated(unsafe) private static var byPath: [String: Store] = [:]
    /// True during `lineage session`: its stores' indexes keep a long WAL, as bulk writes do, and
    /// empty it when the session ends. With the short WAL of single commands, every few commands
    /// paid for a checkpoint (two fdatasyncs), the slowest step of a session's writes on a busy disk.
    nonisolated(unsafe) static var inSession = false

    static func store(at path: String, syncingIndex: Bool) throws -> Store {
        if let open = byPath[path] {
            if syncingIndex { try open.syncIndexWithLog() }
            return open
        }
        let opened = try Store.open(at: path, syncingIndex: syncingIndex)
        if inSession { try opened.prepareForBulkWrites() }
        byPath[path] = opened
        return opened
    }

    /// Closes every store (emptying the WAL of those that took bulk writes): the end of a session.
    static func closeAll() {
        byPath = [:]
    }

    /// Before the process exits: closes the stores whose index took bulk writes (ingest, reindex),
    /// which empties their large WAL so that the next command does not have to read it.
    static func closeBeforeExit() {
        byPath = byPath.filter { !$0.value.isPreparedForBulkWrites }
    }
}

/// Options of commands that write records.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who records this (default: $LINEAGE_ACTOR, else user@host).", valueName: "actor"))
    var actor: String?

    @Option(help: ArgumentHelp("The record's time in RFC 3339, like 2026-01-31T12:00:00Z or 2026-01-31T13:00:00.5+01:00; kept as UTC milliseconds (default: now).", valueName: "time"))
    var time: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A label KEY=VALUE kept with the record (repeatable).", valueName: "key=value"))
    var tags: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// The actor to stamp on records.
    func resolvedActor() throws -> String { try WriteOptionsActor(actor: actor).resolve() }

    func validate() throws {
        if let time, RecordTime.parseRFC3339(time) == nil {
            throw ValidationError("--time \(time) is not an RFC 3339 time like 2026-01-31T12:00:00Z (fractions and offsets allowed)")
        }
    }
}

/// Options of commands that only read.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
