import FluentPostgresDriver
import SQLKit
import Vapor

/// The platform's own long-lived parts, reachable from any request as `req.zhili`: settings,
/// the field cipher, the audit log, media, sessions, cluster events and SQLite's read-only
/// connections. Capabilities keep their services apart, each in `app.storage` under its own
/// typed key (`app.hierarchy`, `app.registry`, `app.complaints`, `app.notifications`).
public final class ZhiliContext: Sendable {
    public let config: AppConfig
    public let cipher: FieldCipher
    let audit: AuditBatcher
    let media: MediaStore
    /// Session tokens already checked by this instance (see `VerifiedTokens`).
    let verifiedTokens = VerifiedTokens()
    /// Events every instance hears (PostgreSQL LISTEN/NOTIFY; in-process on SQLite).
    let events: ClusterEvents
    /// The live push to every connected screen (see `LiveFeed`).
    let live: LiveFeed
    /// Sessions recently found open or ended (see `SessionCache`).
    let sessions: SessionCache
    /// Read-only connections for the busiest reads on SQLite (nil on PostgreSQL).
    let readers: SQLiteReaders?
    /// A read-only connection for long background reads on SQLite (the hierarchy snapshot),
    /// so they never hold a connection that requests wait for.
    let background: SQLiteReaders?

    init(config: AppConfig, cipher: FieldCipher, db: any SQLDatabase) {
        self.config = config
        self.cipher = cipher
        // The audit log keeps writing through Fluent's pool: a writing connection of its own
        // would contend with the pool's for SQLite's write lock, and SQLiteNIO's busy handler
        // retries without pause (a core spinning while a long write holds the lock).
        if case .sqlite(let path) = config.database {
            readers = SQLiteReaders(path: path)
            background = SQLiteReaders(path: path, count: 1)
        } else {
            readers = nil
            background = nil
        }
        self.audit = AuditBatcher(db: db)
        self.media = MediaStore(root: config.mediaRoot)
        if case .postgres(let url, let schema) = config.database, let postgres = try? SQLPostgresConfiguration(url: url)
        {
            events = ClusterEvents(postgres: postgres.coreConfiguration, schema: schema)
        } else {
            events = ClusterEvents(postgres: nil, schema: nil)
        }
        sessions = SessionCache(events: events, maxAge: config.sessionCheckSeconds)
        live = LiveFeed(db: db, readers: readers, events: events)
    }
}

struct ZhiliContextKey: StorageKey { typealias Value = ZhiliContext }

extension Application {
    public var zhili: ZhiliContext {
        guard let c = storage[ZhiliContextKey.self] else { fatalError("configure(_:) has not run") }
        return c
    }

    /// A capability's services, stored under its own key by its `boot`.
    func service<Key: StorageKey>(_ key: Key.Type) -> Key.Value {
        guard let value = storage[key] else {
            fatalError("\(Key.self) is not booted: is its capability in Capabilities.all?")
        }
        return value
    }
}

extension Request {
    public var zhili: ZhiliContext { application.zhili }
    /// The request's database as SQLKit sees it (see `Database.sql`).
    var sql: any SQLDatabase { get throws { try db.sql } }
    /// For reads outside a transaction: on SQLite one of the server's own read-only
    /// connections (see `SQLiteReaders`), otherwise the request's database.
    var readSQL: any SQLDatabase { get throws { try zhili.readers?.sql() ?? sql } }
}
