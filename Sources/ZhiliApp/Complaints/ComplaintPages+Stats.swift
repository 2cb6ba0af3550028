import Plot
import Vapor
import ZhiliDomain

/// Statistics of 接诉即办 for staff: the three rates of their area with rankings of the areas
/// below, by department and by month; the themes residents raise and the hot-spot grids.
/// And the map of open complaints.
extension ComplaintPages {
    struct StatsQuery: Content {
        var under: String?
        var fromMonth: String?
        var toMonth: String?
    }

    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    @Sendable static func stats(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let q = try req.query.decode(StatsQuery.self)
        let code = try parseCode(q.under ?? p.nodeCode ?? "", field: "under")
        guard p.scope.allowsBrowsing(code: code.value) || p.role == .admin else { throw AppError.forbidden }
        let (defaultFrom, defaultTo) = ComplaintThemes.lastYear()
        let to = try ComplaintInput.month(q.toMonth, field: "toMonth", emptyIsAbsent: true) ?? defaultTo
        let from = min(
            try ComplaintInput.month(q.fromMonth, field: "fromMonth", emptyIsAbsent: true) ?? defaultFrom, to)
        let children = try await req.hierarchy.reads(try req.sql).children(of: code)
        let childNames = Dictionary(children.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let report = try await ComplaintRates(
            db: req.sql, gate: req.complaints.rateRefresh, cache: req.complaints.reports
        ).report(under: code, fromMonth: from, toMonth: to, childNames: childNames)
        let gridNames = try await req.hierarchy.gridLocator.snapshot().info.mapValues {
            "\($0.communityName) \($0.gridName)"
        }
        let trends = try await ComplaintThemes(db: req.sql).trends(
            under: code, fromMonth: from, toMonth: to, gridNames: gridNames, gate: req.complaints.rateRefresh)
        let nodeName = try await req.hierarchy.reads(try req.sql).detail(code)?.name ?? code.value
        let ranked = report.children.sorted {
            ($0.rates.resolutionRate ?? -1, $0.rates.satisfactionRate ?? -1) > (
                $1.rates.resolutionRate ?? -1, $1.rates.satisfactionRate ?? -1
            )
        }
        let monthRates = Dictionary(uniqueKeysWithValues: report.months.map { ($0.code, $0.rates.satisfactionRate) })
        let chart = SVGChart.barsWithLine(
            trends.months.map { (String($0.month.suffix(2)) + t("月", ""), $0.complaints) },
            line: trends.months.map { monthRates[$0.month] ?? nil },
            title: t("每月诉求量与满意率", "Complaints and satisfaction by month"),
            barName: t("诉求量", "Complaints"), lineName: t("满意率", "Satisfaction"))
        let themeChart = SVGChart.horizontalBars(
            trends.themes.prefix(8).filter { $0.count > 0 }.map { ($0.name, $0.count) },
            title: t("诉求主题", "Themes"))
        let months = ComplaintThemes.months(from: ComplaintThemes.lastYear().0, to: defaultTo).reversed() + []
        func rateRow(_ rank: Int?, _ line: ComplaintRates.Line, link: String?) -> Component {
            TableRow {
                if let rank { TableCell("\(rank)") }
                TableCell { if let link { Link(line.name, url: link) } else { Text(line.name) } }
                TableCell("\(line.total)").class("num")
                TableCell("\(line.rates.dispatched)").class("num")
                TableCell(percent(line.rates.responseRate)).class("num")
                TableCell(percent(line.rates.resolutionRate)).class("num")
                TableCell(percent(line.rates.satisfactionRate)).class("num")
            }
        }
        let header = { (rank: Bool) in
            TableRow {
                if rank { TableHeaderCell(t("排名", "Rank")) }
                TableHeaderCell(t("名称", "Name"))
                TableHeaderCell(t("诉求", "Complaints"))
                TableHeaderCell(t("派单", "Dispatched"))
                TableHeaderCell(t("响应率", "Response"))
                TableHeaderCell(t("解决率", "Resolution"))
                TableHeaderCell(t("满意率", "Satisfaction"))
            }
        }
        return PageShell(request: req, title: t("诉求统计", "Complaint statistics"), active: "complaints", wide: true)
            .render {
                Div {
                    H1("\(nodeName) · \(t("诉求统计", "Complaint statistics"))")
                    Paragraph(
                        "\(from) — \(to) · "
                            + t(
                                "按提交时间（北京时间）统计，计数规则见说明文档",
                                "by submission month (Beijing time); counting rules in the README")
                    ).class("muted")
                }.class("page-head")
                Form(url: "/complaints/stats", method: .get) {
                    Input(type: .hidden, name: "under", value: code.value)
                    Label(t("起", "From")) { monthSelect("fromMonth", months, selected: from) }
                    Label(t("止", "To")) { monthSelect("toMonth", months, selected: to) }
                    Button { Text(t("查看", "Show")) }.attribute(named: "type", value: "submit")
                    Link(t("诉求地图", "Map of open complaints"), url: "/complaints/map").class("button")
                    if code.level != .city, let parent = code.parent {
                        Link(
                            t("↑ 上一级", "↑ Up"),
                            url: "/complaints/stats?under=\(parent.value)&fromMonth=\(from)&toMonth=\(to)"
                        ).class("button")
                    }
                }.class("inline filters")
                Div {
                    for (label, value) in [
                        (t("诉求总数", "Complaints"), "\(report.complaints)"),
                        (t("响应率", "Response rate"), percent(report.total.responseRate)),
                        (t("解决率", "Resolution rate"), percent(report.total.resolutionRate)),
                        (t("满意率", "Satisfaction rate"), percent(report.total.satisfactionRate)),
                    ] {
                        Div {
                            Span(value).class("figure")
                            Span(label).class("figure-label")
                        }.class("stat")
                    }
                }.class("stats")
                Div {
                    Div {
                        H3(t("月度趋势", "By month"))
                        Node<HTML.BodyContext>.raw(chart)
                    }.class("card chart-card")
                    Div {
                        H3(t("群众关注（情）", "What residents raise"))
                        Node<HTML.BodyContext>.raw(themeChart)
                    }.class("card chart-card")
                }.class("cards")
                if !ranked.isEmpty {
                    H2(t("下级排名（按解决率）", "Ranking of the areas below (by resolution rate)"))
                    Table(header: header(true)) {
                        for (i, line) in ranked.enumerated() {
                            rateRow(
                                i + 1, line,
                                link: line.code.count < 15
                                    ? "/complaints/stats?under=\(line.code)&fromMonth=\(from)&toMonth=\(to)" : nil)
                        }
                    }.class("data")
                }
                H2(t("按承办部门", "By handling department"))
                Table(header: header(false)) { for line in report.departments { rateRow(nil, line, link: nil) } }.class(
                    "data")
                H2(t("热点网格（本月与上月）", "Hot-spot grids (this month vs last)"))
                Table(
                    header: TableRow {
                        TableHeaderCell(t("网格", "Grid"))
                        TableHeaderCell(to)
                        TableHeaderCell(ComplaintThemes.month(before: to))
                        TableHeaderCell(t("变化", "Change"))
                        TableHeaderCell(t("主要主题", "Main theme"))
                    }
                ) {
                    for h in trends.hotSpots {
                        TableRow {
                            TableCell(h.name)
                            TableCell("\(h.thisMonth)").class("num")
                            TableCell("\(h.lastMonth)").class("num")
                            TableCell {
                                Span(h.change > 0 ? "+\(h.change)" : "\(h.change)").class(
                                    h.change > 0 ? "pill bad" : "pill")
                            }
                            TableCell(h.topTheme ?? "—")
                        }
                    }
                }.class("data")
            }
    }

    static func monthSelect(_ name: String, _ months: [String], selected: String) -> Component {
        Element(name: "select") {
            for m in months {
                Node<HTML.BodyContext>.element(
                    named: "option",
                    nodes: [
                        .attribute(named: "value", value: m),
                        m == selected ? .attribute(named: "selected", value: "selected") : .empty, .text(m),
                    ])
            }
        }.attribute(named: "name", value: name)
    }

    @Sendable static func map(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let config = req.zhili.config
        return PageShell(
            request: req, title: t("诉求地图", "Map of open complaints"), active: "complaints",
            scripts: ["/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/complaint-map.js"],
            wide: true
        ).render {
            Div {
                H1(t("诉求地图", "Map of open complaints"))
                Paragraph {
                    Span(t("● 超时", "● overdue")).class("legend-bad")
                    Text(" ")
                    Span(t("● 待审核", "● to review")).class("legend-wait")
                    Text(" ")
                    Span(t("● 办理中", "● in hand")).class("legend-ok")
                    Text(" · ")
                    Link(t("诉求统计", "Statistics"), url: "/complaints/stats")
                }.class("muted")
            }.class("page-head")
            Div {}.id("complaint-map").class("map")
                .attribute(named: "data-lang", value: t.lang.rawValue)
                .attribute(named: "data-tiles", value: config.tileURL ?? "")
                .attribute(named: "data-attribution", value: config.tileAttribution ?? "")
            Paragraph("").id("map-info").class("muted small")
        }
    }
}
