import GRDB

/// Rows inserted many to a statement (`INSERT … VALUES (…), (…), …`): one statement per row
/// costs more in binding and stepping than SQLite spends storing the row.
struct BulkInsert {
    private let db: Database
    private let head: String
    private let width: Int
    private let rowsPerStatement: Int
    private var values: [DatabaseValue] = []

    /// Inserts into `table` the `columns` given, `rowsPerStatement` rows at a time.
    init(_ db: Database, _ verb: String = "INSERT", into table: String, columns: [String], rowsPerStatement: Int = 100) {
        self.db = db
        head = "\(verb) INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        width = columns.count
        self.rowsPerStatement = rowsPerStatement
        values.reserveCapacity(width * rowsPerStatement)
    }

    /// Queues one row (one value per column); runs a statement when enough are queued.
    mutating func add(_ row: DatabaseValue...) throws {
        values += row
        if values.count >= width * rowsPerStatement { try flush() }
    }

    /// Inserts what is queued.
    mutating func flush() throws {
        guard !values.isEmpty else { return }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let sql = head + Array(repeating: tuple, count: values.count / width).joined(separator: ", ")
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
        values.removeAll(keepingCapacity: true)
    }
}
