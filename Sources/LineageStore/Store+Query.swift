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
    /// Records about these models (log positions of model versions): the versions themselves, the
    /// records that link to them (approvals, deployments), and the predictions their deployments served.
    public var servedByModels: [Int64] = []
    /// Milliseconds since 1970, inclusive lower and exclusive upper bounds on the record time.
    public var since: Int64?
    /// Exclusive upper bound on the record time.
    public var until: Int64?

    /// Creates a query that matches every record.
    public init() {}

    /// Creates a query for every record of `kind`.
    public init(kind: RecordKind) { self.kind = kind }
}

extension Store {
    /// Calls `each` with every record matching `query`, in log order, one page at a time, so the
    /// result set is never held in memory; `each` returns false to stop. Say `readingRecords` when
    /// `each` reads every record's body.
    public func query(_ query: RecordQuery, pageSize: Int = 1000, readingRecords: Bool = false,
                      _ each: (IndexedRecord) throws -> Bool) throws {
        let plan = try index.plan(query)
        // Predictions are named from their segments, so their segments are read in any case.
        let prefetching = readingRecords || query.kind == .prediction || !plan.servingTargets.isEmpty
        var after: Int64 = -1
        // Segments are read on another thread two pages ahead of the page being handed out, so that
        // thread always has work while this one formats.
        var prefetchedTo: Int64? = -1
        func prefetchPage() throws {
            guard prefetching, let from = prefetchedTo else { return }
            let positions = try index.pagePositions(query, plan: plan, after: from, limit: pageSize)
            try prefetchSegments(of: positions)
            prefetchedTo = positions.last
        }
        try prefetchPage()
        try prefetchPage()
        while true {
            let (page, last) = try index.page(query, plan: plan, after: after, limit: pageSize)
            try prefetchPage()
            for entry in page {
                guard try each(entry) else { return }
            }
            guard let last else { return }
            after = last
        }
    }
}

/// How a query finds its records: through the link table, the predictions' serving column, or
/// a scan in log order.
struct QueryPlan {
    /// Records linking to these (through `link`), when the query names a record to link to.
    var linkTargets: [Int64] = []
    /// Predictions served by these (through `record.target`).
    var servingTargets: [Int64] = []
    /// Log positions outside which no matching prediction lies (from the serving index).
    var bounds: ClosedRange<Int64> = -1...Int64.max
    /// Records matched by position (the model versions a query is about).
    var selfTargets: [Int64] = []
    var driven: Bool { !linkTargets.isEmpty || !servingTargets.isEmpty || !selfTargets.isEmpty }
}

extension Index {
    /// Decides how to drive `query`; looks up the bounds of its predictions once.
    func plan(_ query: RecordQuery) throws -> QueryPlan {
        var plan = QueryPlan()
        var targets: [Int64] = []
        if let first = query.linkedTo.first {
            targets = [first]
        } else if !query.servedByModels.isEmpty {
            for model in query.servedByModels {
                targets += try [model] + dependents(of: model).filter { $0.relation == "model" && $0.record.kind == .deployment }.map(\.record.seq)
            }
            if query.kind == nil || query.kind == .model { plan.selfTargets = query.servedByModels }
        } else {
            return plan
        }
        if query.kind != .prediction { plan.linkTargets = targets }
        if query.kind == nil || query.kind == .prediction {
            plan.servingTargets = targets
            if query.since != nil || query.until != nil {
                let list = targets.map(String.init).joined(separator: ",")
                let (low, high) = try reading { db in
                    let row = try Row.fetchOne(db, sql: """
                        SELECT MIN(seq) AS low, MAX(seq) AS high FROM record
                        WHERE target IN (\(list)) AND time >= ? AND time < ?
                        """, arguments: [query.since ?? Int64.min, query.until ?? Int64.max])
                    return (row?["low"] as Int64?, row?["high"] as Int64?)
                }
                if let low, let high { plan.bounds = low...high } else { plan.servingTargets = [] }
            }
        }
        return plan
    }

    /// Up to `limit` records matching `query` after log position `after`, and the position to
    /// resume after (nil when there is no more).
    func page(_ query: RecordQuery, plan: QueryPlan, after: Int64, limit: Int) throws -> ([IndexedRecord], Int64?) {
        var found = try pageStatements(query, plan: plan, after: after, limit: limit, columns: Index.columns)
            .flatMap { try rows($0.sql, $0.arguments) }
        found.sort { $0.seq < $1.seq }
        found = Array(found.prefix(limit))
        let last = found.count == limit ? found.last?.seq : nil
        if let name = query.name { found.removeAll { $0.name != name } }
        return (found, last)
    }

    /// The log positions of the page `page` would return, without reading any record.
    func pagePositions(_ query: RecordQuery, plan: QueryPlan, after: Int64, limit: Int) throws -> [Int64] {
        let statements = try pageStatements(query, plan: plan, after: after, limit: limit, columns: "r.seq AS seq")
        let positions = try reading { db in
            try statements.flatMap { try db.cachedStatement(sql: $0.sql).integers(arguments: $0.arguments) }
        }
        return Array(positions.sorted().prefix(limit))
    }

    /// The statements (one or two, to merge by position) selecting `columns` for a page.
    private func pageStatements(_ query: RecordQuery, plan: QueryPlan, after: Int64, limit: Int,
                                columns: String) throws -> [(sql: String, arguments: StatementArguments)] {
        var common: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since = query.since { common.append("+r.time >= ?"); arguments.append(since) }
        if let until = query.until { common.append("+r.time < ?"); arguments.append(until) }
        for target in query.linkedTo.dropFirst() {
            common.append("(EXISTS (SELECT 1 FROM link l WHERE l.src = r.seq AND l.dst = ?) OR +r.target = ?)")
            arguments += [target, target]
        }
        if let name = query.name {
            common.append("(r.name = ? OR r.seq IN (SELECT seq FROM any_pkey WHERE pkey = ?))")
            arguments += [name, Index.predictionKey(name)]
        }
        if let kind = query.kind {
            common.append(kind == .prediction ? "r.kind = 1" : "r.kind = ? AND r.kind <> 1")
            if kind != .prediction { arguments.append(Index.code(kind)) }
        }
        func select(_ from: String, _ conditions: [String], _ first: [(any DatabaseValueConvertible)?], order: String) -> (String, StatementArguments) {
            let sql = "SELECT DISTINCT \(columns) FROM \(from) WHERE \((conditions + common).joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
            return (sql, StatementArguments(first + arguments + [limit]))
        }
        guard plan.driven else { return [select("record r", ["r.seq > ?"], [after], order: "r.seq")] }
        var statements: [(String, StatementArguments)] = []
        if !plan.selfTargets.isEmpty {
            let list = plan.selfTargets.map(String.init).joined(separator: ",")
            statements.append(select("record r", ["r.seq IN (\(list))", "r.seq > ?"], [after], order: "r.seq"))
        }
        if !plan.linkTargets.isEmpty {
            let list = plan.linkTargets.map(String.init).joined(separator: ",")
            statements.append(select("link l0 JOIN record r ON r.seq = l0.src", ["l0.dst IN (\(list))", "l0.src > ?"], [after], order: "l0.src"))
        }
        if !plan.servingTargets.isEmpty {
            let list = plan.servingTargets.map(String.init).joined(separator: ",")
            statements.append(select("record r", ["+r.target IN (\(list))", "r.seq > ?", "r.seq <= ?"],
                                     [max(after, plan.bounds.lowerBound - 1), plan.bounds.upperBound], order: "r.seq"))
        }
        return statements
    }
}
