import LineageCore

extension Store {
    /// The shortest id prefix accepted, in hex digits.
    public static let minimumPrefixLength = 4

    /// Resolves what a user typed to one record: a full id, a unique id prefix (with or without
    /// `sha256:`), a name (`dataset:train`, `model:fraud@3`, `run:train`, `deployment:fraud/prod`,
    /// `prediction:pred-1`), a caller's prediction id, or the path a dataset or model was imported
    /// from (`data/raw.csv`: its latest version whose `uri` is that path). With `at` (milliseconds since 1970), a
    /// name without a version means the latest record of that name whose time is not after it:
    /// `deployment:fraud/prod` at T is the deployment that was serving then.
    public func resolve(_ reference: String, at: Int64? = nil) throws -> IndexedRecord {
        let shown = Names.printable(reference)
        guard !reference.isEmpty else { throw LineageError.input("an empty id was given; pass a record id, a name like model:fraud@3, or a prediction id") }
        if reference.hasPrefix(Digest.prefix) {
            return try resolvePrefix(String(reference.dropFirst(Digest.prefix.count)), shown: shown)
        }
        if let colon = reference.firstIndex(of: ":"), let kind = RecordKind(rawValue: String(reference[..<colon])) {
            return try resolveName(kind: kind, String(reference[reference.index(after: colon)...]), shown: shown, at: at)
        }
        if let prediction = try index.prediction(id: reference) { return prediction }
        if reference.utf8.count >= Store.minimumPrefixLength, Hex.decode(reference + (reference.utf8.count % 2 == 1 ? "0" : "")) != nil {
            return try resolvePrefix(reference, shown: shown)
        }
        if let found = try resolvePath(reference, at: at) { return found }
        throw LineageError.notFound("no record, name, prediction id or imported path matches \(shown); run `lineage log` to list what the store holds")
    }

    /// The other versions of a dataset or model that hold the same bytes (the same digest under the
    /// same name), oldest first: what a re-run that reproduced an artifact exactly is told.
    public func sameBytes(as entry: IndexedRecord) throws -> [IndexedRecord] {
        guard entry.kind.isVersioned, let digest = entry.digest else { return [] }
        return try index.records(digest: digest).filter { $0.kind == entry.kind && $0.name == entry.name && $0.id != entry.id }
    }

    /// The latest dataset (else model) whose recorded `uri` is `path`, among those named after it.
    private func resolvePath(_ path: String, at: Int64?) throws -> IndexedRecord? {
        guard let name = Names.forPath(path) else { return nil }
        for kind in [RecordKind.dataset, .model] {
            let candidates = try index.records(kind: kind, name: name)
                .filter { at == nil || $0.timeMilliseconds <= at! }.sorted { $0.seq > $1.seq }
            if let found = try candidates.first(where: { try read($0)["uri"]?.stringValue == path }) { return found }
        }
        return nil
    }

    private func resolvePrefix(_ hex: String, shown: String) throws -> IndexedRecord {
        let lower = hex.lowercased()
        guard lower.utf8.count >= Store.minimumPrefixLength, lower.utf8.count <= 64,
              let bytes = Hex.decode(lower.utf8.count % 2 == 0 ? lower : String(lower.dropLast())),
              lower.utf8.allSatisfy({ Hex.value($0) != nil }) else {
            throw LineageError.input("\(shown) is not a record id: give sha256: and at least \(Store.minimumPrefixLength) hex digits")
        }
        let odd = lower.utf8.count % 2 == 1 ? Hex.value(lower.utf8.last!) : nil
        let matches = try index.records(idPrefix: bytes, oddNibble: odd, limit: 6)
        switch matches.count {
        case 0:
            throw LineageError.notFound("no record with id \(shown) in this store; run `lineage log` to list ids")
        case 1:
            return matches[0]
        default:
            let listed = matches.prefix(5).map { "\($0.id) (\($0.kind))" }.joined(separator: ", ")
            throw LineageError.input("the short id \(shown) is ambiguous: it matches \(listed)\(matches.count > 5 ? ", …" : ""); give more digits")
        }
    }

    private func resolveName(kind: RecordKind, _ rest: String, shown: String, at: Int64?) throws -> IndexedRecord {
        func latest(_ candidates: [IndexedRecord]) -> IndexedRecord? {
            candidates.filter { at == nil || $0.timeMilliseconds <= at! }.max(by: { $0.seq < $1.seq })
        }
        let asOf = at.map { " at \(RecordTime.format(milliseconds: $0))" } ?? ""
        switch kind {
        case .prediction:
            if let found = try index.prediction(id: rest) { return found }
            throw LineageError.notFound("no prediction with id \(Names.printable(rest)) in this store")
        case .deployment:
            let candidates = try index.records(kind: .deployment, name: rest)
            guard let found = latest(candidates) else {
                throw LineageError.notFound(candidates.isEmpty
                    ? "no deployment \(Names.printable(rest)); deployments are named MODEL/ENVIRONMENT, e.g. deployment:fraud/prod"
                    : "no deployment \(Names.printable(rest)) was recorded\(asOf): its first is later")
            }
            return found
        default:
            guard kind.isNamed else {
                throw LineageError.input("\(kind) records have no names; use the record id instead of \(shown)")
            }
            var name = rest
            var version: Int? = nil
            if let at = rest.lastIndex(of: "@") {
                name = String(rest[..<at])
                guard let v = Int(rest[rest.index(after: at)...]), v >= 1 else {
                    throw LineageError.input("\(shown) has a bad version: write \(kind):NAME@N with N = 1, 2, …")
                }
                version = v
            }
            let candidates = try index.records(kind: kind, name: name)
            if let version {
                if kind.isVersioned, let match = candidates.first(where: { $0.version == version }) { return match }
                let ordered = candidates.sorted { $0.seq < $1.seq }
                if !kind.isVersioned, version <= ordered.count { return ordered[version - 1] }
                throw LineageError.notFound("no \(kind) \(Names.printable(name)) version \(version); \(candidates.isEmpty ? "there is no \(kind) of that name" : "it has \(candidates.count) version(s)")")
            }
            guard let found = latest(candidates) else {
                throw LineageError.notFound(candidates.isEmpty
                    ? "no \(kind) named \(Names.printable(name)) in this store; run `lineage log --kind \(kind)` to list them"
                    : "no \(kind) named \(Names.printable(name)) was recorded\(asOf): its first is later")
            }
            return found
        }
    }
}
