import Foundation
import GitStore
import LineageCore

/// The code a run or transform ran: the git commit of the working tree holding the script,
/// whether it had uncommitted changes, and a digest of those changes.
public enum CodeVersion {
    /// The `code` field for a script at `path` (a file or directory), or nil outside any git working tree.
    /// With `covering` (the files that are the code, e.g. a DVC stage's script deps), `dirty` and
    /// `diffDigest` say whether those files differ from the commit; else the whole working tree's.
    public static func capture(path: String, covering: [String]? = nil) throws -> JSONObject? {
        let directory: String
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = path
        } else {
            directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        }
        let state: WorkingTreeState?
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let covered = covering.map { $0.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
        do { state = try Repository.workingTreeState(containing: directory, paths: covered) } catch { throw LineageError.wrap(error) }
        guard let state else { return nil }
        var code = JSONObject()
        code["repo"] = .string(state.remoteURL ?? state.root)
        code["commit"] = state.commit.map { .string($0.hex) } ?? .null
        if code["commit"] == .null { code["commit"] = nil }
        if absolute.hasPrefix(state.root + "/") { code["path"] = .string(String(absolute.dropFirst(state.root.count + 1))) }
        code["branch"] = state.branch.map(JSONValue.string)
        code["dirty"] = .bool(state.dirty)
        if !state.diff.isEmpty { code["diffDigest"] = .string(Digest(hashing: state.diff).description) }
        return code
    }
}
