import Foundation
import GitStore
import LineageCore

extension Store {
    /// Makes a working copy of a remote store's log at `path`: the log, its published keys, the
    /// index and the remembered checkpoint, everything checked as `pull` checks it. The copy is
    /// built in a temporary directory beside `path` and moved into place only when all of it
    /// passed: a failed clone leaves nothing. The remote is remembered as `origin`.
    /// `origin`: which log to copy when the remote holds several; the others' logs come too, as the
    /// copies a pull keeps of other origins' logs. `held`: this is such a copy, under another store's
    /// `origins/`, remembering the remote as `remoteName`.
    public static func clone(url: String, into path: String, origin wanted: String? = nil, keyFingerprint: String? = nil,
                             held: Bool = false, remoteName: String = "origin",
                             progress: ((UInt64) -> Void)? = nil) throws -> (Store, PullReport) {
        try validate(remoteURL: url)
        if let wanted { try validate(origin: wanted) }
        if StoreLocation.isStore(path) {
            throw LineageError.input("a lineage store already exists at \(path); nothing was changed (to bring it up to date, run `lineage pull`)")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
            throw LineageError.input("\(path) already exists and is not an empty directory; choose another directory")
        }
        let partial = path + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let report = try cloneInto(partial, url: url, origin: wanted, keyFingerprint: keyFingerprint, held: held, remoteName: remoteName,
                                       progress: progress)
            rmdir(path)  // an empty directory the user made (only empty: another copy made meanwhile stays)
            guard rename(partial, path) == 0 else {
                throw LineageError.storage("cannot move the copy into \(path): \(String(cString: strerror(errno)))")
            }
            let store = try Store.open(at: path)
            try store.configureSignatureChecks()
            // The copies of other origins' logs were made inside the temporary directory: their
            // allowed-signers path moved with it.
            for other in store.heldOrigins() { try store.heldOrigin(other).configureSignatureChecks() }
            return (store, report)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw LineageError.wrap(error, context: "cannot clone \(url)")
        }
    }

    private static func cloneInto(_ partial: String, url: String, origin wanted: String?, keyFingerprint: String?, held: Bool,
                                  remoteName: String, progress: ((UInt64) -> Void)?) throws -> PullReport {
        let repository = try Repository.createBare(at: partial)
        try repository.setConfigValue("remote.\(remoteName).url", url)
        // Which origins the remote holds decides the copy's origin: listed without fetching any object.
        let listing: String
        do {
            listing = try GitProgram.run(gitDirectory: partial, ["ls-remote", "--quiet", "--", url])
        } catch let failure as GitProgram.Failure {
            throw LineageError(failure.status == -1 ? .storage : .notFound, "cannot fetch from \(url) (git: \(failure.message)); check the URL and that it is a lineage store or a repository a store pushed to")
        }
        let prefix = "refs/lineage/log/"
        let origins = listing.split(separator: "\n").compactMap { line -> String? in
            guard let tab = line.firstIndex(of: "\t") else { return nil }
            let name = line[line.index(after: tab)...]
            return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
        }
        let origin: String
        switch (wanted, origins.count) {
        case (_, 0):
            throw LineageError.notFound("\(url) holds no lineage log (no refs/lineage/log/*): it is not a lineage store, or nothing was pushed to it yet")
        case (nil, 1):
            origin = origins[0]
        case (nil, _):
            throw LineageError.input("\(url) holds the logs of several origins (\(origins.joined(separator: ", "))); choose the one this copy follows with --origin (the others are copied beside it)")
        case (let wanted?, _):
            guard origins.contains(wanted) else {
                throw LineageError.notFound("\(url) holds no log for \(wanted), only for \(origins.joined(separator: ", "))")
            }
            origin = wanted
        }
        try validate(origin: origin)
        try repository.setConfigValue("lineage.origin", origin)
        try repository.setConfigValue("lineage.formatVersion", formatVersion)
        try repository.setConfigValue("lineage.clonedFrom", url)
        if held { try repository.setConfigValue("lineage.held", "true") }
        try makeLocalParts(at: partial)
        let store = try Store.open(at: partial)
        return try store.pull(from: remoteName, keyFingerprint: keyFingerprint, progress: progress)
    }
}
