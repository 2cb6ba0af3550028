import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The grid worker's to-do list and the community's review inbox.
extension RegistryPages {
    struct GridName: Decodable {
        let code: String
        let name: String
    }

    /// The grids of an area, by name (for choosing one); none when there are too many to list.
    static func grids(in scope: DataScope, on db: any SQLDatabase) async throws -> [GridName] {
        let q = db.select().columns("code", "name").from("nodes").where("level", .equal, NodeLevel.grid.rawValue)
        q.scoped(scope, column: "code")
        let rows = try await q.orderBy("code").limit(121).all(decoding: GridName.self)
        return rows.count > 120 ? [] : rows
    }

    struct CareQuery: Content {
        var due: String?
        var node: String?
        var tag: String?
    }

    @Sendable static func todo(req: Request) async throws -> Response {
        let p = try requireStaff(req)
        let t = Localizer(req)
        let q = (try? req.query.decode(CareQuery.self)) ?? CareQuery()
        let due = (try? RegistryRoutes.dueFilter(q.due)) ?? nil
        // Narrowed to one grid (or any node) of the viewer's area, and to one tag.
        let node = q.node.flatMap { try? HierarchyCode(validating: $0) }.flatMap {
            p.scope.allows(code: $0.value) ? $0 : nil
        }
        let scope = node.map { DataScope.subtree($0) } ?? p.scope
        let tag = q.tag.flatMap { $0.isEmpty ? nil : $0 }
        let care = CarePlans(db: try req.sql)
        let now = Date()
        let items = try await care.todo(scope: scope, viewer: p, due: due, today: now, tag: tag)
        let (overdue, soon) = try await care.counts(scope: scope, viewer: p, today: now, tag: tag)
        let grids = try await Self.grids(in: p.scope, on: req.sql)
        let catalogue = try await TagCatalogue.byCode(on: req.sql)
        let tags = catalogue.values.filter { $0.visitIntervalDays != nil && TagVisibility.canSee(p, $0.tagSensitivity) }
            .sorted { $0.code < $1.code }
        func link(_ d: CarePlans.Due?) -> String {
            var parts: [String] = []
            if let d { parts.append("due=\(d.rawValue)") }
            if let node { parts.append("node=\(node.value)") }
            if let tag { parts.append("tag=\(tag)") }
            return parts.isEmpty ? "/care" : "/care?" + parts.joined(separator: "&")
        }
        let shown = due == .overdue ? overdue : due == .soon ? soon : overdue + soon
        return PageShell(request: req, title: t("registry.visits-due"), active: "care", wide: true).render {
            Div {
                H1(t("registry.visits-due"))
                Paragraph(t("registry.0-overdue-1-due-within", overdue, soon)).class("muted")
            }.class("page-head")
            Div {
                for (key, label, count) in [
                    (nil, t("registry.due-all"), overdue + soon),
                    (CarePlans.Due.overdue, t("registry.due-overdue"), overdue),
                    (CarePlans.Due.soon, t("registry.due-soon-tab"), soon),
                ] {
                    Link("\(label) \(count)", url: link(key)).class(key == due ? "pill ok" : "pill")
                }
            }.class("tabs")
            Form(url: "/care", method: .get) {
                if let due { Input(type: .hidden, name: "due", value: due.rawValue) }
                if grids.count > 1 {
                    Choice(
                        label: t("registry.care-filter-node"), name: "node", options: grids.map { ($0.code, $0.name) },
                        selected: node?.value, none: t("registry.due-all"))
                }
                Choice(
                    label: t("registry.care-filter-tag"), name: "tag",
                    options: tags.map { ($0.code, t.pick($0.nameZh, $0.nameEn)) }, selected: tag,
                    none: t("registry.due-all"))
                Button { Text(t("registry.care-filter")) }.attribute(named: "type", value: "submit")
            }.class("filters")
            if shown > items.count {
                Paragraph(t("registry.showing-first", items.count, shown)).class("muted small")
            }
            DataTable(
                columns: [
                    t("registry.name"), t("registry.tag"), t("registry.due"), t("registry.status"),
                    t("registry.household"), t("registry.visit"),
                ],
                rows: items.map { i -> [Component] in
                    [
                        Link(i.name, url: "/residents/\(i.residentId.uuidString)"),
                        Text(t.pick(i.tagName, i.tagNameEn)),
                        Text(i.nextVisitDue),
                        Span(i.overdueDays > 0 ? t("registry.0-days-overdue", i.overdueDays) : t("registry.due-soon"))
                            .class(i.overdueDays > 0 ? "pill bad" : "pill warn"),
                        Link(i.householdCode, url: "/h/\(i.householdCode)").class("mono small"),
                        Link(
                            t("registry.record-visit"), url: "/residents/\(i.residentId.uuidString)/visit?tag=\(i.tag)"
                        )
                        .class("button"),
                    ]
                },
                empty: EmptyState(title: t("registry.empty-care"), hint: t("registry.empty-care-hint"))
            )
        }
    }

    @Sendable static func reviews(req: Request) async throws -> Response {
        let p = try requireStaff(req)
        let t = Localizer(req)
        let status = (try? req.query.decode(RegistryRoutes.StatusQuery.self).status) ?? "pending"
        let items = try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).list(status: status, scope: p.scope)
        let canReview = p.role == .communityStaff || p.role == .streetOfficial || p.role == .admin
        return PageShell(request: req, title: t("registry.reviews"), active: "reviews", wide: true).render {
            Div {
                H1(t("registry.reviews"))
                Paragraph {
                    Link(t("registry.pending"), url: "/reviews?status=pending")
                    Text(" · ")
                    Link(t("registry.approved"), url: "/reviews?status=approved")
                    Text(" · ")
                    Link(t("registry.rejected"), url: "/reviews?status=rejected")
                }.class("muted")
            }.class("page-head")
            if items.isEmpty { Paragraph(t("registry.nothing-here")).class("muted") }
            for item in items {
                Div {
                    H3(t("registry.resident-change"))
                    Paragraph(
                        "\(item.requestedByName ?? "") · \(DisplayTime.minutes(item.requestedAt)) · \(item.householdCode)"
                    ).class("muted small")
                    Element(name: "pre") { Text(item.summary) }.class("diff")
                    if let reason = item.reason { Paragraph(t("registry.reason") + reason).class("alert") }
                    if canReview, item.status == "pending" {
                        Div {
                            Form(url: "/reviews/\(item.id.uuidString)/approve", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                                Button { Text(t("registry.approve")) }.attribute(named: "type", value: "submit").class(
                                    "primary")
                            }.class("inline")
                            Form(url: "/reviews/\(item.id.uuidString)/reject", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                                Input(
                                    type: .text, name: "reason", isRequired: true,
                                    placeholder: t("registry.reason-for-rejecting"))
                                Button { Text(t("registry.reject")) }.attribute(named: "type", value: "submit")
                            }.class("inline filters")
                        }.class("actions")
                    }
                }.class("card review")
            }
        }
    }

    @Sendable static func approve(req: Request) async throws -> Response {
        _ = try await RegistryRoutes.approveReview(req)
        return WebResponse.redirect("/reviews")
    }

    struct RejectForm: Content { var reason: String? }

    @Sendable static func reject(req: Request) async throws -> Response {
        try await RegistryRoutes.rejectReview(req, reason: (try? req.content.decode(RejectForm.self).reason) ?? "")
        return WebResponse.redirect("/reviews")
    }
}
