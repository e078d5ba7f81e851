import GitStore
import LineageCore

/// A named remote: another git repository holding lineage logs, kept as git keeps remotes
/// (`remote.NAME.url` in the store's config), so `git --git-dir .lineage fetch NAME` works too.
public struct Remote: Sendable, Equatable {
    public let name: String
    public let url: String
}

extension Store {
    /// The store's remotes, by name.
    public func remotes() throws -> [Remote] {
        do {
            return try repository.configEntries(matching: #"^remote\..*\.url$"#).map { entry in
                Remote(name: String(entry.name.dropFirst("remote.".count).dropLast(".url".count)), url: entry.value)
            }.sorted { $0.name < $1.name }
        } catch {
            throw LineageError.wrap(error, context: "cannot read the store's remotes")
        }
    }

    /// Adds a remote; refuses a name in use or a URL git would take for an option.
    public func addRemote(name: String, url: String) throws {
        try Store.validate(remoteName: name)
        try Store.validate(remoteURL: url)
        if try remotes().contains(where: { $0.name == name }) {
            throw LineageError.input("a remote named \(name) already exists; remove it first with `lineage remote remove \(name)`")
        }
        do { try repository.setConfigValue("remote.\(name).url", url) } catch {
            throw LineageError.wrap(error, context: "cannot add the remote \(name)")
        }
    }

    /// Removes a remote and what the store remembers of it.
    public func removeRemote(name: String) throws {
        try Store.validate(remoteName: name)
        guard try remotes().contains(where: { $0.name == name }) else {
            throw LineageError.notFound("there is no remote named \(name); `lineage remote list` shows them")
        }
        do {
            for entry in try repository.configEntries(matching: "^remote\\.\(name.replacingOccurrences(of: ".", with: "\\."))\\.") {
                try repository.removeConfigValue(entry.name)
            }
        } catch {
            throw LineageError.wrap(error, context: "cannot remove the remote \(name)")
        }
    }

    /// Sets a remote's URL, adding the remote if it is new (for the copies of other origins' logs,
    /// which follow their holder's remotes).
    func setRemote(name: String, url: String) throws {
        guard try remotes().first(where: { $0.name == name })?.url != url else { return }
        do { try repository.setConfigValue("remote.\(name).url", url) } catch {
            throw LineageError.wrap(error, context: "cannot set the remote \(name)")
        }
    }

    /// The URL of a remote, by name.
    func remote(named name: String) throws -> Remote {
        try Store.validate(remoteName: name)
        guard let remote = try remotes().first(where: { $0.name == name }) else {
            throw LineageError.notFound("there is no remote named \(name); add one with `lineage remote add \(name) URL`")
        }
        return remote
    }

    /// A remote URL as it is kept: a relative path made absolute from `workingDirectory`, so the
    /// remote means the same from any directory; URLs (`scheme://`) and scp-like `host:path` as given.
    public static func absolute(remoteURL url: String, workingDirectory: String) -> String {
        let colon = url.firstIndex(of: ":"), slash = url.firstIndex(of: "/")
        let isURL = url.contains("://") || (colon != nil && (slash == nil || colon! < slash!))
        guard !isURL, !url.hasPrefix("/"), !url.hasPrefix("-") else { return url }
        return StoreLocation.absolute(url, from: workingDirectory)
    }

    /// A remote's name: letters, digits, '.', '_' and '-', not starting with '.' or '-'.
    static func validate(remoteName name: String) throws {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 100, bytes.first != UInt8(ascii: "."), bytes.first != UInt8(ascii: "-"),
              bytes.allSatisfy({ Names.isNameByte($0) }), !name.hasSuffix(".lock") else {
            throw LineageError.input("the remote name \(Names.printable(name)) is not allowed: use letters, digits, '.', '_' and '-', like origin")
        }
    }

    /// A remote's URL: any URL or path git takes, but not one git would read as an option, and no
    /// control characters.
    static func validate(remoteURL url: String) throws {
        guard !url.isEmpty, !url.hasPrefix("-"), url.utf8.count <= 2048,
              !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LineageError.input("the remote URL \(Names.printable(url)) is not allowed: give a URL or path git can fetch from (ssh://, https://, git://, file:// or a directory)")
        }
        if url.lowercased().hasPrefix("ext::") {
            throw LineageError.input("the remote URL \(Names.printable(url)) runs a command (git's ext:: transport); lineage does not use it")
        }
    }
}
