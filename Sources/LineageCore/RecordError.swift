/// Why a record was refused: one sentence naming the field and what is wrong with it.
public struct RecordError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The sentence shown to the user.
    public let message: String

    /// Creates an error from its sentence.
    public init(_ message: String) { self.message = message }

    /// The sentence.
    public var description: String { message }
}
