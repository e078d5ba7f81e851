import LineageCore

/// What `verify` remembers of the records before the one it checks: the kind and index name of
/// every record other than a prediction, and only a 128-bit prefix of each prediction's id (enough
/// to tell a repeated or linked-to prediction: 10M predictions take about 300 MB, not gigabytes).
struct SeenRecords {
    private struct Prefix: Hashable {
        let high: UInt64, low: UInt64

        init(_ id: Digest) { (high, low) = id.leadingWords }
    }

    private var named: [Digest: (kind: RecordKind, name: String?)] = [:]
    private var predictions: Set<Prefix> = []

    /// True when a record with this id came before.
    func contains(_ id: Digest) -> Bool { kind(of: id) != nil }

    /// The kind of an earlier record.
    func kind(of id: Digest) -> RecordKind? {
        named[id]?.kind ?? (predictions.contains(Prefix(id)) ? .prediction : nil)
    }

    /// The index name of an earlier record other than a prediction.
    func name(of id: Digest) -> String? { named[id]?.name ?? nil }

    /// Remembers `record` under its index name.
    mutating func insert(_ record: Record, name: String?) {
        if record.kind == .prediction {
            predictions.insert(Prefix(record.id))
        } else {
            named[record.id] = (record.kind, name)
        }
    }
}
