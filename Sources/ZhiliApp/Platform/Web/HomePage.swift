import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The dashboard: what the account is responsible for, in figures, and where to go next.
enum HomePage {
    @Sendable static func show(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let todo = try await ToDoCentre.items(for: p, on: req)
        var figures: [StatCard] = []
        var anchorName: String?
        if p.role.isStaff {
            let reads = req.hierarchy.reads(try req.sql)
            let roots = try await reads.roots(for: p.scope)
            let total = roots.reduce(into: NodeCounts()) { acc, n in
                acc.children += n.counts.children
                acc.households += n.counts.households
                acc.residents += n.counts.residents
            }
            anchorName = roots.count == 1 ? roots[0].name : t("platform.all-areas")
            figures = [
                StatCard(value: "\(total.children)", label: t("platform.sub-units"), url: "/hierarchy"),
                StatCard(value: "\(total.households)", label: t("platform.households"), url: "/hierarchy"),
                // The hierarchy page lists the same counts under each child; key persons have no
                // list of their own to open (the visits list counts visits, not people).
                StatCard(value: "\(total.residents)", label: t("platform.residents"), url: "/hierarchy"),
                StatCard(value: "\(try await keyPersonCount(req, scope: p.scope))", label: t("platform.key-persons")),
            ]
        }
        let entries = NavigationMenu.entries(for: p, capabilities: req.application.capabilities)
            .filter { $0.key != "home" }
        let soon = comingSoon[p.role] ?? []
        return PageShell(
            request: req, title: p.role.isStaff ? t("platform.dashboard") : t("platform.home"), active: "home"
        )
        .render {
            Div {
                H1(t("platform.hello-0", p.displayName))
                Paragraph([t.name(p.role), anchorName].compactMap { $0 }.joined(separator: " · ")).class("muted")
            }.class("page-head")
            if !todo.isEmpty {
                H2(t("platform.todo"))
                Div {
                    for item in todo {
                        StatCard(
                            value: "\(item.count)", label: t(item.label), url: item.url,
                            tone: item.tone == .normal ? "" : item.tone.rawValue)
                    }
                }.class("stats todo").attribute(named: "data-todo", value: "\(todo.count)")
            }
            if !figures.isEmpty {
                H2(t("platform.area-overview"))
                Div { for f in figures { f } }.class("stats")
            }
            if !entries.isEmpty {
                H2(p.role.isStaff ? t("platform.go-to") : t("platform.services"))
                Div {
                    for entry in entries {
                        Link(url: entry.url) {
                            Node<HTML.BodyContext>.raw(Icon.svg(entry.icon))
                            H3(t(entry.label))
                        }.class("card action-card tile")
                    }
                }.class("cards tiles")
            }
            if !soon.isEmpty {
                H2(t("platform.coming-soon"))
                Div {
                    for key in soon {
                        Div {
                            H3(t("platform.soon.\(key)"))
                            Paragraph(t("platform.soon.\(key).hint")).class("muted small")
                            Span(t("platform.coming-soon-badge")).class("pill info")
                        }.class("card soon")
                    }
                }.class("cards")
            }
        }
    }

    /// What each partner role and the resident will find here once it is built: said plainly,
    /// so a sign-in never ends on an empty page.
    static let comingSoon: [Role: [String]] = [
        .resident: ["bills", "bookings", "wishes", "deliberation"],
        .volunteer: ["volunteer-tasks", "mobilisation", "points"],
        .merchant: ["merchant-offers", "merchant-orders"],
        .coBuildingUnit: ["co-building-projects", "co-building-resources"],
    ]

    private struct CountRow: Decodable { let n: Int }

    static func keyPersonCount(_ req: Request, scope: DataScope) async throws -> Int {
        let q = try req.sql.select().column(
            SQLFunction("COUNT", args: SQLFunction("DISTINCT", args: SQLIdentifier("resident_id"))), as: "n"
        )
        .from("resident_tags")
        q.scoped(scope, column: "household_code")
        return try await q.first(decoding: CountRow.self)?.n ?? 0
    }
}
