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

    /// The inbox's tabs; each one's label is the message `complaints.tab.<key>`.
    static let tabs = ComplaintStore.Queue.allCases.map(\.rawValue)

    struct InboxQuery: Content { var tab: String? }

    @Sendable static func inbox(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let queue: ComplaintStore.Queue? =
            (try? req.query.decode(InboxQuery.self).tab).flatMap { ComplaintStore.Queue(rawValue: $0) }
            ?? (p.role == .resident ? nil : .submitted)
        let tab = queue?.rawValue
        let now = Date()
        let select = try ComplaintStore.visible(to: p, on: req.sql)
        ComplaintStore.queue(queue, select, now: now)
        var total: Int?
        if let queue { total = try await ComplaintStore.count(queue, for: p, on: req.sql, now: now) }
        let rows = try await select.limit(100).all(decoding: ComplaintRow.self)
        let names = try await ComplaintDesk(req).categoryNames()
        let items = rows.map { ComplaintDTO($0, categoryName: names[$0.category_code] ?? $0.category_code, viewer: p) }
        return PageShell(request: req, title: t("complaints.complaints-4"), active: "complaints", wide: true).render {
            Div {
                H1(p.role == .resident ? t("complaints.my-complaints") : t("complaints.complaints-4"))
                if p.role == .resident { Link(t("complaints.tell-us-2"), url: "/tell").class("button primary-link") }
            }.class("page-head")
            if p.role != .resident {
                Paragraph {
                    for key in tabs {
                        Link(t("complaints.tab.\(key)"), url: "/complaints?tab=\(key)").class(
                            key == tab ? "pill ok" : "pill")
                    }
                    Text(" · ")
                    Link(t("complaints.statistics-2"), url: "/complaints/stats").class("pill")
                    Link(t("complaints.map"), url: "/complaints/map").class("pill")
                }
            }
            if let total, total > items.count {
                Paragraph(t("complaints.showing-first", items.count, total)).class("muted small")
            }
            DataTable(
                columns: [
                    t("complaints.no"), t("complaints.category-2"), t("complaints.text-2"), t("complaints.status"),
                    t("complaints.due"), t("complaints.handler-2"),
                ],
                rows: items.map { c -> [Component] in
                    [
                        Link(c.number, url: "/complaints/\(c.id.uuidString)").class("mono"),
                        Text(c.categoryName),
                        Text(c.text.clipped(40)),
                        ComplaintPages.statusBadges(c, t),
                        Text(c.resolveBy.map { DisplayTime.minutes($0) } ?? "—"),
                        Text(c.handlerName ?? "—"),
                    ]
                },
                empty: p.role == .resident
                    ? EmptyState(
                        title: t("complaints.empty-mine"), hint: t("complaints.empty-mine-hint"),
                        action: (t("complaints.nav.tell"), "/tell"))
                    : EmptyState(title: t("complaints.empty-tab"), hint: t("complaints.empty-tab-hint"))
            )
        }
    }

    /// The status, and beside it which clock ran out when one did ("联系超时"): red only for
    /// what is late, so a complaint signed for in time is not marked red for its contact clock.
    static func statusBadges(_ c: ComplaintDTO, _ t: Localizer) -> Component {
        ComponentGroup {
            Span(t.name(ComplaintStatus.self, c.status)).class("pill")
            for clock in c.overdue {
                Span(t("complaints.clock-late", t.name(ClockKind.self, clock))).class("pill bad")
            }
        }
    }

    @Sendable static func addPhotos(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let stage = try req.content.decode(ComplaintInput.PhotoStage.self).stage ?? "progress"
        try await ComplaintDesk(req).attachPhotos(id, files: try PhotoUploads.files(req), stage: stage, by: p)
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
            var handlerId: String?
        }
        let f = try req.content.decode(Form.self)
        let input = ComplaintWorkflow.Input(
            action: f.action, reason: f.reason, note: f.note, hours: f.hours.flatMap { Int($0) },
            approved: f.approved == "true", score: f.score.flatMap { Int($0) }, comment: f.comment,
            categoryCode: f.categoryCode, handlerId: f.handlerId.flatMap { UUID(uuidString: $0) })
        try await ComplaintDesk(req).perform(id, input: input, by: p)
        return WebResponse.redirect("/complaints/\(id.uuidString)")
    }
}
