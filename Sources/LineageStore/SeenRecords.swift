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

    /// Remembers `record` under its index name; false when it was there already (for a
    /// prediction, one probe of the set does both).
    @discardableResult
    mutating func insert(_ record: Record, name: String?) -> Bool {
        if record.kind == .prediction { return predictions.insert(record.id.leadingWords) }
        return named.updateValue((record.kind, name), forKey: record.id) == nil
    }
}

/// A set of 128-bit id prefixes, by open addressing: the bits are already uniformly random (they
/// are SHA-256 output), so the first word is the slot, with no hashing; a `Set` spent most of its
/// time in `Hasher` on every record verify checks. Both words of a slot sit side by side, so a probe
/// costs one cache miss; (0, 0) marks an empty slot, and the all-zero prefix is kept aside.
struct PrefixSet {
    private var slots: [(UInt64, UInt64)] = []
    private var hasZero = false
    private(set) var count = 0

    func contains(_ prefix: (UInt64, UInt64)) -> Bool {
        if prefix == (0, 0) { return hasZero }
        guard !slots.isEmpty else { return false }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: prefix.0) & mask
        while true {
            let entry = slots[slot]
            if entry == prefix { return true }
            if entry == (0, 0) { return false }
            slot = (slot + 1) & mask
        }
    }

    /// Adds a prefix; false when it was there already.
    @discardableResult
    mutating func insert(_ prefix: (UInt64, UInt64)) -> Bool {
        if prefix == (0, 0) {
            defer { hasZero = true }
            if !hasZero { count += 1 }
            return !hasZero
        }
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: prefix.0) & mask
        while slots[slot] != (0, 0) {
            if slots[slot] == prefix { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = prefix
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [(UInt64, UInt64)](repeating: (0, 0), count: max(1024, old.count * 2))
        count = hasZero ? 1 : 0
        for entry in old where entry != (0, 0) { insert(entry) }
    }
}
