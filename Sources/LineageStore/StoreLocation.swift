import Foundation

/// Finds the store directory: `--store`, then `LINEAGE_STORE`, then `.lineage/` in the working
/// directory or the nearest parent, as git finds `.git`.
public enum StoreLocation {
    /// The directory name a store has inside a project.
    public static let directoryName = ".lineage"

    /// The store directory to create for `init`.
    public static func forInit(explicit: String?, environment: [String: String], workingDirectory: String) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit, from: workingDirectory) }
        if let env = environment["LINEAGE_STORE"], !env.isEmpty { return absolute(env, from: workingDirectory) }
        return (workingDirectory as NSString).appendingPathComponent(directoryName)
    }

    /// The existing store to open; throws `notFound` when there is none.
    public static func discover(explicit: String?, environment: [String: String], workingDirectory: String) throws -> String {
        if let given = explicit.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["LINEAGE_STORE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let path = absolute(given, from: workingDirectory)
            if isStore(path) { return path }
            let nested = (path as NSString).appendingPathComponent(directoryName)
            if isStore(nested) { return nested }
            throw LineageError.notFound("\(path) is not a lineage store; create one with `lineage init` or pass the path of an existing .lineage directory")
        }
        var directory = URL(fileURLWithPath: workingDirectory).standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent(directoryName).path
            if isStore(candidate) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw LineageError.notFound("no lineage store in \(workingDirectory) or any parent directory; run `lineage init` first, or pass --store PATH")
    }

    /// True when `path` holds a lineage store: a bare git repository with a `lineage.origin` setting.
    public static func isStore(_ path: String) -> Bool {
        guard let config = try? String(contentsOfFile: (path as NSString).appendingPathComponent("config"), encoding: .utf8) else {
            return false
        }
        return config.contains("[lineage]") && FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("objects"))
    }

    static func absolute(_ path: String, from directory: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
