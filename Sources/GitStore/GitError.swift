import Clibgit2

/// An error reported by libgit2, with the function that failed and libgit2's own message.
///
/// Match on the code with `catch GitError.notFound`.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// A libgit2 error code (`git_error_code`).
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The numeric libgit2 code.
        public let rawValue: Int32
        /// Wraps a libgit2 return code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `GIT_ERROR`: a failure with no more specific code.
        public static let generic = Code(rawValue: GIT_ERROR.rawValue)
        /// `GIT_ENOTFOUND`: the object, reference or file does not exist.
        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        /// `GIT_EEXISTS`: it already exists.
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        /// `GIT_EAMBIGUOUS`: a short id matches several objects.
        public static let ambiguous = Code(rawValue: GIT_EAMBIGUOUS.rawValue)
        /// `GIT_ELOCKED`: another process holds the lock.
        public static let locked = Code(rawValue: GIT_ELOCKED.rawValue)
        /// `GIT_EMODIFIED`: a compare-and-swap found another value.
        public static let modified = Code(rawValue: GIT_EMODIFIED.rawValue)
        /// `GIT_EINVALID`: malformed input or data.
        public static let invalid = Code(rawValue: GIT_EINVALID.rawValue)
        /// `GIT_EINVALIDSPEC`: a malformed name or spec.
        public static let invalidSpec = Code(rawValue: GIT_EINVALIDSPEC.rawValue)
        /// `GIT_ITEROVER`: an iteration ended (not an error).
        public static let iterationOver = Code(rawValue: GIT_ITEROVER.rawValue)
    }

    /// The libgit2 return code.
    public let code: Code
    /// The libgit2 function that failed.
    public let function: String
    /// libgit2's message for the failure, read right after the call.
    public let message: String

    /// The failing function and libgit2's message.
    public var description: String { "\(function): \(message)" }

    /// For `catch GitError.notFound`.
    public static let notFound = Code.notFound
    /// For `catch GitError.exists`.
    public static let exists = Code.exists
    /// For `catch GitError.ambiguous`.
    public static let ambiguous = Code.ambiguous
    /// For `catch GitError.locked`.
    public static let locked = Code.locked
    /// For `catch GitError.modified`.
    public static let modified = Code.modified
    /// For `catch GitError.invalid`.
    public static let invalid = Code.invalid
    /// For `catch GitError.invalidSpec`.
    public static let invalidSpec = Code.invalidSpec
}

/// Lets callers write `catch GitError.notFound`.
public func ~= (code: GitError.Code, error: any Error) -> Bool {
    (error as? GitError)?.code == code
}

/// The one funnel every libgit2 call goes through: a negative result becomes a `GitError`
/// carrying `git_error_last()`, read at once because it is per thread and goes stale.
/// Non-negative results are values and are returned.
@discardableResult
func check(_ result: Int32, _ function: String = #function) throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    var message = "error \(result)"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    throw GitError(code: GitError.Code(rawValue: result), function: function, message: message)
}
