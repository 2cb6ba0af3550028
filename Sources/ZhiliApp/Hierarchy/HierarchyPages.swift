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
        return PageShell(request: req, title: detail?.name ?? t("网格层级", "Hierarchy"), active: "hierarchy", wide: true)
            .render {
                Element(name: "ol") {
                    ListItem { Link(t("全部", "All"), url: "/hierarchy") }
                    if let d = detail {
                        for b in d.path { ListItem { Link(b.name, url: "/hierarchy?code=\(b.code)") } }
                        ListItem { Span(d.name) }
                    }
                }.class("breadcrumbs")
                if let d = detail {
                    Div {
                        H1(d.name)
                        Paragraph(
                            "\(t(d.levelName, NodeLevel(rawValue: d.level)?.nameEn ?? d.level)) · \(t("编码", "Code")) \(d.code)"
                        ).class("muted mono")
                    }.class("page-head")
                    Div {
                        Div {
                            Span("\(d.counts.children)").class("figure")
                            Span(t("下级单元", "Sub-units")).class("figure-label")
                        }.class("stat")
                        Div {
                            Span("\(d.counts.households)").class("figure")
                            Span(t("户数", "Households")).class("figure-label")
                        }.class("stat")
                        Div {
                            Span("\(d.counts.residents)").class("figure")
                            Span(t("居民", "Residents")).class("figure-label")
                        }.class("stat")
                    }.class("stats")
                } else {
                    Div { H1(t("网格层级", "Hierarchy")) }.class("page-head")
                }
                if !rows.isEmpty {
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("名称", "Name"))
                            TableHeaderCell(t("层级", "Level"))
                            TableHeaderCell(t("编码", "Code"))
                            TableHeaderCell(t("下级", "Sub-units"))
                            TableHeaderCell(t("户数", "Households"))
                            TableHeaderCell(t("居民", "Residents"))
                        }
                    ) {
                        for row in rows {
                            TableRow {
                                TableCell { Link(row.name, url: "/hierarchy?code=\(row.code)") }
                                TableCell(t(row.levelName, NodeLevel(rawValue: row.level)?.nameEn ?? row.level))
                                TableCell { Span(row.code).class("mono") }
                                TableCell("\(row.counts.children)")
                                TableCell("\(row.counts.households)")
                                TableCell("\(row.counts.residents)")
                            }
                        }
                    }.class("data")
                }
                if !units.isEmpty {
                    H2(t("住户", "Households"))
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("门牌", "Door"))
                            TableHeaderCell(t("户编码", "Household code"))
                            TableHeaderCell(t("人数", "Members"))
                        }
                    ) {
                        for h in units {
                            TableRow {
                                TableCell { Link(h.room, url: "/h/\(h.code)") }
                                TableCell { Span(h.code).class("mono") }
                                TableCell("\(h.members)")
                            }
                        }
                    }.class("data")
                }
            }
    }

    @Sendable static func map(req: Request) async throws -> Response {
        _ = try req.requireWebPrincipal()
        let t = Localizer(req)
        let config = req.zhili.config
        return PageShell(
            request: req, title: t("网格地图", "Grid map"), active: "map",
            scripts: ["/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/map.js"], wide: true
        ).render {
            Div {
                H1(t("网格地图", "Grid map"))
                Paragraph(
                    t(
                        "点击网格查看小区；数据均来自本系统，无需互联网。",
                        "Click a grid to see its compounds; all data comes from this system, no internet needed.")
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
                    Paragraph("\(t("户编码", "Household code")) \(detail.code)").class("muted mono")
                    if !detail.tags.isEmpty {
                        Paragraph { for tag in detail.tags { Span(RegistryPages.tagName(tag)).class("pill warn") } }
                    }
                }
                Image(url: "/api/v1/households/\(detail.code)/qr.svg", description: t("一户一码", "Door QR code")).class(
                    "qr")
            }.class("page-head split")
            Table(
                header: TableRow {
                    TableHeaderCell(t("姓名", "Name"))
                    TableHeaderCell(t("关系", "Relation"))
                    TableHeaderCell(t("性别", "Sex"))
                    TableHeaderCell(t("出生日期", "Born"))
                    TableHeaderCell(t("证件号码", "ID number"))
                    TableHeaderCell(t("电话", "Phone"))
                }
            ) {
                for m in detail.members {
                    TableRow {
                        TableCell(m.name)
                        TableCell(
                            RegistryVocabulary.item(RegistryVocabulary.relations, key: m.relation)?.nameZh ?? m.relation
                        )
                        TableCell(Sex(rawValue: m.sex)?.nameZh ?? m.sex)
                        TableCell(m.birthDate)
                        TableCell { Span(m.idNumberMasked).class("mono") }
                        TableCell { Span(m.phoneMasked ?? "—").class("mono") }
                    }
                }
            }.class("data")
            Paragraph(
                t(
                    "证件号码与电话已脱敏显示；本次查看已记入审计日志。",
                    "ID numbers and phones are masked; this view was recorded in the audit log.")
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
