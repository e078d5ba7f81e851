import GRDB
import LineageCore

/// Filters for `lineage query`, all optional, combined with AND.
public struct RecordQuery: Sendable {
    /// Only records of this kind.
    public var kind: RecordKind?
    /// The index name: a dataset/model/run/transform name, `model/env` for deployments, the prediction id.
    public var name: String?
    /// Records that link to all of these (log positions), through any field.
    public var linkedTo: [Int64] = []
    /// Records that link to this model (log position) directly or through one of its deployments.
    public var servedByModel: Int64?
    /// Milliseconds since 1970, inclusive lower and exclusive upper bounds on the record time.
    public var since: Int64?
    /// Exclusive upper bound on the record time.
    public var until: Int64?

    /// Creates a query that matches every record.
    public init() {}
}

extension Store {
    /// Calls `each` with every record matching `query`, in log order, one page at a time, so the
    /// result set is never held in memory; `each` returns false to stop.
    public func query(_ query: RecordQuery, pageSize: Int = 1000, _ each: (IndexedRecord) throws -> Bool) throws {
        var after: Int64 = -1
        while true {
            let page = try index.page(query, after: after, limit: pageSize)
            for entry in page {
                guard try each(entry) else { return }
            }
            guard let last = page.last, page.count == pageSize else { return }
            after = last.seq
        }
    }
}

extension Index {
    /// Up to `limit` records matching `query` after log position `after`.
    func page(_ query: RecordQuery, after: Int64, limit: Int) throws -> [IndexedRecord] {
        var conditions = ["r.seq > ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [after]
        var from = "record r"
        var linked = query.linkedTo
        // Drive from the link index when the query names a record to link to. Each page then resumes
        // in that index at `l0.src > after` (its order within one target), not from its start.
        if let first = linked.first {
            from = "link l0 JOIN record r ON r.seq = l0.src"
            conditions = ["l0.dst = ?", "l0.src > ?"]
            arguments = [first, after]
            linked.removeFirst()
        }
        if let kind = query.kind { conditions.append("r.kind = ?"); arguments.append(kind.rawValue) }
        if let name = query.name { conditions.append("r.name = ?"); arguments.append(name) }
        if let since = query.since { conditions.append("r.time >= ?"); arguments.append(since) }
        if let until = query.until { conditions.append("r.time < ?"); arguments.append(until) }
        for target in linked {
            conditions.append("EXISTS (SELECT 1 FROM link l WHERE l.src = r.seq AND l.dst = ?)")
            arguments.append(target)
        }
        if let model = query.servedByModel {
            conditions.append("""
                EXISTS (SELECT 1 FROM link l WHERE l.src = r.seq AND (l.dst = ? OR l.dst IN
                    (SELECT d.src FROM link d WHERE d.dst = ? AND d.relation = 'model')))
                """)
            arguments += [model, model]
        }
        let columns = "r.seq AS seq, r.id AS id, r.kind AS kind, r.name AS name, r.version AS version, r.time AS time, r.batch AS batch, r.offset AS offset, r.length AS length, r.digest AS digest"
        let order = query.linkedTo.isEmpty ? "r.seq" : "l0.src"
        let sql = "SELECT DISTINCT \(columns) FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        arguments.append(limit)
        return try rows(sql, StatementArguments(arguments) ?? [])
    }
}
