import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Every step of the loop after submission: review and dispatch, handling, feedback. The
/// lifecycle rules live in `ComplaintLifecycle`; this decides who may act and what is stored.
struct ComplaintWorkflow {
    let db: any SQLDatabase
    /// Which outbound channels exist, for the messages each step sends.
    let channels: NotificationConfig

    struct Input: Content, Sendable {
        var action: String
        var reason: String?
        var note: String?
        var hours: Int?
        var approved: Bool?
        var score: Int?
        var comment: String?
        var into: UUID?
        var categoryCode: String?
        var handlerId: UUID?
    }

    /// Who may take an action. `assignedHandler` is the handler in person (not a reviewer
    /// standing in), and `independentReviewer` a reviewer who is not that handler: an
    /// extension is asked for by the one doing the work and decided by someone else.
    enum Party { case reviewer, handler, assignedHandler, independentReviewer, submitter }

    static let parties: [String: Party] = [
        "accept": .reviewer, "reject": .reviewer, "merge": .reviewer, "recategorize": .reviewer, "reassign": .reviewer,
        "decide_extension": .independentReviewer, "return_visit": .reviewer, "close": .reviewer,
        "sign": .handler, "contact": .handler, "progress": .handler, "request_extension": .assignedHandler,
        "send_back": .handler, "resolve": .handler,
        "rate": .submitter, "reopen": .submitter,
    ]

    static func action(_ i: Input) throws -> ComplaintAction {
        switch i.action {
        case "accept": return .accept
        case "reject": return .reject(reason: i.reason ?? "")
        case "merge":
            guard let into = i.into else {
                throw AppError.invalid("into", zh: "请指定合并到的诉求", en: "Give the complaint to merge into")
            }
            return .merge(into: into.uuidString)
        case "recategorize": return .recategorize
        case "reassign": return .reassign
        case "sign": return .sign
        case "contact": return .contact
        case "progress": return .progress
        case "request_extension": return .requestExtension(hours: i.hours ?? 0, reason: i.reason ?? "")
        case "decide_extension": return .decideExtension(approved: i.approved ?? false)
        case "send_back": return .sendBack(reason: i.reason ?? "")
        case "resolve": return .resolve
        case "rate": return .rate(score: i.score ?? 0)
        case "reopen": return .reopen(reason: i.reason ?? "")
        case "return_visit": return .returnVisit
        case "close": return .close
        default:
            throw AppError.invalid("action", zh: "未知操作“\(i.action.prefix(30))”", en: "Unknown action")
        }
    }

    static func mayAct(_ p: Principal, as party: Party, on c: ComplaintRow) -> Bool {
        let reviewer = [.communityStaff, .streetOfficial, .admin].contains(p.role) && p.scope.allows(code: c.grid_code)
        switch party {
        case .reviewer: return reviewer
        case .handler: return reviewer || isAssignedHandler(p, c)
        case .assignedHandler: return isAssignedHandler(p, c)
        case .independentReviewer: return reviewer && !isAssignedHandler(p, c)
        case .submitter: return c.submitter_id != nil && c.submitter_id == p.userID
        }
    }

    /// The person the complaint was dispatched to, or staff of the department it was sent to.
    static func isAssignedHandler(_ p: Principal, _ c: ComplaintRow) -> Bool {
        if let handler = c.handler_user_id, handler == p.userID { return true }
        return p.role == .departmentStaff && p.department?.rawValue == c.handler_department
            && c.handler_kind == "department"
    }

    /// Performs one step inside a transaction; returns the new status.
    func perform(_ input: Input, on c: ComplaintRow, by p: Principal, now: Date = Date()) async throws
        -> ComplaintStatus
    {
        guard let party = Self.parties[input.action] else {
            _ = try Self.action(input)
            throw AppError.forbidden
        }
        guard Self.mayAct(p, as: party, on: c) else { throw AppError.forbidden }
        let action = try Self.action(input)
        let from = c.status
        let to: ComplaintStatus
        do {
            to = try ComplaintLifecycle.next(from: from, action: action, resolvedAt: c.resolved_at, now: now)
        } catch let e {
            throw AppError(
                .conflict, code: e.code, zh: e.messageZh, en: e.messageEn,
                field: e.code == "reason_required" ? "reason" : nil)
        }
        let update = db.update("complaints").set("status", to: to.rawValue).set("updated_at", to: now).where(
            "id", .equal, c.id)
        var note = ResidentValidation.clean(input.note) ?? ResidentValidation.clean(input.reason)
        var chosen: ComplaintDispatch.Handler? = nil
        switch input.action {
        case "accept", "reassign":
            let handler = try await ComplaintDispatch(db: db).choose(for: c, explicit: input.handlerId, by: p)
            chosen = handler
            let deadlines =
                input.action == "accept" || c.deadlines == nil
                ? ComplaintDeadlines(tier: c.tier, dispatchedAt: now) : Self.resetSign(c, now: now)
            update.set("handler_kind", to: handler.kind).set("handler_user_id", to: handler.userID).set(
                "handler_department", to: handler.department
            )
            .set("handler_name", to: handler.name).set("dispatch_reason", to: handler.reason).set(
                "dispatched_at", to: now
            )
            .set("sign_by", to: deadlines.signBy).set("contact_by", to: deadlines.contactBy).set(
                "resolve_by", to: deadlines.resolveBy
            )
            .set("signed_at", to: Optional<Date>.none).set("contacted_at", to: Optional<Date>.none)
            note = [handler.reason, note].compactMap { $0 }.joined(separator: "；")
        case "merge":
            // The target is read in this transaction (on PostgreSQL locked first, with this
            // complaint, in id order), so two merges at once cannot point at each other.
            guard let target = input.into,
                let row = try await db.select().columns(ComplaintRow.columns).from("complaints").where(
                    "id", .equal, target
                )
                .first(decoding: ComplaintRow.self),
                ComplaintPolicy.mayMerge(into: row, from: c, by: p)
            else {
                throw AppError.invalid(
                    "into", zh: "要合并到的诉求不存在，或已办结、已合并、不在您的辖区", en: "No open complaint in your area to merge into")
            }
            update.set("merged_into", to: target)
            try await ComplaintFollowers.carryOver(from: c, to: target, db: db, now: now)
        case "recategorize":
            guard let code = input.categoryCode, let category = try await ComplaintCategories.find(code, on: db) else {
                throw AppError.invalid("categoryCode", zh: "诉求分类不存在", en: "Unknown category")
            }
            update.set("category_code", to: category.code).set("tier", to: category.tier)
            note = "调整为“\(category.nameZh)”" + (note.map { "：\($0)" } ?? "")
        case "sign": update.set("signed_at", to: now)
        case "contact": update.set("contacted_at", to: now)
        case "request_extension":
            update.set("extension_hours", to: input.hours)
            note = "申请延期 \(input.hours ?? 0) 小时" + (note.map { "：\($0)" } ?? "")
        case "decide_extension":
            if input.approved == true, let hours = try await pendingExtension(c.id), var d = c.deadlines {
                d.extend(by: hours, now: now)
                update.set("resolve_by", to: d.resolveBy).set("contact_by", to: d.contactBy)
                note = "同意延期 \(hours) 小时"
            } else {
                note = "不同意延期" + (note.map { "：\($0)" } ?? "")
            }
            update.set("extension_hours", to: Optional<Int>.none)
        case "send_back":
            update.set("handler_kind", to: Optional<String>.none).set("handler_user_id", to: Optional<UUID>.none)
                .set("handler_department", to: Optional<String>.none).set("handler_name", to: Optional<String>.none)
        case "resolve": update.set("resolved_at", to: now)
        case "rate":
            let comment = ResidentValidation.clean(input.comment).map { String($0.prefix(500)) }
            update.set("rating", to: input.score).set("rating_comment", to: comment).set("closed_at", to: now)
            note = "\(input.score ?? 0) 星" + (comment.map { "：\($0)" } ?? "")
        case "reopen":
            let d = ComplaintDeadlines(tier: c.tier, dispatchedAt: now)
            update.set("reopened", to: c.reopened + 1).set("dispatched_at", to: now).set("sign_by", to: d.signBy)
                .set("contact_by", to: d.contactBy).set("resolve_by", to: d.resolveBy).set(
                    "signed_at", to: Optional<Date>.none
                )
                .set("contacted_at", to: Optional<Date>.none).set("resolved_at", to: Optional<Date>.none)
                .set("rating", to: Optional<Int>.none).set("closed_at", to: Optional<Date>.none)
        case "close": update.set("closed_at", to: now)
        default: break
        }
        try await update.run()
        try await ComplaintRateCells(db: db).touch(grid: c.grid_code, createdAt: c.created_at)
        try await ComplaintTimeline(db: db).add(
            c.id, actor: p, action: input.action, label: ComplaintLifecycle.labelZh(action),
            note: note.map { String($0.prefix(1000)) }, from: from, to: to)
        let told = input.action == "accept" || input.action == "reassign" ? ResidentValidation.clean(input.note) : note
        try await ComplaintNotices(db: db, channels: channels).after(
            .init(
                action: input.action, note: told, handler: chosen, score: input.score,
                extensionApproved: input.approved, actorName: p.displayName),
            on: c, now: now)
        return to
    }

    /// A new sign clock after reassignment; the resolve deadline stays (the resident's wait does not restart).
    static func resetSign(_ c: ComplaintRow, now: Date) -> ComplaintDeadlines {
        var d = c.deadlines ?? ComplaintDeadlines(tier: c.tier, dispatchedAt: now)
        let fresh = ComplaintDeadlines(tier: c.tier, dispatchedAt: now)
        d.signBy = fresh.signBy
        return d
    }

    private struct ExtRow: Decodable { let extension_hours: Int? }

    private func pendingExtension(_ id: UUID) async throws -> Int? {
        try await db.select().column("extension_hours").from("complaints").where("id", .equal, id).first(
            decoding: ExtRow.self)?.extension_hours
    }
}

/// Who handles a complaint by default: the grid worker of the place, or the category's department.
struct ComplaintDispatch {
    let db: any SQLDatabase

    struct Handler: Sendable {
        let kind: String
        let userID: UUID?
        let department: String?
        let name: String
        let reason: String
    }

    private struct UserRow: Decodable {
        let id: UUID
        let display_name: String
        let role: String
        let node_code: String?
        var disabled: Bool?
    }

    func choose(for c: ComplaintRow, explicit: UUID?, by p: Principal) async throws -> Handler {
        if let explicit {
            // Only an enabled staff account the reviewer may send work to; anyone else is
            // answered as someone who does not exist.
            guard
                let u = try await db.select().columns("id", "display_name", "role", "node_code", "disabled").from(
                    "users"
                ).where("id", .equal, explicit)
                    .first(decoding: UserRow.self), let role = Role(rawValue: u.role),
                ComplaintPolicy.mayDispatch(to: (role, u.node_code, u.disabled ?? false), by: p)
            else {
                throw AppError.invalid("handlerId", zh: "指定的处理人不存在或不在您的辖区", en: "No such handler in your area")
            }
            return Handler(
                kind: "user", userID: u.id, department: nil, name: u.display_name, reason: "人工指派给 \(u.display_name)")
        }
        let category = try await ComplaintCategories.find(c.category_code, on: db)
        if category?.handlerKind == "department", let dept = category?.department, let d = Department(rawValue: dept) {
            return Handler(
                kind: "department", userID: nil, department: dept, name: d.nameZh,
                reason: "按分类“\(category?.nameZh ?? c.category_code)”派给\(d.nameZh)")
        }
        if let worker = try await db.select().columns("id", "display_name", "role", "node_code").from("users")
            .where("role", .equal, Role.gridWorker.rawValue).where("node_code", .equal, c.grid_code).where(
                "disabled", .equal, false
            )
            .orderBy("username").first(decoding: UserRow.self)
        {
            return Handler(
                kind: "grid_worker", userID: worker.id, department: nil, name: worker.display_name,
                reason: "按位置派给所在网格（\(c.grid_code)）的\(worker.display_name)")
        }
        return Handler(
            kind: "community", userID: nil, department: nil, name: "社区",
            reason: "网格 \(c.grid_code) 暂无网格员，派给所在社区")
    }
}
