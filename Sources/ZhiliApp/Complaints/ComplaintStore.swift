import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The complaints table's reads that the API, the pages, Open311 and the followers share: one
/// complaint, the complaints a person may list, the overdue ones.
enum ComplaintStore {
    static func load(_ id: UUID, on db: any SQLDatabase) async throws -> ComplaintRow {
        guard
            let row = try await db.select().columns(ComplaintRow.columns).from("complaints").where("id", .equal, id)
                .first(decoding: ComplaintRow.self)
        else { throw AppError.notFound(entity: "complaint") }
        return row
    }

    /// Open complaints with a clock that has run out, soonest deadline first: the SQL form of
    /// `ComplaintClocks.overdue` (not signed for by `sign_by`, the resident not contacted by
    /// `contact_by`, not resolved by `resolve_by`), so the tab, the dashboard, the map and the
    /// API count the same complaints. Status lists are written out (not bound) so both
    /// databases can use the partial index of open deadlines.
    static func overdue(_ select: SQLSelectBuilder, now: Date) {
        overdueFilter(select, now: now).orderBy("resolve_by")
    }

    @discardableResult
    static func overdueFilter(_ select: SQLSelectBuilder, now: Date) -> SQLSelectBuilder {
        select.where { any in
            any.where { $0.where(SQLRaw("status = 'dispatched'")).where("sign_by", .lessThan, now) }
                .orWhere { $0.where(SQLRaw("status IN ('dispatched', 'signed')")).where("contact_by", .lessThan, now) }
                .orWhere {
                    $0.where(SQLRaw("status IN ('dispatched', 'signed', 'in_progress')"))
                        .where("resolve_by", .lessThan, now)
                }
        }
    }

    /// The inbox's queues (its tabs), each one definition for the list, its count on the
    /// dashboard and the API.
    enum Queue: String, CaseIterable, Sendable {
        case submitted, dispatched, inProgress = "in_progress", resolved, closed, overdue
    }

    /// Narrows `select` to the queue, in the queue's order (by urgency: overdue and in-hand work
    /// by deadline, the review queue oldest first, finished work newest first).
    static func queue(_ queue: Queue?, _ select: SQLSelectBuilder, now: Date) {
        guard let queue else {
            select.orderBy("created_at", .descending)
            return
        }
        filter(queue, select, now: now)
        switch queue {
        case .overdue, .inProgress: select.orderBy("resolve_by")
        case .dispatched: select.orderBy("sign_by")
        case .submitted: select.orderBy("created_at")
        case .resolved, .closed: select.orderBy("created_at", .descending)
        }
    }

    /// Which complaints belong to the queue: the one condition its list and its count share.
    private static func filter(_ queue: Queue, _ select: SQLSelectBuilder, now: Date) {
        switch queue {
        case .overdue: overdueFilter(select, now: now)
        case .inProgress: select.where("status", .in, ["signed", "in_progress"])
        case .submitted, .dispatched, .resolved, .closed: select.where("status", .equal, queue.rawValue)
        }
    }

    private struct CountRow: Decodable { let n: Int }

    /// How many complaints of the queue this person may list.
    static func count(_ queue: Queue, for p: Principal, on db: any SQLDatabase, now: Date) async throws -> Int {
        let select = try visible(
            to: p, on: db, columns: [SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))])
        filter(queue, select, now: now)
        return try await select.first(decoding: CountRow.self)?.n ?? 0
    }

    /// Complaints a person may list: their own (residents, or anyone asking for "mine"),
    /// those sent to their department, or those in their area plus any assigned to them.
    static func visible(
        to p: Principal, on db: any SQLDatabase, mine: Bool = false, columns: [any SQLExpression]? = nil
    ) throws -> SQLSelectBuilder {
        let select = db.select().columns(columns ?? ComplaintRow.columns.map { SQLColumn($0) }).from("complaints")
        if p.role == .resident || mine {
            // Their own, and those they follow.
            select.where { group in
                group.where("submitter_id", .equal, p.userID)
                    .orWhere(
                        SQLColumn("id"), .in,
                        SQLSubquery.select {
                            $0.column("complaint_id").from("complaint_followers").where("user_id", .equal, p.userID)
                        })
            }
        } else if p.role == .departmentStaff {
            select.where("handler_department", .equal, p.department?.rawValue ?? "")
        } else if p.role.isStaff {
            if let inScope = p.scope.condition(on: SQLIdentifier("grid_code")) {
                select.where { group in group.where(inScope).orWhere("handler_user_id", .equal, p.userID) }
            }
        } else {
            throw AppError.forbidden
        }
        return select
    }
}
