import Foundation
import GRDB
import Testing
@testable import LineageStore

@Suite("bulk inserts bound straight to SQLite")
struct BulkInsertTests {
    @Test("rows of every storage class land; a broken constraint throws and OR ROLLBACK ends the transaction")
    func bindsAndRollsBack() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v)") }
        try queue.inDatabase { db in
            try db.beginTransaction()
            var insert = BulkInsert(db, into: "t", columns: ["k", "v"], rowsPerStatement: 2)
            try insert.add(1.databaseValue, "a".databaseValue)
            try insert.add(2.databaseValue, Data([1, 2]).databaseValue)
            try insert.add(3.databaseValue, DatabaseValue.null)
            try insert.add(4.databaseValue, 0.5.databaseValue)
            try insert.flush()
            try db.commit()
        }
        let rows = try queue.read { try Row.fetchAll($0, sql: "SELECT k, v FROM t ORDER BY k") }
        #expect(rows.map { $0[0] as Int64 } == [1, 2, 3, 4])
        #expect(rows[0][1] as String == "a")
        #expect(rows[1][1] as Data == Data([1, 2]))
        #expect(rows[2][1] as DatabaseValue == .null)
        #expect(rows[3][1] as Double == 0.5)
        try queue.inDatabase { db in
            try db.beginTransaction()
            var insert = BulkInsert(db, "INSERT OR ROLLBACK", into: "t", columns: ["k", "v"], rowsPerStatement: 2)
            try insert.add(5.databaseValue, "b".databaseValue)
            #expect(throws: DatabaseError.self) { try insert.add(1.databaseValue, "again".databaseValue) }
            #expect(!db.isInsideTransaction)
        }
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 4)
    }
}
