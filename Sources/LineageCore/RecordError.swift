/// Why a record was refused: one sentence naming the field and what is wrong with it.
public struct RecordError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
