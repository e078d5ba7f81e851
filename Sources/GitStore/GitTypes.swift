/// One entry of a tree to write or read.
public struct TreeEntry: Hashable, Sendable {
    /// What the entry points at.
    public enum Mode: Sendable, Hashable {
        case blob
        case tree
    }

    /// The entry's file name.
    public var name: String
    /// The object the entry points at.
    public var id: ObjectID
    /// Blob or tree.
    public var mode: Mode

    /// Creates an entry; a blob unless told otherwise.
    public init(name: String, id: ObjectID, mode: Mode = .blob) {
        self.name = name
        self.id = id
        self.mode = mode
    }
}

/// The identity that authors and commits a commit.
public struct Signature: Sendable, Hashable {
    /// The ident's name.
    public var name: String
    /// The ident's email address.
    public var email: String
    /// Seconds since 1970 (UTC).
    public var time: Int64

    /// Creates an ident for author and committer lines.
    public init(name: String, email: String, time: Int64) {
        self.name = name
        self.email = email
        self.time = time
    }
}

/// A commit read from the repository, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    /// The commit's id.
    public var id: ObjectID
    /// The commit's root tree.
    public var tree: ObjectID
    /// Parent commits, first parent first.
    public var parents: [ObjectID]
    /// The full commit message.
    public var message: String
    /// Committer time, seconds since 1970 (UTC).
    public var time: Int64
}
