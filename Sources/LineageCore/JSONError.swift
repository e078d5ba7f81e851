/// Why bytes are not acceptable JSON, with the position of the problem.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public let reason: String
    /// Byte offset of the problem from the start of the input.
    public let offset: Int
    /// 1-based line and column (column in bytes) of the problem.
    public let line: Int
    /// 1-based column, in bytes.
    public let column: Int

    /// The reason and where it is.
    public var description: String { "\(reason) at line \(line), column \(column)" }
}
