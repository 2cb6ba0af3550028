import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SQLiteNIO
import Testing
import Vapor
@testable import ZhiliApp

@Suite("Database plumbing: transactions that meet a stale snapshot")
struct DatabaseTests {
    @Test func aWriteTransactionWhoseSnapshotWentStaleStartsAgain() async throws {
        guard !TestDatabase.isPostgres else { return }   // SQLite's deferred transactions only
        try await withTestApp { app in
            guard case .sqlite(let path) = app.zhili.config.database else { return }
            let other = try await SQLiteConnection.open(storage: .file(path: path), threadPool: app.threadPool,
                                                        logger: app.logger, on: app.eventLoopGroup.any())
            let attempts = NIOLockedValueBox(0)
            try await app.db.writeTransaction { db in
                let attempt = attempts.withLockedValue { value -> Int in
                    value += 1
                    return value
                }
                let sql = db as! any SQLDatabase
                _ = try await sql.raw("SELECT count(*) AS n FROM nodes").all()
                // Another connection commits between this transaction's read and its write.
                if attempt == 1 {
                    _ = try await other.query("INSERT INTO audit_log (at, action, entity, outcome) VALUES (0, 'test', 'test', 'ok')", [])
                }
                try await sql.raw("UPDATE nodes SET name = name WHERE code = '620982'").run()
            }
            try await other.close()
            #expect(attempts.withLockedValue { $0 } == 2, "the first attempt met the stale snapshot and was started again")

            // A plain transaction meets the same refusal (what the wrapper is for).
            let second = try await SQLiteConnection.open(storage: .file(path: path), threadPool: app.threadPool,
                                                         logger: app.logger, on: app.eventLoopGroup.any())
            await #expect(throws: SQLiteError.self) {
                try await app.db.transaction { db in
                    let sql = db as! any SQLDatabase
                    _ = try await sql.raw("SELECT count(*) AS n FROM nodes").all()
                    _ = try await second.query("INSERT INTO audit_log (at, action, entity, outcome) VALUES (0, 'test', 'test', 'ok')", [])
                    try await sql.raw("UPDATE nodes SET name = name WHERE code = '620982'").run()
                }
            }
            try await second.close()
        }
    }
}
