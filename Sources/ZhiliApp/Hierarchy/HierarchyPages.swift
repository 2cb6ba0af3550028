import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// Browser pages of the hierarchy: the level-by-level browser, the grid map and the
/// household page that a door QR code opens.
enum HierarchyPages {
    static func register(_ app: Application) {
        app.get("hierarchy", use: browser)
        app.get("map", use: map)
        app.get("h", ":code", use: household)
    }

    struct BrowseQuery: Content { var code: String? }

    @Sendable static func browser(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let reads = req.hierarchy.reads(try req.sql)
        let raw = try req.query.decode(BrowseQuery.self).code
        var detail: NodeDetail?
        let rows: [NodeSummary]
        if let raw, !raw.isEmpty {
            let code = try parseCode(raw)
            guard p.scope.allowsBrowsing(code: code.value) else { throw AppError.forbidden }
            guard let d = try await reads.detail(code) else { throw AppError.notFound("Node", zhWhat: "节点") }
            detail = d
            rows =
                code.level == .unit
                ? [] : try await reads.children(of: code).filter { p.scope.allowsBrowsing(code: $0.code) }
        } else {
            rows = try await reads.roots(for: p.scope)
        }
        let households = detail.flatMap { $0.level == NodeLevel.unit.rawValue ? $0.code : nil }
        var units: [UnitHouseholds.Row] = []
        if let unit = households { units = try await UnitHouseholds.list(unit: unit, db: req.sql) }
        return PageShell(request: req, title: detail?.name ?? t("hierarchy.hierarchy"), active: "hierarchy", wide: true)
            .render {
                Element(name: "ol") {
                    ListItem { Link(t("hierarchy.all"), url: "/hierarchy") }
                    if let d = detail {
                        for b in d.path { ListItem { Link(b.name, url: "/hierarchy?code=\(b.code)") } }
                        ListItem { Span(d.name) }
                    }
                }.class("breadcrumbs")
                if let d = detail {
                    Div {
                        H1(d.name)
                        Paragraph(
                            "\(t.name(NodeLevel.self, d.level)) · \(t("hierarchy.code")) \(d.code)"
                        ).class("muted mono")
                    }.class("page-head")
                    Div {
                        Div {
                            Span("\(d.counts.children)").class("figure")
                            Span(t("hierarchy.sub-units")).class("figure-label")
                        }.class("stat")
                        Div {
                            Span("\(d.counts.households)").class("figure")
                            Span(t("hierarchy.households")).class("figure-label")
                        }.class("stat")
                        Div {
                            Span("\(d.counts.residents)").class("figure")
                            Span(t("hierarchy.residents")).class("figure-label")
                        }.class("stat")
                    }.class("stats")
                } else {
                    Div { H1(t("hierarchy.hierarchy")) }.class("page-head")
                }
                if !rows.isEmpty {
                    DataTable(
                        columns: [
                            t("hierarchy.name"), t("hierarchy.level"), t("hierarchy.code"), t("hierarchy.sub-units-2"),
                            t("hierarchy.households"), t("hierarchy.residents"),
                        ],
                        rows: rows.map { row -> [Component] in
                            [
                                Link(row.name, url: "/hierarchy?code=\(row.code)"),
                                Text(t.name(NodeLevel.self, row.level)),
                                Span(row.code).class("mono small"),
                                Text("\(row.counts.children)"),
                                Text("\(row.counts.households)"),
                                Text("\(row.counts.residents)"),
                            ]
                        })
                }
                if !units.isEmpty {
                    H2(t("hierarchy.households-2"))
                    DataTable(
                        columns: [t("hierarchy.door"), t("hierarchy.household-code"), t("hierarchy.members")],
                        rows: units.map { h -> [Component] in
                            [Link(h.room, url: "/h/\(h.code)"), Span(h.code).class("mono small"), Text("\(h.members)")]
                        })
                }
            }
    }

    @Sendable static func map(req: Request) async throws -> Response {
        _ = try req.requireWebPrincipal()
        let t = Localizer(req)
        let config = req.zhili.config
        return PageShell(
            request: req, title: t("hierarchy.grid-map"), active: "map",
            scripts: [
                "/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/basemap.js", "/assets/map.js",
            ], wide: true
        ).render {
            Div {
                H1(t("hierarchy.grid-map"))
                Paragraph(
                    t("hierarchy.click-a-grid-to-see")
                ).class("muted")
            }.class("page-head")
            Div {}.id("map").class("map")
                .attribute(named: "data-tiles", value: config.tileURL ?? "")
                .attribute(named: "data-attribution", value: config.tileAttribution ?? "")
                .attribute(named: "data-lang", value: t.lang.rawValue)
            Div {}.id("map-info").class("map-info")
        }
    }

    @Sendable static func household(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard code.level == .household, let found = try await HouseholdReads(db: req.sql).detail(code) else {
            throw AppError.notFound(entity: "household")
        }
        try await req.requireInScope(
            code: code.value, entity: "household", id: code.value, roleAllowed: p.role.isStaff || p.role == .resident)
        let detail = try await found.visible(to: p, db: req.sql)
        await req.audit.record(action: "read", entity: "household", entityID: code.value)
        return PageShell(request: req, title: detail.address, active: "household").render {
            Element(name: "ol") {
                for b in detail.path { ListItem { Link(b.name, url: "/hierarchy?code=\(b.code)") } }
            }.class("breadcrumbs")
            Div {
                Div {
                    H1(detail.address)
                    Paragraph("\(t("hierarchy.household-code")) \(detail.code)").class("muted mono")
                    if !detail.tags.isEmpty {
                        Paragraph { for tag in detail.tags { Span(RegistryPages.tagName(t, tag)).class("pill warn") } }
                    }
                }
                Image(url: "/api/v1/households/\(detail.code)/qr.svg", description: t("hierarchy.door-qr-code")).class(
                    "qr")
            }.class("page-head split")
            DataTable(
                columns: [
                    t("hierarchy.name-2"), t("hierarchy.relation"), t("hierarchy.sex"), t("hierarchy.born"),
                    t("hierarchy.id-number"), t("hierarchy.phone"),
                ],
                rows: detail.members.map { m -> [Component] in
                    [
                        Text(m.name),
                        Text(
                            RegistryVocabulary.item(RegistryVocabulary.relations, key: m.relation)
                                .map { t.pick($0.nameZh, $0.nameEn) } ?? m.relation),
                        Text(t.name(Sex.self, m.sex)),
                        Text(m.birthDate),
                        Span(m.idNumberMasked).class("mono"),
                        Span(m.phoneMasked ?? "—").class("mono"),
                    ]
                })
            Paragraph(
                t("hierarchy.id-numbers-and-phones-are")
            ).class("muted small")
        }
    }
}

/// Households of one unit with member counts, for the browser's last level.
enum UnitHouseholds {
    struct Row: Decodable {
        let code: String
        let room: String
        let members: Int
    }

    static func list(unit: String, db: any SQLDatabase) async throws -> [Row] {
        try await db.raw(
            """
            SELECT h.code AS code, h.room AS room, (SELECT COUNT(*) FROM residents r WHERE r.household_code = h.code) AS members
            FROM households h WHERE h.code >= \(bind: unit) AND h.code < \(bind: unit + ":") AND h.retired = \(bind: false)
            ORDER BY h.code
            """
        ).all(decoding: Row.self)
    }
}
