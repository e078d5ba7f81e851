import Clibgit2

/// A bare git repository opened through libgit2.
///
/// A repository handle is used from one thread at a time; it is deliberately not `Sendable`.
public final class Repository {
    let handle: OpaquePointer
    /// The repository's directory.
    public let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// The version of libgit2 in use.
    public static var libraryVersion: String {
        Libgit2.ensureInitialised()
        return Libgit2.version
    }

    /// Creates a new bare repository at `path`; fails with `GitError.exists` if one is already there.
    public static func createBare(at path: String) throws -> Repository {
        Libgit2.ensureInitialised()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                  "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_BARE.rawValue
            | GIT_REPOSITORY_INIT_MKPATH.rawValue
            | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        var out: OpaquePointer?
        let result = git_repository_init_ext(&out, path, &options)
        return try Repository(owning: result, out, "git_repository_init_ext", path: path)
    }

    /// Opens the bare repository at `path`.
    public static func openBare(at path: String) throws -> Repository {
        Libgit2.ensureInitialised()
        var out: OpaquePointer?
        let result = git_repository_open_bare(&out, path)
        return try Repository(owning: result, out, "git_repository_open_bare", path: path)
    }

    private convenience init(owning result: Int32, _ out: OpaquePointer?, _ function: String, path: String) throws {
        if result < 0, let out { git_repository_free(out) }
        try check(result, function)
        guard let handle = out else {
            throw GitError(code: .generic, function: function, message: "libgit2 returned no repository")
        }
        self.init(handle: handle, path: path)
    }

    // MARK: Objects

    /// Writes `bytes` as a blob and returns its id.
    public func writeBlob(_ bytes: [UInt8]) throws -> ObjectID {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { raw in
            git_blob_create_from_buffer(&oid, handle, raw.baseAddress, raw.count)
        }
        try check(result, "git_blob_create_from_buffer")
        return ObjectID(oid)
    }

    /// Reads the raw content of the blob `id`.
    public func readBlob(_ id: ObjectID) throws -> [UInt8] {
        var out: OpaquePointer?
        let odb = try Owned.take(git_repository_odb(&out, handle), out, "git_repository_odb") { git_odb_free($0) }
        var oid = id.raw
        var objectOut: OpaquePointer?
        let object = try odb.with { odb in
            try Owned.take(git_odb_read(&objectOut, odb, &oid), objectOut, "git_odb_read") { git_odb_object_free($0) }
        }
        return try object.with { object in
            guard git_odb_object_type(object) == GIT_OBJECT_BLOB else {
                throw GitError(code: .invalid, function: "git_odb_read", message: "object \(id) is not a blob")
            }
            let size = git_odb_object_size(object)
            guard size > 0, let data = git_odb_object_data(object) else { return [] }
            return Array(UnsafeRawBufferPointer(start: data, count: size))
        }
    }

    /// Writes a tree holding `entries` and returns its id.
    public func writeTree(_ entries: [TreeEntry]) throws -> ObjectID {
        var out: OpaquePointer?
        let builder = try Owned.take(git_treebuilder_new(&out, handle, nil), out, "git_treebuilder_new") {
            git_treebuilder_free($0)
        }
        for entry in entries {
            let mode = entry.mode == .blob ? GIT_FILEMODE_BLOB : GIT_FILEMODE_TREE
            var oid = entry.id.raw
            try builder.with { try check(git_treebuilder_insert(nil, $0, entry.name, &oid, mode), "git_treebuilder_insert") }
        }
        var oid = git_oid()
        try builder.with { try check(git_treebuilder_write(&oid, $0), "git_treebuilder_write") }
        return ObjectID(oid)
    }

    /// Lists the entries of tree `id`.
    public func readTree(_ id: ObjectID) throws -> [TreeEntry] {
        try lookupTree(id).with { tree in
            var entries: [TreeEntry] = []
            for index in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, index), let oid = git_tree_entry_id(entry),
                      let name = git_tree_entry_name(entry) else { continue }
                let mode: TreeEntry.Mode = git_tree_entry_type(entry) == GIT_OBJECT_TREE ? .tree : .blob
                entries.append(TreeEntry(name: String(cString: name), id: ObjectID(oid.pointee), mode: mode))
            }
            return entries
        }
    }

    /// Writes a commit of `tree` with `parents` and returns its id; no reference is moved. With
    /// `sign`, its `gpgsig` header holds `sign(commit bytes)`, as `git commit -S` does.
    public func writeCommit(
        tree: ObjectID, parents: [ObjectID], message: String, signature: Signature,
        sign: (([UInt8]) throws -> String)? = nil
    ) throws -> ObjectID {
        var sigOut: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&sigOut, signature.name, signature.email, signature.time, 0), "git_signature_new")
        defer { git_signature_free(sigOut) }
        let treeObject = try lookupTree(tree)
        let parentObjects = try parents.map(lookupCommit)
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        // The parents' pointers are gathered one `with` inside another, so all stay alive for the call.
        func create(_ remaining: ArraySlice<Owned>, _ gathered: [OpaquePointer?]) -> Int32 {
            guard let next = remaining.first else {
                var pointers = gathered
                return treeObject.with { tree in
                    pointers.withUnsafeMutableBufferPointer {
                        git_commit_create_buffer(&buffer, handle, sigOut, sigOut, nil, message, tree, $0.count, $0.baseAddress)
                    }
                }
            }
            return next.with { create(remaining.dropFirst(), gathered + [$0]) }
        }
        try check(create(parentObjects[...], []), "git_commit_create_buffer")
        let content = buffer.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: buffer.size)) } ?? []
        let armored = try sign?(content)
        var oid = git_oid()
        let created = content.withUnsafeBufferPointer { bytes in
            // libgit2 wants a NUL-terminated commit buffer.
            String(decoding: bytes, as: UTF8.self).withCString { text in
                git_commit_create_with_signature(&oid, handle, text, armored, "gpgsig")
            }
        }
        try check(created, "git_commit_create_with_signature")
        return ObjectID(oid)
    }

    /// The `gpgsig` signature of commit `id` and the bytes it signs, or nil for an unsigned commit.
    public func commitSignature(_ id: ObjectID) throws -> (signature: String, signedData: [UInt8])? {
        var signature = git_buf(), signedData = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signedData)
        }
        var oid = id.raw
        let result = git_commit_extract_signature(&signature, &signedData, handle, &oid, nil)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_commit_extract_signature")
        func bytes(_ buffer: git_buf) -> [UInt8] {
            buffer.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: buffer.size)) } ?? []
        }
        return (String(decoding: bytes(signature), as: UTF8.self), bytes(signedData))
    }

    /// Reads commit `id`.
    public func readCommit(_ id: ObjectID) throws -> CommitInfo {
        try lookupCommit(id).with { commit in
            var parents: [ObjectID] = []
            for index in 0..<git_commit_parentcount(commit) {
                if let parent = git_commit_parent_id(commit, index) {
                    parents.append(ObjectID(parent.pointee))
                }
            }
            let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
            guard let tree = git_commit_tree_id(commit) else {
                throw GitError(code: .invalid, function: "git_commit_tree_id", message: "commit \(id) has no tree")
            }
            return CommitInfo(id: id, tree: ObjectID(tree.pointee), parents: parents, message: message,
                              time: Int64(git_commit_time(commit)))
        }
    }

    /// Commit ids reachable from `head`, oldest first when `oldestFirst` is set, else newest first;
    /// commits reachable from `stop` are left out.
    public func commits(from head: ObjectID, hiding stop: ObjectID? = nil, oldestFirst: Bool) throws -> [ObjectID] {
        var out: OpaquePointer?
        let walk = try Owned.take(git_revwalk_new(&out, handle), out, "git_revwalk_new") { git_revwalk_free($0) }
        return try walk.with { walk in
            var sorting = GIT_SORT_TOPOLOGICAL.rawValue
            if oldestFirst { sorting |= GIT_SORT_REVERSE.rawValue }
            try check(git_revwalk_sorting(walk, sorting), "git_revwalk_sorting")
            var headOID = head.raw
            try check(git_revwalk_push(walk, &headOID), "git_revwalk_push")
            if let stop {
                var stopOID = stop.raw
                try check(git_revwalk_hide(walk, &stopOID), "git_revwalk_hide")
            }
            var ids: [ObjectID] = []
            var oid = git_oid()
            while true {
                let result = git_revwalk_next(&oid, walk)
                if result == GIT_ITEROVER.rawValue { break }
                try check(result, "git_revwalk_next")
                ids.append(ObjectID(oid))
            }
            return ids
        }
    }

    // MARK: References

    /// The object a direct reference points at, or nil when the reference does not exist.
    public func referenceTarget(_ name: String) throws -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, handle, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_reference_name_to_id")
        return ObjectID(oid)
    }

    /// Moves reference `name` to `target` only if it still points at `expected` (nil: only if it
    /// does not exist yet). Fails with `GitError.modified` or `GitError.exists` when another writer
    /// moved it first.
    public func updateReference(_ name: String, to target: ObjectID, expecting expected: ObjectID?, message: String) throws {
        var newOID = target.raw
        var out: OpaquePointer?
        let result: Int32
        let function: String
        if let expected {
            var oldOID = expected.raw
            result = git_reference_create_matching(&out, handle, name, &newOID, 1, &oldOID, message)
            function = "git_reference_create_matching"
        } else {
            result = git_reference_create(&out, handle, name, &newOID, 0, message)
            function = "git_reference_create"
        }
        _ = try Owned.take(result, out, function) { git_reference_free($0) }
    }

    /// Deletes reference `name`; nothing happens when it does not exist.
    public func deleteReference(_ name: String) throws {
        let result = git_reference_remove(handle, name)
        if result == GIT_ENOTFOUND.rawValue { return }
        try check(result, "git_reference_remove")
    }

    /// The names of the references matching a glob (`refs/lineage/log/*` matches across '/' too).
    public func referenceNames(matching glob: String) throws -> [String] {
        var iterator: OpaquePointer?
        let iteration = try Owned.take(git_reference_iterator_glob_new(&iterator, handle, glob), iterator,
                                       "git_reference_iterator_glob_new") { git_reference_iterator_free($0) }
        var names: [String] = []
        try iteration.with { iterator in
            while true {
                var name: UnsafePointer<CChar>?
                let result = git_reference_next_name(&name, iterator)
                if result == GIT_ITEROVER.rawValue { break }
                try check(result, "git_reference_next_name")
                if let name { names.append(String(cString: name)) }
            }
        }
        return names.sorted()
    }

    // MARK: Configuration

    /// Reads `key` from the repository's own config file; nil when unset.
    public func configValue(_ key: String) throws -> String? {
        let config = try localConfig()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = config.with { git_config_get_string_buf(&buffer, $0, key) }
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_config_get_string_buf")
        guard let text = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: buffer.size), as: UTF8.self)
    }

    /// Sets `key` in the repository's own config file.
    public func setConfigValue(_ key: String, _ value: String) throws {
        let config = try localConfig()
        try config.with { try check(git_config_set_string($0, key, value), "git_config_set_string") }
    }

    /// The entries of the repository's own config file whose names match `pattern` (a regular
    /// expression, as `git config --get-regexp` takes), in file order.
    public func configEntries(matching pattern: String) throws -> [(name: String, value: String)] {
        let config = try localConfig()
        var entries: [(String, String)] = []
        try config.with { config in
            var iterator: OpaquePointer?
            try check(git_config_iterator_glob_new(&iterator, config, pattern), "git_config_iterator_glob_new")
            defer { git_config_iterator_free(iterator) }
            while true {
                var entry: UnsafeMutablePointer<git_config_entry>?
                let result = git_config_next(&entry, iterator)
                if result == GIT_ITEROVER.rawValue { break }
                try check(result, "git_config_next")
                if let entry, let name = entry.pointee.name {
                    entries.append((String(cString: name), entry.pointee.value.map { String(cString: $0) } ?? ""))
                }
            }
        }
        return entries
    }

    /// Removes `key` from the repository's own config file; nothing happens when it is unset.
    public func removeConfigValue(_ key: String) throws {
        let config = try localConfig()
        let result = config.with { git_config_delete_entry($0, key) }
        if result == GIT_ENOTFOUND.rawValue { return }
        try check(result, "git_config_delete_entry")
    }

    // MARK: Helpers

    private func localConfig() throws -> Owned {
        var out: OpaquePointer?
        let all = try Owned.take(git_repository_config(&out, handle), out, "git_repository_config") { git_config_free($0) }
        var local: OpaquePointer?
        return try all.with { all in
            try Owned.take(git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL), local, "git_config_open_level") { git_config_free($0) }
        }
    }

    private func lookupTree(_ id: ObjectID) throws -> Owned {
        var oid = id.raw
        var out: OpaquePointer?
        return try Owned.take(git_tree_lookup(&out, handle, &oid), out, "git_tree_lookup") { git_tree_free($0) }
    }

    private func lookupCommit(_ id: ObjectID) throws -> Owned {
        var oid = id.raw
        var out: OpaquePointer?
        return try Owned.take(git_commit_lookup(&out, handle, &oid), out, "git_commit_lookup") { git_commit_free($0) }
    }
}
