import Clibgit2

/// An error reported by libgit2, with the function that failed and libgit2's own message.
///
/// Match on the code with `catch GitError.notFound`.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// A libgit2 error code (`git_error_code`).
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let generic = Code(rawValue: GIT_ERROR.rawValue)
        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        public static let ambiguous = Code(rawValue: GIT_EAMBIGUOUS.rawValue)
        public static let locked = Code(rawValue: GIT_ELOCKED.rawValue)
        public static let modified = Code(rawValue: GIT_EMODIFIED.rawValue)
        public static let invalid = Code(rawValue: GIT_EINVALID.rawValue)
        public static let invalidSpec = Code(rawValue: GIT_EINVALIDSPEC.rawValue)
        public static let iterationOver = Code(rawValue: GIT_ITEROVER.rawValue)
    }

    /// The libgit2 return code.
    public let code: Code
    /// The libgit2 function that failed.
    public let function: String
    /// libgit2's message for the failure, read right after the call.
    public let message: String

    public var description: String { "\(function): \(message)" }

    public static let notFound = Code.notFound
    public static let exists = Code.exists
    public static let ambiguous = Code.ambiguous
    public static let locked = Code.locked
    public static let modified = Code.modified
    public static let invalid = Code.invalid
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
