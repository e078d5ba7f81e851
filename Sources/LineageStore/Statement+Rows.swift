import GRDB
import GRDBSQLite

/// One row of a statement being stepped by `Statement.forEachRow`, read straight from SQLite.
struct RawRow {
    fileprivate let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func int64OrNil(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func bytes(_ column: Int32) -> [UInt8]? {
        guard !isNull(column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func text(_ column: Int32) -> String? {
        guard !isNull(column), let text = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: text)
    }
}

extension Statement {
    /// Steps this statement with `values` bound to its parameters, calling `body` with each row: for
    /// reads made once per record, where GRDB's generic argument and row decoding cost more than
    /// SQLite's own work.
    func forEachRow(binding values: Int64..., body: (RawRow) throws -> Void) throws {
        try step(binding: values, body)
    }

    /// Steps this statement with GRDB's `arguments` bound, calling `body` with each row (see above).
    func forEachRow(arguments: StatementArguments, body: (RawRow) throws -> Void) throws {
        try setArguments(arguments)
        try step(binding: [], body)
    }

    /// The first column of each row, as integers (see `forEachRow`).
    func integers(binding values: Int64...) throws -> [Int64] {
        var result: [Int64] = []
        try step(binding: values) { result.append($0.int64(0)) }
        return result
    }

    /// The first column of each row with GRDB's `arguments` bound, as integers.
    func integers(arguments: StatementArguments) throws -> [Int64] {
        var result: [Int64] = []
        try forEachRow(arguments: arguments) { result.append($0.int64(0)) }
        return result
    }

    /// The error SQLite reported with `code` while stepping this statement.
    func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }

    private func step(binding values: [Int64], _ body: (RawRow) throws -> Void) throws {
        let statement = sqliteStatement
        defer { sqlite3_reset(statement) }
        for (index, value) in values.enumerated() { sqlite3_bind_int64(statement, Int32(index + 1), value) }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try body(RawRow(statement: statement))
            case SQLITE_DONE: return
            case let code: throw failure(code)
            }
        }
    }
}
