/// One entry of a tree to write or read.
public struct TreeEntry: Hashable, Sendable {
    /// What the entry points at.
    public enum Mode: Sendable, Hashable {
        case blob
        case tree
    }

    public var name: String
    public var id: ObjectID
    public var mode: Mode

    public init(name: String, id: ObjectID, mode: Mode = .blob) {
        self.name = name
        self.id = id
        self.mode = mode
    }
}

/// The identity that authors and commits a commit.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Seconds since 1970 (UTC).
    public var time: Int64

    public init(name: String, email: String, time: Int64) {
        self.name = name
        self.email = email
        self.time = time
    }
}

/// A commit read from the repository, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var message: String
    /// Committer time, seconds since 1970 (UTC).
    public var time: Int64
}
