import Foundation
import NIOConcurrencyHelpers
import SQLiteKit
import SQLiteNIO
import Vapor

/// Read-only SQLite connections of our own beside Fluent's pool: four for the busiest reads
/// (resident search, profiles) and one for long background reads (the hierarchy's counts).
///
/// Through Fluent's connection pool every SQLite query hands each result row to the event
/// loop as a task of its own (SQLiteNIO's future-based query, which the pool uses), so a
/// page of twenty people is twenty hand-offs between threads plus the futures that gather
/// them. A connection's own async query reads all rows on the database thread and resumes
/// the caller once. These connections are opened when the server boots, are read-only
/// (`PRAGMA query_only`: nothing can be written through them, so they never wait for the
/// write lock) and in WAL mode see every committed write at their next statement. On
/// PostgreSQL, in the command-line tools and before boot there are none and callers use the
/// ordinary path.
final class SQLiteReaders: Sendable {
    private let connections = NIOLockedValueBox<[SQLiteConnection]>([])
    private let turn = NIOLockedValueBox(0)
    let path: String
    let count: Int

    init(path: String, count: Int = 4) {
        self.path = path
        self.count = count
    }

    var isOpen: Bool { !connections.withLockedValue(\.isEmpty) }

    func open(threadPool: NIOThreadPool, eventLoops: any EventLoopGroup, logger: Logger) async throws {
        var opened: [SQLiteConnection] = []
        for _ in 0..<count {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoops.any())
            for pragma in ["PRAGMA query_only = 1", "PRAGMA temp_store = MEMORY"] {
                _ = try await connection.query(pragma, [])
            }
            opened.append(connection)
        }
        connections.withLockedValue { $0 = opened }
        logger.debug("SQLite: \(count) read-only connection(s) of our own open")
    }

    /// The next connection as an `SQLDatabase` (its queries take the connection's own async
    /// path); nil when none is open.
    func sql() -> (any SQLDatabase)? {
        next()?.sql(queryLogLevel: .trace)
    }

    /// Rows of one statement on the next connection; nil when none is open.
    func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow]? {
        guard let connection = next() else { return nil }
        return try await connection.query(sql, binds)
    }

    /// Round robin over the open connections.
    private func next() -> SQLiteConnection? {
        let all = connections.withLockedValue { $0 }
        guard !all.isEmpty else { return nil }
        let turn = turn.withLockedValue { value -> Int in
            value = (value &+ 1) & 0xFFFF
            return value
        }
        return all[turn % all.count]
    }

    func close() async {
        let all = connections.withLockedValue { value -> [SQLiteConnection] in
            defer { value = [] }
            return value
        }
        for connection in all { try? await connection.close() }
    }
}

/// Opens the connections once the server has booted (migrations done), closes them at shutdown.
struct SQLiteReadersLifecycle: LifecycleHandler {
    let sets: [SQLiteReaders]

    func didBootAsync(_ application: Application) async throws {
        for set in sets {
            try await set.open(
                threadPool: application.threadPool, eventLoops: application.eventLoopGroup, logger: application.logger)
        }
    }

    func shutdownAsync(_ application: Application) async {
        for set in sets { await set.close() }
    }
}
