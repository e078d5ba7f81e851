import LineageCore

/// What `verify` (and a pull) learns of the links that leave the log being checked: the records
/// they reach in other origins' logs held here, found once each.
struct ForeignLinks {
    enum Lookup { case found(RecordKind), unresolved, unknown }

    private var seen: [Digest: Lookup] = [:]
    /// The index names of the records found (a deployment's name starts with its model's).
    private var names: [Digest: String] = [:]
    /// Distinct records of other logs held here that were linked to.
    private(set) var found = 0
    /// Records linked to that no log held here contains.
    private(set) var unresolved: Set<Digest> = []

    /// The index name of a record found in another log.
    func name(of id: Digest) -> String? { names[id] }

    /// Where a link out of `store`'s log leads: a record of another log held here (`found`, with its
    /// kind); a record of a log not held here (`unresolved`): one the index already knows as another
    /// origin's, or, in a pull, any record the log being pulled does not hold (the log's owner
    /// checked it when writing it, and its signatures hold); else `unknown`: an upstream record of
    /// this log is missing.
    mutating func look(up id: Digest, in store: Store, pulling: Bool) throws -> Lookup {
        if let known = seen[id] { return known }
        let result: Lookup
        if let elsewhere = try store.recordElsewhere(id: id) {
            result = .found(elsewhere.entry.kind)
            names[id] = elsewhere.entry.name
            found += 1
        } else if try pulling || store.index.foreignPosition(of: id) != nil {
            result = .unresolved
            unresolved.insert(id)
        } else {
            result = .unknown
        }
        seen[id] = result
        return result
    }

    /// The first record taken for another log's that this log holds after all (a link to a later
    /// record of the same log, which no writer makes), once the whole log was read.
    func laterInLog(_ known: SeenRecords) -> Digest? {
        unresolved.sorted { $0.description < $1.description }.first { known.kind(of: $0) != nil }
    }
}
