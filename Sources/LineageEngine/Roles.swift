import LineageCore

/// What a request may do, as `lineage serve` checks it.
public enum Permission: String, Sendable {
    /// Append predictions and reviews.
    case ingest
    /// Append records of every kind.
    case write
    /// Read records, traces, listings, impact, diffs, checkpoints and keys (never raw payloads).
    case read
    /// Evidence bundles (proofs).
    case prove
    /// Verify the whole store, and administration.
    case admin
    /// Copy raw payload packs to a copy of the store (`lineage pull --payloads`).
    case payloads
}

/// The roles of API tokens, least privilege (docs/server.md has the matrix).
public enum Role: String, Sendable, CaseIterable {
    case ingest, writer, reader, auditor, replica, admin

    public var permissions: Set<Permission> {
        switch self {
        case .ingest: [.ingest]
        case .writer: [.ingest, .write]
        case .reader: [.read]
        case .auditor: [.read, .prove]
        case .replica: [.read, .payloads]
        case .admin: [.ingest, .write, .read, .prove, .admin, .payloads]
        }
    }

    /// The kinds a role may append (nil: all).
    public var appendableKinds: Set<RecordKind>? {
        permissions.contains(.write) ? nil : [.prediction, .review]
    }
}
