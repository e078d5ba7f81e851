import GitStore
import struct GRDB.DatabaseError
import LineageCore

/// An error a user sees: one sentence saying what was wrong and what to do, and its exit code.
public struct LineageError: Error, Sendable, CustomStringConvertible {
    /// The documented exit codes (docs/commands.md).
    public enum Kind: Int32, Sendable {
        /// A negative verdict: a gate refuses, verify finds tampering.
        case verdict = 1
        /// Bad usage or bad input.
        case input = 2
        /// A record, name or store that was asked for does not exist.
        case notFound = 3
        /// The store or the file system failed.
        case storage = 4
    }

    /// Which exit code the error maps to.
    public let kind: Kind
    /// The sentence shown on stderr.
    public let message: String

    /// Creates an error of a kind with its sentence.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The sentence.
    public var description: String { message }

    /// Bad usage or input (exit 2).
    public static func input(_ message: String) -> LineageError { LineageError(.input, message) }
    /// Something asked for does not exist (exit 3).
    public static func notFound(_ message: String) -> LineageError { LineageError(.notFound, message) }
    /// The store or file system failed (exit 4).
    public static func storage(_ message: String) -> LineageError { LineageError(.storage, message) }

    /// Runs `body`, turning a `RecordError` into an input error.
    public static func catching<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RecordError { throw LineageError.input(error.message) }
    }

    /// Wraps any error from the layers below into a user-facing one.
    public static func wrap(_ error: any Error, context: String? = nil) -> LineageError {
        let prefix = context.map { "\($0): " } ?? ""
        switch error {
        case let e as LineageError: return e
        case let e as RecordError: return .input(prefix + e.message)
        case let e as JSONError: return .input(prefix + "invalid JSON: \(e)")
        case let e as GitError: return .storage(prefix + "the git store failed (\(e)); check the store with `git --git-dir .lineage fsck`")
        case let e as DatabaseError:
            return .storage(prefix + "the index failed (\(e.message ?? "SQLite error \(e.resultCode.rawValue)")); the index is derived from the log: `lineage reindex` rebuilds it")
        default: return .storage(prefix + "\(error)")
        }
    }
}
