/// The kinds of record the log holds. See docs/records.md.
public enum RecordKind: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case dataset, transform, run, model, deployment, approval, prediction, review, access, erasure, hold, alert

    /// The kind's name as records write it.
    public var description: String { rawValue }

    /// Kinds that carry a `name`, resolvable as `kind:name`.
    public var isNamed: Bool {
        switch self {
        case .dataset, .transform, .run, .model: true
        default: false
        }
    }

    /// Kinds whose records carry a per-name `version` (1, 2, …).
    public var isVersioned: Bool { self == .dataset || self == .model }

    /// The kind whose name `utf8` spells, without making a string of it (read for every record).
    init?(utf8: UnsafeBufferPointer<UInt8>) {
        guard let named = RecordKind.names.first(where: { Bytes.order($0.name, utf8) == 0 }) else { return nil }
        self = named.kind
    }

    /// Every kind with its name as bytes.
    private static let names: [(name: [UInt8], kind: RecordKind)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The kind's position in `allCases`.
    var ordinal: Int {
        switch self {
        case .dataset: 0
        case .transform: 1
        case .run: 2
        case .model: 3
        case .deployment: 4
        case .approval: 5
        case .prediction: 6
        case .review: 7
        case .access: 8
        case .erasure: 9
        case .hold: 10
        case .alert: 11
        }
    }
}
