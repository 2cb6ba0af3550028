import FluentPostgresDriver
import SQLKit
import Vapor

/// Long-lived parts of the running platform, reachable from any request as `req.zhili`.
public final class ZhiliContext: Sendable {
    public let config: AppConfig
    public let cipher: FieldCipher
    let counts: HierarchyCounts
    let gridLocator: GridLocatorCache
    let audit: AuditBatcher
    let caches: ReadCaches
    let media: MediaStore
    /// Settings read on every request but rarely changed (complaint categories, theme
    /// dictionaries): at most 30 s old, cleared at once when changed through this instance.
    let settings: ReadCaches
    let intake: ComplaintIntake
    let rateRefresh = SingleFlight()
    /// Reports keyed by what they were computed from (e.g. the rate cells' generation).
    let reports = ReadCaches(maxAge: 300)
    /// Sends queued SMS/WeChat deliveries; `wake()` after a transaction that queued some.
    let notifications = NotificationDispatcher()
    let wechatTokens = WeChatTokens()
    /// Session tokens already checked by this instance (see `VerifiedTokens`).
    let verifiedTokens = VerifiedTokens()
    /// Events every instance hears (PostgreSQL LISTEN/NOTIFY; in-process on SQLite).
    let events: ClusterEvents
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
        self.gridLocator = GridLocatorCache(db: db)
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
        self.counts = HierarchyCounts(db: db, background: background)
        self.audit = AuditBatcher(db: db)
        self.caches = ReadCaches()
        self.media = MediaStore(root: config.mediaRoot)
        self.settings = ReadCaches()
        self.intake = ComplaintIntake(db: db)
        if case .postgres(let url, let schema) = config.database, let postgres = try? SQLPostgresConfiguration(url: url) {
            events = ClusterEvents(postgres: postgres.coreConfiguration, schema: schema)
        } else {
            events = ClusterEvents(postgres: nil, schema: nil)
        }
        sessions = SessionCache(events: events, maxAge: config.sessionCheckSeconds)
    }

    /// Call after any change to nodes, households or residents in this instance.
    func hierarchyChanged(geometry: Bool = false) async {
        await counts.invalidate()
        caches.invalidate()
        if geometry { gridLocator.invalidate() }
    }
}

struct ZhiliContextKey: StorageKey { typealias Value = ZhiliContext }

extension Application {
    public var zhili: ZhiliContext {
        guard let c = storage[ZhiliContextKey.self] else { fatalError("configure(_:) has not run") }
        return c
    }
}

extension Request {
    public var zhili: ZhiliContext { application.zhili }
    var sql: any SQLDatabase { db as! any SQLDatabase }
    /// For reads outside a transaction: on SQLite one of the server's own read-only
    /// connections (see `SQLiteReaders`), otherwise the request's database.
    var readSQL: any SQLDatabase { zhili.readers?.sql() ?? sql }
}
