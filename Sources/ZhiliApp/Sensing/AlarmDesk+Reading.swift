import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Reading alarms: the scoped list, an alarm's timeline, one alarm through its gate.
extension AlarmDesk {
    struct Filter: Sendable {
        var open: Bool?
        var status: AlarmStatus?
        var severity: AlarmSeverity?
        var rule: String?
        var node: String?
        var limit = 100
    }

    static func list(_ f: Filter, for p: Principal, on db: any SQLDatabase) async throws -> [Row] {
        let q = db.select().columns(columns.map { SQLIdentifier($0) }).from("alarms").scoped(
            p.scope, column: "node_code")
        if f.open == true { q.where("status", .in, openStatuses) }
        if f.open == false { q.where("status", .notIn, openStatuses) }
        if let s = f.status { q.where("status", .equal, s.rawValue) }
        if let s = f.severity { q.where("severity", .equal, s.rawValue) }
        if let r = f.rule { q.where("rule", .equal, r) }
        if let node = f.node {
            q.where("node_code", .greaterThanOrEqual, node).where("node_code", .lessThan, node + ":")
        }
        return try await q.orderBy("first_at", .descending).limit(f.limit).all(decoding: Row.self)
    }

    struct Step: Content, Sendable {
        let at: Date
        let action: String
        let actorName: String?
        let note: String?
    }

    static func timeline(_ id: UUID, on db: any SQLDatabase) async throws -> [Step] {
        struct S: Decodable {
            let at: Date
            let action: String
            let actor_name: String?
            let note: String?
        }
        return try await db.select().columns("at", "action", "actor_name", "note").from("alarm_steps")
            .where("alarm_id", .equal, id).orderBy("at").all(decoding: S.self)
            .map { Step(at: $0.at, action: $0.action, actorName: $0.actor_name, note: $0.note) }
    }

    /// The alarm, if the person may see it (a refusal is audited and answered as not found).
    static func readable(_ req: Request, _ id: UUID) async throws -> Row {
        let p = try req.requirePrincipal()
        guard p.role.isStaff, let row = try await find(id, on: req.readSQL) else {
            throw AppError.notFound(entity: "alarm")
        }
        try await req.requireInScope(code: row.node_code, entity: "alarm", id: id.uuidString)
        return row
    }
}
