import Foundation
import SQLKit
import Vapor

/// Audit entries for operator commands (no request, so written directly).
enum CLIAudit {
    /// Operator commands act as an administrator named "cli".
    static let operatorPrincipal = Principal(
        userID: UUID(uuidString: "00000000-0000-0000-0000-00000000c11e")!, username: "cli",
        displayName: "命令行操作员", role: .admin, department: nil, nodeCode: nil, residentID: nil)

    static func record(_ app: Application, action: String, entity: String, id: String?, detail: String) async throws {
        let p = operatorPrincipal
        try await AuditBatcher.insert(
            [
                .init(
                    at: Date(), actorID: p.userID, actorName: p.username, role: p.role.rawValue, action: action,
                    entity: entity, entityID: id, outcome: "ok", ip: "cli", detail: detail)
            ],
            on: app.db.sql)
    }
}
