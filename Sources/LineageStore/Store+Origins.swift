import Foundation
import LineageCore

/// Other origins' logs held beside this one. A store owns one log (its origin); `pull` also brings
/// the logs of every other origin a remote holds, each as a verified copy (a store of its own, marked
/// as cloned) under `origins/<origin>` (`/` written `%2F`). Records here may link to records of those
/// logs; `trace`, `impact` and `verify` follow such links into them. See docs/sync.md.
extension Store {
    /// The directory of the copies of other origins' logs.
    var originsDirectory: String { (path as NSString).appendingPathComponent("origins") }

    /// The directory holding the copy of `origin`'s log.
    func originPath(_ origin: String) -> String {
        (originsDirectory as NSString).appendingPathComponent(origin.replacingOccurrences(of: "/", with: "%2F"))
    }

    /// True for a copy of another origin's log held under a store's `origins/` (config `lineage.held`).
    var isHeldCopy: Bool { holder != nil || (try? repository.configValue("lineage.held")) == "true" }

    /// Pulls another origin's log from `remote` into the copy held here, making the copy on the first
    /// pull. The copy remembers the remote under the same name.
    /// `keyFingerprint`: on the first pull, the key that must vouch for that log's keys.
    func pullHeldOrigin(_ other: String, from remote: Remote, keyFingerprint: String? = nil) throws -> PullReport {
        let target = originPath(other)
        do {
            guard StoreLocation.isStore(target) else {
                try FileManager.default.createDirectory(atPath: originsDirectory, withIntermediateDirectories: true)
                let (copy, report) = try Store.clone(url: remote.url, into: target, origin: other, keyFingerprint: keyFingerprint,
                                                     held: true, remoteName: remote.name)
                copy.holder = self
                openedOrigins[other] = copy
                return report
            }
            let copy = try heldOrigin(other)
            try copy.setRemote(name: remote.name, url: remote.url)
            return try copy.pull(from: remote.name)
        } catch {
            let failure = LineageError.wrap(error)
            throw LineageError(failure.kind, "the log \(other) from \(remote.name): " + failure.message)
        }
    }

    /// The other origins whose logs this store holds a copy of, sorted.
    public func heldOrigins() -> [String] {
        guard !isHeldCopy, let names = try? FileManager.default.contentsOfDirectory(atPath: originsDirectory) else { return [] }
        return names.filter { !$0.contains(".partial-") }
            .map { $0.replacingOccurrences(of: "%2F", with: "/") }
            .filter { (try? Store.validate(origin: $0)) != nil && $0 != origin && StoreLocation.isStore(originPath($0)) }
            .sorted()
    }

    /// The copy of another origin's log held here.
    public func heldOrigin(_ origin: String) throws -> Store {
        if let opened = openedOrigins[origin] { return opened }
        let store = try Store.open(at: originPath(origin))
        guard store.origin == origin, store.copiedFrom != nil else {
            throw LineageError.storage("\(originPath(origin)) does not hold a copy of the log \(origin); move it aside and run `lineage pull`")
        }
        store.holder = self
        store.notice = notice
        openedOrigins[origin] = store
        return store
    }

    /// Every log this store's records may link into: its own first, then the other origins held
    /// (for a copy under another store, that store's family).
    public func family() throws -> [Store] {
        if let holder { return try holder.family() }
        return try [self] + heldOrigins().map(heldOrigin)
    }

    /// The record with this id in a log of the family other than this one, with the store holding it.
    public func recordElsewhere(id: Digest) throws -> (store: Store, entry: IndexedRecord)? {
        for store in try family() where store !== self {
            if let entry = try store.lookups.record(id: id) { return (store, entry) }
        }
        return nil
    }

    /// The record with this id in this log or another of the family.
    public func recordInFamily(id: Digest) throws -> (store: Store, entry: IndexedRecord)? {
        if let entry = try index.record(id: id) { return (self, entry) }
        return try recordElsewhere(id: id)
    }

    /// Resolves what a user typed as `resolve` does, in this log first and then in the other logs
    /// held here: a name found in more than one other log is ambiguous.
    public func resolveInFamily(_ reference: String, at: Int64? = nil) throws -> (store: Store, entry: IndexedRecord) {
        let local: LineageError
        do { return (self, try resolve(reference, at: at)) } catch let error as LineageError where error.kind == .notFound {
            local = error
        }
        var found: [(Store, IndexedRecord)] = []
        for store in try family() where store !== self {
            do { found.append((store, try store.resolve(reference, at: at))) } catch let error as LineageError where error.kind == .notFound {}
        }
        switch found.count {
        case 0:
            throw LineageError(local.kind, local.message + "; if another store recorded it, pull its log with `lineage pull REMOTE` (`lineage remote list`)")
        case 1: return found[0]
        default:
            let listed = found.map { "\($0.1.id) in \($0.0.origin)" }.joined(separator: ", ")
            throw LineageError.input("\(Names.printable(reference)) names records of several logs held here (\(listed)); give the full id")
        }
    }

    /// What to say of a link to a record no log here holds: the logs held, and the logs the remotes
    /// held at their last fetch that were not pulled (a record's id does not say its origin).
    public func missingLinkAdvice(_ target: String) -> String {
        let held = (try? family().map(\.origin)) ?? [origin]
        let unpulled = ((try? remotes()) ?? []).flatMap { remote in
            (((try? repository.configValue("remote.\(remote.name).lineageorigins")) ?? nil) ?? "")
                .split(separator: " ").map(String.init).filter { !held.contains($0) }.map { (remote.name, $0) }
        }
        let advice = unpulled.isEmpty
            ? "if another store recorded it, run `lineage pull REMOTE` from a remote that store pushes to (`lineage remote list`)"
            : "its log may be one not pulled here: " + unpulled.map { "`lineage pull \($0.0) --origin \($0.1)`" }.joined(separator: ", ")
        return "links to \(target), which no log here holds (\(held.joined(separator: ", "))): record it first, or \(advice)"
    }

    /// Names the deployments of each log of the family that were indexed without a name because
    /// their model is in another origin's log that was not held then (a deployment is named
    /// `model/environment`, after its model).
    func nameDeploymentsAcrossLogs() throws {
        for store in try family() {
            let unnamed = try store.index.unnamedDeployments()
            guard !unnamed.isEmpty else { continue }
            let lock = try WriteLock(path: (store.path as NSString).appendingPathComponent("lock"))
            defer { withExtendedLifetime(lock) {} }
            for seq in unnamed {
                guard let entry = try store.index.record(seq: seq) else { continue }
                let record = try store.read(entry)
                if let name = try IndexRow.name(of: record, nameOf: { try store.recordInFamily(id: $0)?.entry.name }) {
                    try store.index.setName(name, seq: seq)
                }
            }
        }
    }

    /// Verifies the copy of each other origin's log held here (see `verify`), in the order of their origins.
    public func verifyHeldOrigins() throws -> [(origin: String, report: VerifyReport)] {
        try heldOrigins().map { other in
            do {
                return (other, try heldOrigin(other).verify())
            } catch {
                let failure = LineageError.wrap(error)
                throw LineageError(failure.kind, "the copy of the log \(other) (pulled): " + failure.message)
            }
        }
    }

    /// The log of the family with this origin.
    func familyMember(_ origin: String) throws -> Store? {
        try family().first { $0.origin == origin }
    }

    /// The upstream lineage of what `reference` names, in whichever log held here records it.
    public func trace(_ reference: String) throws -> TraceGraph {
        let (store, entry) = try resolveInFamily(reference)
        return try store.trace(from: entry)
    }

    /// The payload states of a traced record, asked of the log that holds it.
    public func payloadStates(in graph: TraceGraph) -> (IndexedRecord, Record) -> [String: PayloadState] {
        { entry, record in
            let store = (try? self.familyMember(graph.origin(of: entry.id))) ?? nil
            return store?.payloadStates(of: entry, record: record) ?? [:]
        }
    }
}
