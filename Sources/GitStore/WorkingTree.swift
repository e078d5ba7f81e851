import Clibgit2
#if canImport(Glibc)
import Glibc
#endif

/// The state of the git working tree that holds a path: what `lineage run` records as the code version.
public struct WorkingTreeState: Sendable, Equatable {
    /// The working tree's top directory.
    public let root: String
    /// The commit HEAD points at, or nil in a repository with no commit yet.
    public let commit: ObjectID?
    /// The branch HEAD is on, or nil when detached.
    public let branch: String?
    /// True when tracked files differ from HEAD or untracked files exist (among the paths asked
    /// about, when some were).
    public let dirty: Bool
    /// The patch from HEAD to the working tree (tracked files, among the paths asked about), empty when clean.
    public let diff: [UInt8]
    /// The URL of the `origin` remote, if there is one.
    public let remoteURL: String?
}

extension Repository {
    /// Describes the working tree holding `path`, or returns nil when `path` is not inside one.
    /// With `paths` (absolute, inside that working tree), `dirty` and `diff` cover those paths only.
    public static func workingTreeState(containing path: String, paths: [String]? = nil) throws -> WorkingTreeState? {
        Libgit2.ensureInitialised()
        var out: OpaquePointer?
        let opened = git_repository_open_ext(&out, path, 0, nil)
        if opened == GIT_ENOTFOUND.rawValue { return nil }
        try check(opened, "git_repository_open_ext")
        guard let handle = out else { return nil }
        defer { git_repository_free(handle) }
        guard git_repository_is_bare(handle) == 0, let workdir = git_repository_workdir(handle) else { return nil }

        var headOID = git_oid()
        let headResult = git_reference_name_to_id(&headOID, handle, "HEAD")
        let commit: ObjectID? = headResult == 0 ? ObjectID(headOID) : nil
        if headResult < 0 && headResult != GIT_ENOTFOUND.rawValue && headResult != GIT_EUNBORNBRANCH.rawValue {
            try check(headResult, "git_reference_name_to_id")
        }

        var branch: String?
        var headRef: OpaquePointer?
        if git_repository_head(&headRef, handle) == 0, let headRef {
            if git_reference_is_branch(headRef) == 1, let name = git_reference_shorthand(headRef) { branch = String(cString: name) }
            git_reference_free(headRef)
        }

        var root = String(cString: workdir)
        if root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        // Pathspecs are relative to the working tree; matched literally, not as globs.
        let specs: [UnsafeMutablePointer<CChar>?] = (paths ?? []).map { path in
            strdup(path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path)
        }
        defer { specs.forEach { free($0) } }
        var specPointers = specs
        return try specPointers.withUnsafeMutableBufferPointer { buffer in
            var pathspec = git_strarray(strings: paths == nil ? nil : buffer.baseAddress, count: paths == nil ? 0 : buffer.count)
            return try describe(handle, root: root, commit: commit, branch: branch, pathspec: &pathspec)
        }
    }

    private static func describe(_ handle: OpaquePointer, root: String, commit: ObjectID?, branch: String?,
                                 pathspec: inout git_strarray) throws -> WorkingTreeState {
        var statusOptions = git_status_options()
        try check(git_status_options_init(&statusOptions, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        statusOptions.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
            | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        statusOptions.pathspec = pathspec
        var statusOut: OpaquePointer?
        let status = try Owned.take(git_status_list_new(&statusOut, handle, &statusOptions), statusOut, "git_status_list_new") {
            git_status_list_free($0)
        }
        let dirty = status.with { git_status_list_entrycount($0) } > 0

        var diffBytes: [UInt8] = []
        if let commit {
            var oid = commit.raw
            var commitOut: OpaquePointer?
            let headCommit = try Owned.take(git_commit_lookup(&commitOut, handle, &oid), commitOut, "git_commit_lookup") { git_commit_free($0) }
            var treeOut: OpaquePointer?
            let tree = try headCommit.with { commit in
                try Owned.take(git_commit_tree(&treeOut, commit), treeOut, "git_commit_tree") { git_tree_free($0) }
            }
            var diffOut: OpaquePointer?
            var diffOptions = git_diff_options()
            try check(git_diff_options_init(&diffOptions, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
            diffOptions.pathspec = pathspec
            diffOptions.flags = GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
            let diff = try tree.with { tree in
                try Owned.take(git_diff_tree_to_workdir_with_index(&diffOut, handle, tree, &diffOptions), diffOut,
                               "git_diff_tree_to_workdir_with_index") { git_diff_free($0) }
            }
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            try diff.with { try check(git_diff_to_buf(&buffer, $0, GIT_DIFF_FORMAT_PATCH), "git_diff_to_buf") }
            if let pointer = buffer.ptr { diffBytes = Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size)) }
        }

        var remoteURL: String?
        var remote: OpaquePointer?
        if git_remote_lookup(&remote, handle, "origin") == 0, let remote {
            remoteURL = git_remote_url(remote).map { String(cString: $0) }
            git_remote_free(remote)
        }
        return WorkingTreeState(root: root, commit: commit, branch: branch, dirty: dirty, diff: diffBytes, remoteURL: remoteURL)
    }
}
