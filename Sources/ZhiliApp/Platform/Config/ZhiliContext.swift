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
    /// Read-only connections for the busiest reads on SQLite (nil on PostgreSQL).
    let readers: SQLiteReaders?
    /// The audit log's own connection on SQLite (its group commits need no pool round trip).
    let auditWriter: SQLiteReaders?
    /// A read-only connection for long background reads on SQLite (the hierarchy snapshot),
    /// so they never hold a connection that requests wait for.
    let background: SQLiteReaders?

    init(config: AppConfig, cipher: FieldCipher, db: any SQLDatabase) {
        self.config = config
        self.cipher = cipher
        self.gridLocator = GridLocatorCache(db: db)
        let auditWriter: SQLiteReaders?
        if case .sqlite(let path) = config.database {
            readers = SQLiteReaders(path: path)
            auditWriter = SQLiteReaders(path: path, count: 1, readOnly: false)
            background = SQLiteReaders(path: path, count: 1)
        } else {
            readers = nil
            auditWriter = nil
            background = nil
        }
        self.auditWriter = auditWriter
        self.counts = HierarchyCounts(db: db, background: background)
        self.audit = AuditBatcher(db: db, direct: auditWriter)
        self.caches = ReadCaches()
        self.media = MediaStore(root: config.mediaRoot)
        self.settings = ReadCaches()
        self.intake = ComplaintIntake(db: db)
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
