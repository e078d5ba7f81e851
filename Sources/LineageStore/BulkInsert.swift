import Foundation
import GRDB
import GRDBSQLite

/// Rows inserted many to a statement (`INSERT … VALUES (…), (…), …`), bound straight to SQLite: one
/// statement per row, or GRDB's argument conversion per value, costs more than SQLite spends storing
/// the row. Used inside a transaction; a failure throws and the caller rolls back.
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
        let prepared = try db.cachedStatement(sql: sql)
        let statement = prepared.sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let bound: Int32
            switch value.storage {
            case .null: bound = sqlite3_bind_null(statement, position)
            case .int64(let int): bound = sqlite3_bind_int64(statement, position, int)
            case .double(let double): bound = sqlite3_bind_double(statement, position, double)
            case .string(let string): bound = sqlite3_bind_text(statement, position, string, -1, BulkInsert.transient)
            case .blob(let data):
                bound = data.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), BulkInsert.transient) }
            }
            // A value that cannot be bound (out of memory, too big) must fail the insert, not become NULL.
            guard bound == SQLITE_OK else { throw prepared.failure(bound) }
        }
        let result = sqlite3_step(statement)
        guard result == SQLITE_DONE else { throw prepared.failure(result) }
        values.removeAll(keepingCapacity: true)
    }

    /// SQLite copies the bytes it is given.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
