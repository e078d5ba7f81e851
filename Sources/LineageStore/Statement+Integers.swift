import GRDB
import GRDBSQLite

extension Statement {
    /// The first column of each row this statement yields with `values` bound to its parameters, as
    /// integers, stepped straight through SQLite: for lookups made once per record, where GRDB's
    /// generic argument and row decoding cost more than the lookup itself.
    func integers(binding values: Int64...) throws -> [Int64] {
        let statement = sqliteStatement
        defer { sqlite3_reset(statement) }
        for (index, value) in values.enumerated() { sqlite3_bind_int64(statement, Int32(index + 1), value) }
        var result: [Int64] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: result.append(sqlite3_column_int64(statement, 0))
            case SQLITE_DONE: return result
            case let code:
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))), sql: sql)
            }
        }
    }
}
