import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SQLiteNIO
import Testing
import Vapor

@testable import ZhiliApp

@Suite("Database plumbing: transactions that meet a stale snapshot")
struct DatabaseTests {
    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite's deferred transactions only"))
    func aWriteTransactionWhoseSnapshotWentStaleStartsAgain() async throws {
        try await withTestApp { app in
            guard case .sqlite(let path) = app.zhili.config.database else {
                Issue.record("expected an SQLite database")
                return
            }
            let other = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: app.threadPool,
                logger: app.logger, on: app.eventLoopGroup.any())
            let attempts = NIOLockedValueBox(0)
            try await app.db.writeTransaction { db in
                let attempt = attempts.withLockedValue { value -> Int in
                    value += 1
                    return value
                }
                let sql = try db.sql
                _ = try await sql.raw("SELECT count(*) AS n FROM nodes").all()
                // Another connection commits between this transaction's read and its write.
                if attempt == 1 {
                    _ = try await other.query(
                        "INSERT INTO audit_log (at, action, entity, outcome) VALUES (0, 'test', 'test', 'ok')", [])
                }
                try await sql.raw("UPDATE nodes SET name = name WHERE code = '620982'").run()
            }
            try await other.close()
            #expect(
                attempts.withLockedValue { $0 } == 2, "the first attempt met the stale snapshot and was started again")

            // A plain transaction meets the same refusal (what the wrapper is for).
            let second = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: app.threadPool,
                logger: app.logger, on: app.eventLoopGroup.any())
            await #expect(throws: SQLiteError.self) {
                try await app.db.transaction { db in
                    let sql = try db.sql
                    _ = try await sql.raw("SELECT count(*) AS n FROM nodes").all()
                    _ = try await second.query(
                        "INSERT INTO audit_log (at, action, entity, outcome) VALUES (0, 'test', 'test', 'ok')", [])
                    try await sql.raw("UPDATE nodes SET name = name WHERE code = '620982'").run()
                }
            }
            try await second.close()
        }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres, "the read-only connections exist on SQLite only"))
    func aTransactionOnAHandleThatCannotOpenOneIsRefused() async throws {
        try await withTestApp { app in
            let reader = try #require(app.zhili.readers?.sql(), "the server opened its read-only connections")
            let ran = NIOLockedValueBox(false)
            await #expect(throws: NoTransactionOnHandle.self) {
                try await reader.transactionally { _ in ran.withLockedValue { $0 = true } }
            }
            #expect(!ran.withLockedValue { $0 }, "the body never runs without its transaction")
        }
    }
}
