import Foundation
import SQLKit
import ZhiliDomain

/// Who hears of each step of the loop, and what they read. Residents (the submitter, those who
/// follow the complaint, or a phone given when staff took the call) hear of acceptance,
/// rejection, merging, extensions, the result and closing; handlers of new and returned work;
/// reviewers of extension requests, send-backs and low ratings; the staff of the level an
/// overdue complaint escalates to. Runs inside the transaction of the step it reports.
struct ComplaintNotices {
    let db: any SQLDatabase
    let notifier: Notifier

    init(db: any SQLDatabase, channels: NotificationConfig) {
        self.db = db
        self.notifier = Notifier(db: db, channels: channels)
    }

    /// What the message of a step needs beyond the complaint: the new handler of an accept or
    /// reassign, the note written with it, the score, the extension decision, who acted.
    struct Step {
        var action: String
        var note: String?
        var handler: ComplaintDispatch.Handler?
        var score: Int?
        var extensionApproved: Bool?
        var actorName: String?
    }

    static func brief(_ c: ComplaintRow) -> String {
        let text = c.text.replacingOccurrences(of: "\n", with: " ")
        return text.count > 30 ? String(text.prefix(29)) + "…" : text
    }

    func after(_ step: Step, on c: ComplaintRow, now: Date = Date()) async throws {
        let link = "/complaints/\(c.id.uuidString)"
        func notice(_ kind: String, _ title: String, _ body: String) -> Notice {
            Notice(
                kind: "complaint.\(kind)", title: title, body: body, link: link, entity: "complaint",
                entityID: c.id.uuidString)
        }
        let number = "编号 \(c.number)"
        let note = step.note.map { "：\($0.prefix(80))" } ?? ""
        switch step.action {
        case "accept":
            let h = step.handler
            let due = ComplaintDeadlines(tier: c.tier, dispatchedAt: now)
            try await residents(
                c,
                notice(
                    "accepted", "诉求已受理",
                    "您反映的“\(Self.brief(c))”（\(number)）已受理，由\(h?.name ?? "社区")办理，预计 \(DisplayTime.minutes(due.resolveBy)) 前办结。"
                ))
            if let h {
                try await handlers(
                    h, grid: c.grid_code,
                    notice(
                        "assigned", "新派单待签收", "\(number)：\(Self.brief(c))。请于 \(DisplayTime.minutes(due.signBy)) 前签收。"))
            }
        case "reassign":
            if let h = step.handler {
                try await handlers(
                    h, grid: c.grid_code, notice("assigned", "改派给您的诉求", "\(number)：\(Self.brief(c))\(note)"))
            }
        case "reject":
            try await residents(c, notice("rejected", "诉求未受理", "\(number)\(note)。如有疑问，可补充情况后重新提交。"))
        case "merge":
            try await residents(c, notice("merged", "诉求已合并办理", "\(number)与同一问题合并办理，办理进展和结果将一并告知。"))
        case "decide_extension":
            let approved = step.extensionApproved == true
            if approved { try await residents(c, notice("extended", "办理时限已延长", "\(number)\(note)。")) }
            try await handlers(
                currentHandler(c), grid: c.grid_code,
                notice("extension_decided", approved ? "延期申请已同意" : "延期申请未同意", "\(number)\(note)"))
        case "request_extension":
            try await reviewers(c, notice("extension_requested", "延期申请待审批", "\(number)\(note)"))
        case "send_back":
            try await reviewers(c, notice("sent_back", "诉求被退回，请重新派单", "\(number)由\(step.actorName ?? "承办方")退回\(note)"))
        case "resolve":
            try await residents(c, notice("resolved", "诉求已办结，请评价", "\(number)已办结\(note)。请在 7 天内评价；问题未解决可申请重办。"))
        case "rate":
            if let score = step.score, score <= 2 {
                try await reviewers(c, notice("low_rating", "差评待回访", "\(number)评价 \(score) 星\(note)，请安排回访。"))
            }
        case "reopen":
            try await handlers(currentHandler(c), grid: c.grid_code, notice("reopened", "诉求被申请重办", "\(number)\(note)"))
        case "close":
            try await residents(c, notice("closed", "诉求已关闭", "\(number)已关闭\(note)。"))
        case "auto_close":
            try await residents(c, notice("closed", "诉求已自动关闭", "\(number)办结后 7 天未评价，已自动关闭。"))
        default:
            break
        }
    }

    private struct StaffRow: Decodable {
        let id: UUID
        let node_code: String?
    }

    /// New complaints, in the transaction that writes them: the submitter gets a receipt with
    /// the number to quote (an SMS when staff took the call with a phone), and the community
    /// staff who review them hear that they wait. One read of the reviewers and one insert of
    /// the messages for the whole batch.
    func submitted(_ rows: [ComplaintRow]) async throws {
        guard !rows.isEmpty else { return }
        let communities = Set(rows.map { String($0.grid_code.prefix(NodeLevel.community.codeLength)) }).sorted()
        let staff = try await db.select().columns("id", "node_code").from("users")
            .where("role", .equal, Role.communityStaff.rawValue).where("disabled", .equal, false)
            .where("node_code", .in, communities).all(decoding: StaffRow.self)
        let reviewers = Dictionary(grouping: staff, by: { $0.node_code ?? "" }).mapValues { $0.map(\.id) }
        var batch: [(users: [UUID], notice: Notice)] = []
        for c in rows {
            let link = "/complaints/\(c.id.uuidString)"
            let receipt = Notice(
                kind: "complaint.received", title: "诉求已收到，编号 \(c.number)",
                body: "您反映的“\(Self.brief(c))”已收到，编号 \(c.number)。社区审核后派单办理，办理进展会及时告诉您。",
                link: link, entity: "complaint", entityID: c.id.uuidString)
            if let submitter = c.submitter_id {
                // In the app they submitted from; SMS/WeChat start with the first step taken.
                var inApp = receipt
                inApp.outbound = false
                batch.append(([submitter], inApp))
            } else if let phone = c.contact_phone_enc {
                try await notifier.text(encryptedPhone: phone, receipt)
            }
            let community = String(c.grid_code.prefix(NodeLevel.community.codeLength))
            let urgent = c.tier == .twoHours || c.tier == .oneDay
            batch.append(
                (
                    reviewers[community] ?? [],
                    Notice(
                        kind: "complaint.submitted", title: urgent ? "紧急诉求待审核（\(c.tier.nameZh)）" : "新诉求待审核",
                        body: "编号 \(c.number)：\(Self.brief(c))", link: link, entity: "complaint",
                        entityID: c.id.uuidString)
                ))
        }
        try await notifier.notify(batch)
    }

    /// The staff of the level an overdue complaint rose to, and its handler.
    func escalated(_ c: ComplaintRow, to level: EscalationLevel, late: String) async throws {
        let n = Notice(
            kind: "complaint.escalated", title: "超时督办（\(level.nameZh)）",
            body: "编号 \(c.number) 超时（\(late)）：\(Self.brief(c))",
            link: "/complaints/\(c.id.uuidString)", entity: "complaint", entityID: c.id.uuidString)
        var users: [UUID] = []
        switch level {
        case .grid: break
        case .community:
            users = try await notifier.staff(
                .communityStaff, at: String(c.grid_code.prefix(NodeLevel.community.codeLength)))
        case .street:
            users = try await notifier.staff(
                .streetOfficial, at: String(c.grid_code.prefix(NodeLevel.street.codeLength)))
        case .city:
            users = try await notifier.staff(.cityOfficial, at: String(c.grid_code.prefix(NodeLevel.city.codeLength)))
        }
        users += try await recipients(of: currentHandler(c), grid: c.grid_code)
        try await notifier.notify(users, n)
    }

    // MARK: - Recipients

    private struct Follower: Decodable { let user_id: UUID }

    private func residents(_ c: ComplaintRow, _ n: Notice) async throws {
        var users = c.submitter_id.map { [$0] } ?? []
        users += try await db.select().column("user_id").from("complaint_followers").where("complaint_id", .equal, c.id)
            .limit(500).all(decoding: Follower.self).map(\.user_id)
        try await notifier.notify(users, n)
        if c.submitter_id == nil, let phone = c.contact_phone_enc { try await notifier.text(encryptedPhone: phone, n) }
    }

    private func reviewers(_ c: ComplaintRow, _ n: Notice) async throws {
        try await notifier.notify(
            try await notifier.staff(.communityStaff, at: String(c.grid_code.prefix(NodeLevel.community.codeLength))), n
        )
    }

    private func handlers(_ h: ComplaintDispatch.Handler?, grid: String, _ n: Notice) async throws {
        guard let h else { return }
        try await notifier.notify(try await recipients(of: h, grid: grid), n)
    }

    private func recipients(of h: ComplaintDispatch.Handler?, grid: String) async throws -> [UUID] {
        guard let h else { return [] }
        if let user = h.userID { return [user] }
        if h.kind == "department", let d = h.department { return try await notifier.department(d) }
        if h.kind == "community" {
            return try await notifier.staff(.communityStaff, at: String(grid.prefix(NodeLevel.community.codeLength)))
        }
        return []
    }

    private func currentHandler(_ c: ComplaintRow) -> ComplaintDispatch.Handler? {
        guard let kind = c.handler_kind else { return nil }
        return ComplaintDispatch.Handler(
            kind: kind, userID: c.handler_user_id, department: c.handler_department, name: c.handler_name ?? "",
            reason: "")
    }
}
