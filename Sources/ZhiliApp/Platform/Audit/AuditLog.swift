import Fluent
import SQLKit
import Vapor

/// Append-only record of every write and every read of a person's record.
/// Database triggers refuse UPDATE and DELETE, so not even a bug in the app can edit it.
struct CreateAuditLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_log")
            .field("id", .int64, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string)
            .field("role", .string)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string)
            .field("outcome", .string, .required)
            .field("ip", .string)
            .field("detail", .string)
            .create()
        let sql = try database.sql
        try await sql.raw("CREATE INDEX audit_log_at ON audit_log (at)").run()
        try await sql.raw("CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)").run()
        try await sql.raw("CREATE INDEX audit_log_actor ON audit_log (actor_id)").run()
        for statement in Dialect(sql).appendOnlyTriggers(table: "audit_log") {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_log").delete()
    }
}

public enum AuditOutcome: String, Codable, Sendable { case ok, denied }

public struct AuditEntry: Content, Sendable {
    public let id: Int64
    public let at: Date
    public let actorId: UUID?
    public let actorName: String?
    public let role: String?
    public let action: String
    public let entity: String
    public let entityId: String?
    public let outcome: String
    public let ip: String?
    public let detail: String?
}
