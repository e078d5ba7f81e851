import LineageCore

/// What `verify` remembers of the records before the one it checks: the kind and index name of
/// every record other than a prediction, and only a 128-bit prefix of each prediction's id (enough
/// to tell a repeated or linked-to prediction: 10M predictions take about 300 MB, not gigabytes).
struct SeenRecords {
    private var named: [Digest: (kind: RecordKind, name: String?)] = [:]
    private var predictions = PrefixSet()

    /// True when a record of `kind` with this id came before. (A record's id covers its kind, so
    /// only records of the same kind can share it.)
    func contains(_ id: Digest, kind: RecordKind) -> Bool {
        kind == .prediction ? predictions.contains(id.leadingWords) : named[id] != nil
    }

    /// The kind of an earlier record.
    func kind(of id: Digest) -> RecordKind? {
        named[id]?.kind ?? (predictions.contains(id.leadingWords) ? .prediction : nil)
    }

    /// The index name of an earlier record other than a prediction.
    func name(of id: Digest) -> String? { named[id]?.name ?? nil }

    /// Remembers `record` under its index name.
    mutating func insert(_ record: Record, name: String?) {
        if record.kind == .prediction {
            predictions.insert(record.id.leadingWords)
        } else {
            named[record.id] = (record.kind, name)
        }
    }
}

/// A set of 128-bit id prefixes, by open addressing: the bits are already uniformly random (they
/// are SHA-256 output), so the first word is the slot, with no hashing; a `Set` spent most of its
/// time in `Hasher` on every record verify checks.
struct PrefixSet {
    private var high: [UInt64] = []
    private var low: [UInt64] = []
    /// The slot is empty when this is false (a prefix may be all zeros).
    private var used: [Bool] = []
    private(set) var count = 0

    func contains(_ prefix: (UInt64, UInt64)) -> Bool {
        guard !used.isEmpty else { return false }
        let mask = used.count - 1
        var slot = Int(truncatingIfNeeded: prefix.0) & mask
        while used[slot] {
            if high[slot] == prefix.0 && low[slot] == prefix.1 { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    mutating func insert(_ prefix: (UInt64, UInt64)) {
        if (count + 1) * 4 > used.count * 3 { grow() }
        let mask = used.count - 1
        var slot = Int(truncatingIfNeeded: prefix.0) & mask
        while used[slot] {
            if high[slot] == prefix.0 && low[slot] == prefix.1 { return }
            slot = (slot + 1) & mask
        }
        used[slot] = true
        high[slot] = prefix.0
        low[slot] = prefix.1
        count += 1
    }

    private mutating func grow() {
        let old = (high, low, used)
        let capacity = max(1024, used.count * 2)
        high = [UInt64](repeating: 0, count: capacity)
        low = [UInt64](repeating: 0, count: capacity)
        used = [Bool](repeating: false, count: capacity)
        count = 0
        for slot in old.2.indices where old.2[slot] { insert((old.0[slot], old.1[slot])) }
    }
}
