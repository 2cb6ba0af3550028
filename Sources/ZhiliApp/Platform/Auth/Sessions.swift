import Fluent
import Foundation
import SQLKit
import Synchronization
import Vapor

/// Every sign-in opens a session, stored in the database; the token (bearer or cookie)
/// names it. Signing out, changing or resetting a password, disabling the account and an
/// administrator's "sign out everywhere" end sessions, and the next request carrying one of
/// their tokens is refused. Tokens of accounts that no longer exist name no session.
struct CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .create()
        let sql = try database.sql
        try await sql.raw("CREATE INDEX sessions_user ON sessions (user_id)").run()
        // Failed sign-ins by account name (known or not, so a locked account looks like any
        // other) and by address.
        try await database.schema("sign_in_failures")
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("window_start", .datetime, .required)
            .field("locked_until", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sign_in_failures").delete()
        try await database.schema("sessions").delete()
    }
}

enum SessionStore {
    static func newID() -> String { [UInt8].random(count: 16).map { String(format: "%02x", $0) }.joined() }

    static func open(_ id: String, userID: UUID, expiresAt: Date, on db: any SQLDatabase) async throws {
        // The account's expired sessions go as a new one opens, so the table stays small.
        try await db.delete(from: "sessions").where("user_id", .equal, userID).where("expires_at", .lessThan, Date())
            .run()
        try await db.insert(into: "sessions").columns("id", "user_id", "created_at", "expires_at", "revoked_at")
            .values(SQLBind(id), SQLBind(userID), SQLBind(Date()), SQLBind(expiresAt), SQLBind(Optional<Date>.none))
            .run()
    }

    static func revoke(_ id: String, on db: any SQLDatabase, cache: SessionCache) async throws {
        try await db.update("sessions").set("revoked_at", to: Date()).where("id", .equal, id).where(
            "revoked_at", .is, SQLLiteral.null
        ).run()
        try await cache.ended([id], on: db)
    }

    /// Ends every session of an account (sign out everywhere, password change, disabling).
    @discardableResult
    static func revokeAll(userID: UUID, on db: any SQLDatabase, cache: SessionCache) async throws -> Int {
        struct Row: Decodable { let id: String }
        let open = try await db.select().column("id").from("sessions").where("user_id", .equal, userID)
            .where("revoked_at", .is, SQLLiteral.null).all(decoding: Row.self)
        try await db.update("sessions").set("revoked_at", to: Date()).where("user_id", .equal, userID)
            .where("revoked_at", .is, SQLLiteral.null).run()
        try await cache.ended(open.map(\.id), on: db)
        return open.count
    }

    private struct State: Decodable {
        let user_id: UUID
        let expires_at: Date
        let revoked_at: Date?
        let disabled: Bool?
    }

    /// Whether the session is open, not expired, and its account exists and is enabled.
    static func isActive(_ id: String, userID: UUID, on db: any SQLDatabase, now: Date = Date()) async throws -> Bool {
        guard
            let s = try await db.select()
                .column(SQLColumn("user_id", table: "sessions")).column(SQLColumn("expires_at", table: "sessions"))
                .column(SQLColumn("revoked_at", table: "sessions")).column(SQLColumn("disabled", table: "users"))
                .from("sessions").join(
                    "users", method: SQLJoinMethod.inner, on: SQLColumn("id", table: "users"), .equal,
                    SQLColumn("user_id", table: "sessions")
                )
                .where(SQLColumn("id", table: "sessions"), .equal, SQLBind(id)).first(decoding: State.self)
        else { return false }
        return s.user_id == userID && s.revoked_at == nil && s.expires_at > now && s.disabled == false
    }
}

/// Sessions this instance has checked, for a moment: a busy client's requests cost one
/// database read per `maxAge` instead of one each. A session that ends is forgotten at once
/// here and, through `ClusterEvents` (PostgreSQL NOTIFY), on every other instance within
/// milliseconds; should an instance's LISTEN connection be down, it refuses the session at
/// most `maxAge` later.
final class SessionCache: Sendable {
    private let entries = Mutex<[String: (active: Bool, at: Date)]>([:])
    let maxAge: TimeInterval
    let capacity: Int
    let events: ClusterEvents

    static let endedEvent = "session_ended"

    init(events: ClusterEvents, maxAge: TimeInterval = 2, capacity: Int = 50_000) {
        self.events = events
        self.maxAge = maxAge
        self.capacity = capacity
        events.subscribe { [weak self] kind, value in
            if kind == Self.endedEvent { self?.forget(value) }
        }
    }

    /// Sessions that just ended: forgotten here, and announced to the other instances.
    func ended(_ ids: [String], on db: any SQLDatabase) async throws {
        for id in ids {
            forget(id)
            try await events.publish(Self.endedEvent, id, on: db)
        }
    }

    func lookup(_ id: String, now: Date = Date()) -> Bool? {
        entries.withLock { map in
            guard let e = map[id], now.timeIntervalSince(e.at) < maxAge else { return nil }
            return e.active
        }
    }

    func remember(_ id: String, active: Bool, now: Date = Date()) {
        entries.withLock { map in
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[id] = (active, now)
        }
    }

    func forget(_ id: String) { _ = entries.withLock { $0.removeValue(forKey: id) } }
}
