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

    /// Open complaints past their resolve deadline, most overdue first. The status list is
    /// written out (not bound) so both databases can use the partial index of open deadlines.
    static func overdue(_ select: SQLSelectBuilder, now: Date) {
        select.where(SQLRaw("status IN ('dispatched', 'signed', 'in_progress')")).where("resolve_by", .lessThan, now)
            .orderBy("resolve_by")
    }

    /// Complaints a person may list: their own (residents, or anyone asking for "mine"),
    /// those sent to their department, or those in their area plus any assigned to them.
    static func visible(to p: Principal, on db: any SQLDatabase, mine: Bool = false) throws -> SQLSelectBuilder {
        let select = db.select().columns(ComplaintRow.columns).from("complaints")
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
