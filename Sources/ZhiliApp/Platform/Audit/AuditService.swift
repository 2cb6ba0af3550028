import SQLKit
import Vapor

/// Writes audit entries. A failure to audit is logged loudly but does not hide the original
/// outcome from the caller; writes that must be audited together run in one transaction via
/// `record(on:)` with the transaction's database.
public struct AuditService: Sendable {
    let request: Request

    public func record(
        action: String, entity: String, entityID: String?, outcome: AuditOutcome = .ok,
        detail: String? = nil
    ) async {
        let p = request.principal
        let entry = AuditBatcher.Entry(
            at: Date(), actorID: p?.userID, actorName: p?.username, role: p?.role.rawValue, action: action,
            entity: entity,
            entityID: entityID, outcome: outcome.rawValue,
            ip: request.remoteAddress?.ipAddress ?? request.headers.first(name: "X-Forwarded-For"), detail: detail)
        do {
            try await request.zhili.audit.write(entry)
        } catch {
            request.logger.critical("audit write failed: \(String(describing: error))")
        }
    }
}

extension Request {
    public var audit: AuditService { AuditService(request: self) }
}

/// Reading the log: administrators only, newest first, filterable.
enum AuditQueries {
    struct Filter: Content {
        var actor: String?
        var action: String?
        var entity: String?
        var entityId: String?
        var outcome: String?
        /// ISO 8601 date-times, as documented.
        var from: String?
        var to: String?
        var limit: Int?
        var before: Int64?
    }

    /// `emptyIsAbsent`: the audit page's form sends empty fields for "any".
    static func list(_ f: Filter, on db: any SQLDatabase, emptyIsAbsent: Bool = false) async throws -> [AuditEntry] {
        let limit = try QueryValue.int(f.limit, default: 50, in: 1...500, field: "limit")
        let from = try QueryValue.instant(f.from, field: "from", emptyIsAbsent: emptyIsAbsent)
        let to = try QueryValue.instant(f.to, field: "to", emptyIsAbsent: emptyIsAbsent)
        let q = db.select().column("*").from("audit_log")
        if let v = f.actor, !v.isEmpty { q.where("actor_name", .equal, v) }
        if let v = f.action, !v.isEmpty { q.where("action", .equal, v) }
        if let v = f.entity, !v.isEmpty { q.where("entity", .equal, v) }
        if let v = f.entityId, !v.isEmpty { q.where("entity_id", .equal, v) }
        if let v = f.outcome, !(v.isEmpty && emptyIsAbsent) {
            guard AuditOutcome(rawValue: v) != nil else {
                throw AppError.invalid("outcome", zh: "结果应为 ok 或 denied", en: "outcome must be ok or denied")
            }
            q.where("outcome", .equal, v)
        }
        if let v = from { q.where("at", .greaterThanOrEqual, v) }
        if let v = to { q.where("at", .lessThan, v) }
        if let v = f.before {
            // The range the API document states (ids fit a JSON number exactly).
            guard (1...9_007_199_254_740_991).contains(v) else {
                throw AppError.invalid(
                    "before", zh: "before 应在 1–9007199254740991 之间", en: "before must be 1–9007199254740991")
            }
            q.where("id", .lessThan, v)
        }
        return try await q.orderBy("id", .descending).limit(limit)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
