import Foundation

/// Finds the store directory: `--store`, then `LINEAGE_STORE`, then `.lineage/` in the working
/// directory or the nearest parent, as git finds `.git`.
public enum StoreLocation {
    /// The directory name a store has inside a project.
    public static let directoryName = ".lineage"

    /// The store directory to create for `init`.
    /// `variable` is the value of `LINEAGE_STORE`, if set.
    public static func forInit(explicit: String?, variable: String?, workingDirectory: String) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit, from: workingDirectory) }
        if let variable, !variable.isEmpty { return absolute(variable, from: workingDirectory) }
        return (workingDirectory as NSString).appendingPathComponent(directoryName)
    }

    /// The existing store to open; throws `notFound` when there is none. `variable` is the value of
    /// `LINEAGE_STORE`, if set.
    public static func discover(explicit: String?, variable: String?, workingDirectory: String) throws -> String {
        if let given = explicit.flatMap({ $0.isEmpty ? nil : $0 }) ?? variable.flatMap({ $0.isEmpty ? nil : $0 }) {
            let path = absolute(given, from: workingDirectory)
            if isStore(path) { return path }
            let nested = (path as NSString).appendingPathComponent(directoryName)
            if isStore(nested) { return nested }
            throw LineageError.notFound("\(path) is not a lineage store; create one with `lineage init` or pass the path of an existing .lineage directory")
        }
        var directory = standardized(absolute: workingDirectory)
        while true {
            let candidate = (directory == "/" ? "" : directory) + "/" + directoryName
            if isStore(candidate) { return candidate }
            guard let slash = directory.lastIndex(of: "/"), directory != "/" else { break }
            directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
        }
        throw LineageError.notFound("no lineage store in \(workingDirectory) or any parent directory; run `lineage init` first, or pass --store PATH")
    }

    /// True when `path` holds a lineage store: a bare git repository with a `lineage.origin` setting.
    /// (Plain POSIX calls: through FileManager and Data this cost every command ~0.1 ms.)
    public static func isStore(_ path: String) -> Bool {
        var status = stat()
        guard stat(path + "/objects", &status) == 0, status.st_mode & S_IFMT == S_IFDIR,
              let config = FileBytes.read(path + "/config") else { return false }
        let section = Array("[lineage]".utf8)
        return config.indices.contains { start in
            start + section.count <= config.count && config[start..<start + section.count].elementsEqual(section)
        }
    }

    static func absolute(_ path: String, from directory: String) -> String {
        standardized(absolute: path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// An absolute path without empty, `.` and `..` components, worked out from the text alone as
    /// URL's `standardizedFileURL` does (which costs ~0.3 ms on first use): `/a//b/./c/../d/` is `/a/b/d`.
    static func standardized(absolute path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component == ".." { _ = components.popLast() } else { components.append(component) }
        }
        // Appended one by one: `joined(separator:)` on substrings is not specialised, and its
        // generic path cost the first call in each process ~0.1 ms.
        guard !components.isEmpty else { return "/" }
        var result = ""
        for component in components {
            result.append("/")
            result.append(contentsOf: component)
        }
        return result
    }
}
