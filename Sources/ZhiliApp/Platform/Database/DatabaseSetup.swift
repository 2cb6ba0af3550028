import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    /// SQLite runs its statements on NIO's process-wide blocking thread pool (as many threads as
    /// cores), and SQLiteNIO's busy handler retries on that thread without pause while another
    /// connection holds the write lock. Two such waits (of two applications in one process, as
    /// in the tests, or two cores' worth of writers) could hold every thread while the lock
    /// holder waits for one to commit: a deadlock. A pool larger than the writing connections
    /// always leaves one free. Set once, before the pool is first used (NIO refuses a second
    /// setting); `NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT` overrides it.
    static let blockingPoolSized: Void = {
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"] == nil {
            NIOSingletons.blockingPoolThreadCountSuggestion = max(8, System.coreCount * 2)
        }
    }()

    static func use(_ database: AppConfig.Database, on app: Application) throws {
        switch database {
        case .sqlite(let path):
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            app.databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url, let schema):
            var sqlConfig: SQLPostgresConfiguration
            do { sqlConfig = try SQLPostgresConfiguration(url: url) } catch {
                throw ConfigError("DATABASE_URL could not be read: \(error) / DATABASE_URL 无法解析")
            }
            if let schema { sqlConfig.searchPath = [schema] }
            app.databases.use(
                .postgres(configuration: sqlConfig, maxConnectionsPerEventLoop: 8, sqlLogLevel: .trace), as: .psql)
        }
    }

    /// WAL lets readers run beside the single writer. `synchronous=FULL` syncs the log at every
    /// commit, so whatever the server acknowledged (a complaint, an alarm) survives a power cut,
    /// not only a crash of the app. `temp_store=MEMORY` keeps the statement journals of
    /// multi-row writes inside a transaction in memory (otherwise SQLite opens a temporary file
    /// per statement: an eighth of a bulk import's time). The settings belong to a connection,
    /// so they are applied on each event loop's connection.
    static func tune(_ app: Application) async throws {
        guard try app.db.sql.dialect.name == "sqlite" else { return }
        try await app.db.sql.raw("PRAGMA journal_mode=WAL").run()
        for loop in app.eventLoopGroup.makeIterator() {
            guard let database = app.databases.database(logger: app.logger, on: loop) else {
                throw NotAnSQLDatabase(handle: "no default database configured")
            }
            let sql = try database.sql
            try await sql.raw("PRAGMA synchronous=FULL").run()
            try await sql.raw("PRAGMA temp_store=MEMORY").run()
        }
    }
}
