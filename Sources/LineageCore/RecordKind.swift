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
