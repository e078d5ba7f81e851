import Foundation
import LineageCore
import LineageStore

/// The filters of a listing (`lineage query`, `GET /v1/records`) as a user gives them, combined
/// with AND; the engine resolves the references they name.
public struct ListingFilter: Sendable {
    public var kind: RecordKind?
    /// The index name: a dataset/model/run/transform name, `model/env` for deployments, the prediction id.
    public var name: String?
    /// A model reference: that version, the records linking to it or its deployments and the
    /// predictions they served; `model:NAME` without a version means every version.
    public var model: String?
    /// Records linking to this deployment.
    public var deployment: String?
    /// Records linking to all of these references.
    public var linkedTo: [String] = []
    public var actor: String?
    /// Milliseconds since 1970: inclusive lower, exclusive upper bound on the record time.
    public var since: Int64?
    public var until: Int64?
    /// Record fields equal to values (`FIELD=VALUE`; a non-string field is compared in canonical JSON).
    public var conditions: [(field: String, value: String)] = []
    /// At most this many records.
    public var limit: Int?

    public init() {}

    /// Refuses a condition on a field that no record of the kind asked for has.
    public func check() throws {
        let kinds = kind.map { [$0] } ?? RecordKind.allCases
        for condition in conditions where !kinds.contains(where: { RecordSchema.of($0).field(condition.field) != nil }) {
            throw LineageError.input("--where filters on an unknown field '\(condition.field)'" + (kind.map { " for \($0) records" } ?? "") + "; see docs/records.md")
        }
    }

    /// True when the filters need each record's body (not only its index row).
    var needsBodies: Bool { actor != nil || !conditions.isEmpty }
}

/// One record of a listing: its index row, and its body when it was read.
public struct ListedRecord {
    public let entry: IndexedRecord
    public let record: Record?
    /// The origin of the log holding it, when that is another origin's log held by the store.
    public var origin: String? = nil

    /// The NDJSON line shape (see `RecordLabel.json`, plus `origin` for a record of another
    /// origin's log); nil without the body.
    public var json: JSONValue? {
        record.map { record in
            guard let origin, case .object(var object) = RecordLabel.json(entry, record) else { return RecordLabel.json(entry, record) }
            object["origin"] = .string(origin)
            return .object(object)
        }
    }

    /// The CSV columns, in the order of `csvHeader`.
    public static let csvHeader = ["id", "seq", "time", "kind", "ref", "actor", "record"]

    /// One CSV row (RFC 4180 quoting); empty actor and record without the body.
    public var csvRow: String {
        [entry.id.description, String(entry.seq), RecordTime.format(milliseconds: entry.timeMilliseconds),
         entry.kind.rawValue, RecordLabel.reference(entry), record?["actor"]?.stringValue ?? "",
         record.map { JSONValue.object($0.object).canonicalString } ?? ""].map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180 quoting.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension Store {
    /// Calls `each` with every record matching `filter`, in log order, streaming (never holding the
    /// result set): the store's own log first, then each other origin's log held here. `bodies`: read
    /// every record's body (for JSON or CSV).
    public func list(_ filter: ListingFilter, bodies: Bool, _ each: (ListedRecord) throws -> Void) throws {
        try filter.check()
        let linked = try (filter.linkedTo + (filter.deployment.map { [$0] } ?? [])).map { try resolveInFamily($0) }
        var models: (store: Store, entries: [IndexedRecord])?
        if let model = filter.model {
            let (holder, entry) = try resolveInFamily(model)
            guard entry.kind == .model else { throw LineageError.input("--model \(Names.printable(model)) is a \(entry.kind), not a model") }
            // model:NAME without a version means every version of it.
            let unversioned = model.hasPrefix("model:") && !model.contains("@")
            models = (holder, try unversioned ? holder.lookups.records(kind: .model, name: entry.name ?? "") : [entry])
        }
        var listed = 0
        let reading = bodies || filter.needsBodies
        for store in try family() {
            // Where each named record sits for this log: its position, or the number standing for a
            // record of another log; a log with no record linking to it has nothing to list.
            func position(_ holder: Store, _ entry: IndexedRecord) throws -> Int64? {
                holder === store ? entry.seq : try store.lookups.foreignPosition(of: entry.id)
            }
            var query = RecordQuery()
            query.kind = filter.kind
            query.name = filter.name
            query.since = filter.since
            query.until = filter.until
            let positions = try linked.map { try position($0.store, $0.entry) }
            guard !positions.contains(nil) else { continue }
            query.linkedTo = positions.compactMap { $0 }
            if let models {
                query.servedByModels = try models.entries.compactMap { try position(models.store, $0) }.sorted()
                guard !query.servedByModels.isEmpty else { continue }
            }
            var more = true
            try store.query(query, readingRecords: reading) { entry in
                let record = reading ? try store.read(entry) : nil
                if let actor = filter.actor, record?["actor"]?.stringValue != actor { return true }
                for (field, value) in filter.conditions {
                    guard let present = record?[field], (present.stringValue ?? present.canonicalString) == value else { return true }
                }
                try each(ListedRecord(entry: entry, record: reading ? record : nil, origin: store === self ? nil : store.origin))
                listed += 1
                more = filter.limit.map { listed < $0 } ?? true
                return more
            }
            guard more else { return }
        }
    }

    /// The newest records, newest first (`lineage log`), with their bodies when asked.
    public func recent(kind: RecordKind?, limit: Int, bodies: Bool) throws -> [ListedRecord] {
        try lookups.recent(kind: kind, limit: limit).map { ListedRecord(entry: $0, record: bodies ? try read($0) : nil) }
    }
}
