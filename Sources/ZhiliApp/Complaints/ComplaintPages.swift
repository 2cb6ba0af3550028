import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// Browser pages of 接诉即办: the staff inbox, one complaint with the actions the viewer may
/// take, and the resident's phone pages (有事您说 and my complaints).
enum ComplaintPages {
    static func register(_ app: Application) {
        app.get("complaints", use: inbox)
        app.get("complaints", "stats", use: stats)
        app.get("complaints", "categories", use: categoriesPage)
        app.get("complaints", "categories", ":code", use: categoryForm)
        app.post("complaints", "categories", ":code", use: saveCategoryForm)
        app.get("complaints", "map", use: map)
        app.get("complaints", ":id", use: detail)
        app.post("complaints", ":id", "act", use: act)
        app.post("complaints", ":id", "follow", use: ComplaintFollowers.followForm)
        app.on(.POST, "complaints", ":id", "photos", body: .collect(maxSize: PhotoUploads.requestLimit), use: addPhotos)
        app.get("tell", use: tellForm)
        app.on(.POST, "tell", body: .collect(maxSize: PhotoUploads.requestLimit), use: tell)
    }

    static let tabs: [(String, String, String)] = [
        ("submitted", "待审核", "To review"), ("dispatched", "待签收", "To sign"), ("in_progress", "处理中", "In progress"),
        ("resolved", "已办结", "Resolved"), ("closed", "已关闭", "Closed"), ("overdue", "超时", "Overdue"),
    ]

    struct InboxQuery: Content { var tab: String? }

    @Sendable static func inbox(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let tab = (try? req.query.decode(InboxQuery.self).tab) ?? (p.role == .resident ? nil : "submitted")
        let select = try ComplaintStore.visible(to: p, on: req.sql)
        // By urgency: overdue and in-hand work by deadline, the review queue oldest first.
        switch tab {
        case "overdue": ComplaintStore.overdue(select, now: Date())
        case "in_progress": select.where("status", .in, ["signed", "in_progress"]).orderBy("resolve_by")
        case "dispatched": select.where("status", .equal, "dispatched").orderBy("sign_by")
        case "submitted": select.where("status", .equal, "submitted").orderBy("created_at")
        case .some(let s) where ComplaintStatus(rawValue: s) != nil:
            select.where("status", .equal, s).orderBy("created_at", .descending)
        default: select.orderBy("created_at", .descending)
        }
        let rows = try await select.limit(100).all(decoding: ComplaintRow.self)
        let names = try await ComplaintDesk(req).categoryNames()
        let items = rows.map { ComplaintDTO($0, categoryName: names[$0.category_code] ?? $0.category_code, viewer: p) }
        return PageShell(request: req, title: t("接诉即办", "Complaints"), active: "complaints", wide: true).render {
            Div {
                H1(p.role == .resident ? t("我的诉求", "My complaints") : t("接诉即办", "Complaints"))
                if p.role == .resident { Link(t("＋ 有事您说", "+ Tell us"), url: "/tell").class("button primary-link") }
            }.class("page-head")
            if p.role != .resident {
                Paragraph {
                    for (key, zh, en) in tabs {
                        Link(t(zh, en), url: "/complaints?tab=\(key)").class(key == tab ? "pill ok" : "pill")
                    }
                    Text(" · ")
                    Link(t("统计", "Statistics"), url: "/complaints/stats").class("pill")
                    Link(t("地图", "Map"), url: "/complaints/map").class("pill")
                }
            }
            Table(
                header: TableRow {
                    TableHeaderCell(t("编号", "No."))
                    TableHeaderCell(t("分类", "Category"))
                    TableHeaderCell(t("内容", "Text"))
                    TableHeaderCell(t("状态", "Status"))
                    TableHeaderCell(t("办结时限", "Due"))
                    TableHeaderCell(t("处理人", "Handler"))
                }
            ) {
                for c in items {
                    TableRow {
                        TableCell { Link(c.number, url: "/complaints/\(c.id.uuidString)").class("mono") }
                        TableCell(c.categoryName)
                        TableCell(String(c.text.prefix(30)))
                        TableCell { Span(c.statusName).class(c.overdue.isEmpty ? "pill" : "pill bad") }
                        TableCell(c.resolveBy.map { DisplayTime.minutes($0) } ?? "—")
                        TableCell(c.handlerName ?? "—")
                    }
                }
            }.class("data")
        }
    }

    @Sendable static func detail(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let row = try await ComplaintDesk(req).load(id)
        guard try await ComplaintFollowers.mayRead(req, p, row) else {
            await req.audit.record(
                action: "read_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw AppError.notFound(entity: "complaint")
        }
        let c = try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
        let allCategories = try await ComplaintCategories.cached(req.complaints.categories, on: req.sql)
        let categories = allCategories.filter { $0.active && $0.parentCode != nil }
        let category = allCategories.first { $0.code == row.category_code }
        let templates = ComplaintCategories.filledTemplates(category, for: row)
        let may: (String) -> Bool = { action in
            guard let party = ComplaintWorkflow.parties[action], ComplaintWorkflow.mayAct(p, as: party, on: row),
                let a = try? ComplaintWorkflow.action(
                    ComplaintWorkflow.Input(
                        action: action, reason: "x", hours: 24, approved: true, score: 5, into: UUID()))
            else { return false }
            return (try? ComplaintLifecycle.next(from: row.status, action: a, resolvedAt: row.resolved_at, now: Date()))
                != nil
        }
        let csrf = req.csrfToken ?? ""
        func form(
            _ action: String, _ label: String, primary: Bool = false,
            @ComponentBuilder fields: @escaping () -> Component = { EmptyComponent() }
        ) -> Component {
            Form(url: "/complaints/\(id.uuidString)/act", method: .post) {
                Input(type: .hidden, name: "_csrf", value: csrf)
                Input(type: .hidden, name: "action", value: action)
                fields()
                Button { Text(label) }.attribute(named: "type", value: "submit").class(primary ? "primary" : "")
            }.class("inline filters")
        }
        return PageShell(request: req, title: c.number, active: "complaints", wide: true).render {
            Div {
                H1("\(c.categoryName) · \(c.number)")
                Paragraph(
                    "\(c.statusName) · \(t("时限", "limit")) \(TimeLimitTier(rawValue: c.tier)?.nameZh ?? c.tier) · \(t("督办层级", "escalation")) \(c.escalationLevel)"
                ).class(c.overdue.isEmpty ? "muted" : "alert")
            }.class("page-head")
            Div {
                Div {
                    H3(t("诉求内容", "What was reported"))
                    Paragraph(c.text).class("lead")
                    if !c.answers.isEmpty {
                        Element(name: "dl") {
                            for q in category?.questions ?? [] {
                                if let answer = c.answers[q.code] {
                                    Element(name: "dt") { Text(t(q.labelZh, q.labelEn)) }
                                    Element(name: "dd") { Text(answer.replacingOccurrences(of: ",", with: "、")) }
                                }
                            }
                        }.class("answers")
                    }
                    Paragraph(
                        "\(t("网格", "Grid")) \(c.gridCode) · \(c.anonymous ? t("匿名", "anonymous") : (c.submitterName ?? "—"))"
                    ).class("muted small")
                    if let n = c.followers, n > 0 {
                        Paragraph(t("另有 \(n) 位居民反映同一问题", "\(n) more residents reported the same problem")).class(
                            "small")
                    }
                    if let h = c.handlerName {
                        Paragraph("\(t("处理人", "Handler")): \(h)" + (c.dispatchReason.map { "（\($0)）" } ?? "")).class(
                            "small")
                    }
                    if let r = c.rating {
                        Paragraph(
                            "\(t("评价", "Rating")): " + String(repeating: "★", count: r)
                                + (c.ratingComment.map { " \($0)" } ?? ""))
                    }
                }.class("card")
                Div {
                    H3(t("办理", "Actions"))
                    if may("accept") { form("accept", t("审核通过并派单", "Accept and dispatch"), primary: true) }
                    if may("reject") {
                        form("reject", t("不予受理", "Reject")) {
                            Input(type: .text, name: "reason", isRequired: true, placeholder: t("原因", "Reason"))
                        }
                    }
                    if may("recategorize") {
                        form("recategorize", t("调整分类", "Change category")) {
                            Element(name: "select") {
                                for cat in categories {
                                    Node<HTML.BodyContext>.element(
                                        named: "option",
                                        nodes: [.attribute(named: "value", value: cat.code), .text(cat.nameZh)])
                                }
                            }.attribute(named: "name", value: "categoryCode")
                        }
                    }
                    if may("sign") { form("sign", t("签收", "Sign for it"), primary: true) }
                    if may("contact") {
                        form("contact", t("已联系诉求人", "Contacted the resident")) {
                            Input(type: .text, name: "note", placeholder: t("联系情况", "Note")).attribute(
                                named: "list", value: "templates")
                        }
                    }
                    if may("progress") {
                        form("progress", t("添加进展", "Add progress")) {
                            Input(type: .text, name: "note", isRequired: true, placeholder: t("进展", "Progress"))
                                .attribute(named: "list", value: "templates")
                        }
                    }
                    if may("resolve") {
                        form("resolve", t("办结", "Resolve"), primary: true) {
                            Input(type: .text, name: "note", placeholder: t("办理结果", "Result")).attribute(
                                named: "list", value: "templates")
                        }
                    }
                    if may("request_extension") {
                        form("request_extension", t("申请延期", "Ask for more time")) {
                            Input(type: .number, name: "hours", value: "24", isRequired: true)
                            Input(type: .text, name: "reason", isRequired: true, placeholder: t("原因", "Reason"))
                        }
                    }
                    if may("decide_extension") {
                        form("decide_extension", t("同意延期", "Approve extension")) {
                            Input(type: .hidden, name: "approved", value: "true")
                        }
                    }
                    if may("send_back") {
                        form("send_back", t("退回", "Send back")) {
                            Input(type: .text, name: "reason", isRequired: true, placeholder: t("原因", "Reason"))
                        }
                    }
                    if may("rate") {
                        form("rate", t("提交评价", "Rate"), primary: true) {
                            Element(name: "select") {
                                for s in [5, 4, 3, 2, 1] {
                                    Node<HTML.BodyContext>.element(
                                        named: "option",
                                        nodes: [
                                            .attribute(named: "value", value: "\(s)"),
                                            .text(String(repeating: "★", count: s)),
                                        ])
                                }
                            }.attribute(named: "name", value: "score")
                            Input(type: .text, name: "comment", placeholder: t("评价（可选）", "Comment (optional)"))
                        }
                    }
                    if may("reopen") {
                        form("reopen", t("问题未解决，重新办理", "Not solved: reopen")) {
                            Input(type: .text, name: "reason", isRequired: true, placeholder: t("原因", "Reason"))
                        }
                    }
                    if may("return_visit") {
                        form("return_visit", t("回访", "Return visit")) {
                            Input(type: .text, name: "note", isRequired: true, placeholder: t("回访情况", "Note"))
                                .attribute(named: "list", value: "templates")
                        }
                    }
                    if !templates.isEmpty && p.role.isStaff {
                        Paragraph(t("输入框可选用回复模板", "Reply templates are offered in the note fields")).class(
                            "muted small")
                        Element(name: "datalist") {
                            for text in templates {
                                Node<HTML.BodyContext>.element(
                                    named: "option", nodes: [.attribute(named: "value", value: text)])
                            }
                        }.id("templates")
                    }
                }.class("card")
            }.class("cards")
            if !(c.photos ?? []).isEmpty || ComplaintPolicy.mayAddPhotos(p, row) {
                H2(t("照片", "Photos"))
                Div {
                    for photo in c.photos ?? [] {
                        Link(url: "/api/v1/complaints/\(id.uuidString)/photos/\(photo.id.uuidString)") {
                            Image(
                                url: "/api/v1/complaints/\(id.uuidString)/photos/\(photo.id.uuidString)?size=thumb",
                                description: Self.stageName(photo.stage, t)
                            ).class("thumb")
                            Span(Self.stageName(photo.stage, t)).class("small muted")
                        }.class("photo")
                    }
                }.class("photo-strip")
                if ComplaintPolicy.mayAddPhotos(p, row) {
                    Form(url: "/complaints/\(id.uuidString)/photos", method: .post, contentType: .multipartData) {
                        Input(type: .hidden, name: "_csrf", value: csrf)
                        Element(name: "select") {
                            for stage in row.status == .submitted ? ["report"] : ["before", "after", "progress"] {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [.attribute(named: "value", value: stage), .text(Self.stageName(stage, t))])
                            }
                        }.attribute(named: "name", value: "stage")
                        Input(type: .file, name: "photos[]").attribute(named: "accept", value: "image/jpeg,image/png")
                            .attribute(named: "multiple", value: "multiple")
                            .attribute(named: "required", value: "required")
                        Button { Text(t("上传照片", "Upload photos")) }.attribute(named: "type", value: "submit")
                    }.class("inline filters")
                }
            }
            H2(t("办理过程", "Timeline"))
            Element(name: "ol") {
                for e in c.timeline ?? [] {
                    ListItem {
                        Span(DisplayTime.minutes(e.at)).class("mono small")
                        Text(" \(e.labelZh)" + (e.actorName.map { " · \($0)" } ?? ""))
                        if let note = e.note { Span(" — \(note)").class("muted") }
                    }
                }
            }.class("timeline")
        }
    }

    static func stageName(_ stage: String, _ t: Localizer) -> String {
        switch stage {
        case "before": return t("处理前", "Before")
        case "after": return t("处理后", "After")
        case "progress": return t("现场", "On site")
        default: return t("群众上报", "Reported")
        }
    }

    @Sendable static func addPhotos(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let stage = try req.content.decode(ComplaintInput.PhotoStage.self).stage ?? "progress"
        try await ComplaintDesk(req).attachPhotos(id, files: try ComplaintInput.photoFiles(req), stage: stage, by: p)
        return WebResponse.redirect("/complaints/\(id.uuidString)")
    }

    @Sendable static func act(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        struct Form: Content {
            var action: String
            var reason: String?
            var note: String?
            var hours: String?
            var approved: String?
            var score: String?
            var comment: String?
            var categoryCode: String?
        }
        let f = try req.content.decode(Form.self)
        let input = ComplaintWorkflow.Input(
            action: f.action, reason: f.reason, note: f.note, hours: f.hours.flatMap { Int($0) },
            approved: f.approved == "true", score: f.score.flatMap { Int($0) }, comment: f.comment,
            categoryCode: f.categoryCode)
        try await ComplaintDesk(req).perform(id, input: input, by: p)
        return WebResponse.redirect("/complaints/\(id.uuidString)")
    }
}
