import SQLKit
import Vapor

/// Administrators browse the audit log; there is no route that edits or deletes it.
enum AuditRoutes {
    static func register(_ app: Application) {
        app.grouped("api", "v1").get("audit", use: list)
    }

    @Sendable static func list(req: Request) async throws -> [AuditEntry] {
        try req.requireRole(.admin)
        let filter = try req.query.decode(AuditQueries.Filter.self)
        return try await AuditQueries.list(filter, on: req.sql)
    }
}
