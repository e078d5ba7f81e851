import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineageCore

/// How this copy of a store is used, set with `lineage config`: kept in `settings.json` beside the
/// log, not in it (a setting says nothing about what happened). Usable from any thread: it holds only
/// the file's path; it is written whole through a temporary file and a rename.
public struct StoreSettings: Sendable, Equatable {
    /// Whether the CLI's read commands append an `access` record for every read (off by default).
    public var accessLog = false

    public init() {}

    /// The settings file of the store at `storePath` (its `.lineage` directory).
    public static func path(storePath: String) -> String { storePath + "/settings.json" }

    /// The store's settings; the defaults when it has none.
    public static func read(storePath: String) throws -> StoreSettings {
        let file = path(storePath: storePath)
        guard let bytes = FileBytes.read(file) else {
            if FileManager.default.fileExists(atPath: file) { throw LineageError.storage("the settings file \(file) cannot be read; check its permissions") }
            return StoreSettings()
        }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw LineageError.storage("the settings file \(file) is damaged (not a JSON object); fix it, or remove it to return to the defaults")
        }
        var settings = StoreSettings()
        if let value = object["accessLog"] {
            guard case .bool(let on) = value else { throw LineageError.storage("accessLog in \(file) must be true or false") }
            settings.accessLog = on
        }
        return settings
    }

    /// Writes the settings of the store at `storePath`.
    public func write(storePath: String) throws {
        let file = Self.path(storePath: storePath)
        let temporary = file + ".tmp"
        let bytes = Data((JSONValue.object(JSONObject([("accessLog", .bool(accessLog))])).prettyString() + "\n").utf8)
        guard FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o644]),
              rename(temporary, file) == 0 else {
            throw LineageError.storage("cannot write the settings file \(file): check that the store is writable")
        }
    }
}
