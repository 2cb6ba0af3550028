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
            trends.months.map { (String($0.month.suffix(2)) + t("complaints.text"), $0.complaints) },
            line: trends.months.map { monthRates[$0.month] ?? nil },
            title: t("complaints.complaints-and-satisfaction-by-month"),
            barName: t("complaints.complaints"), lineName: t("complaints.satisfaction"))
        let themeChart = SVGChart.horizontalBars(
            trends.themes.prefix(8).filter { $0.count > 0 }.map { ($0.name, $0.count) },
            title: t("complaints.themes"))
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
                if rank { TableHeaderCell(t("complaints.rank")) }
                TableHeaderCell(t("complaints.name"))
                TableHeaderCell(t("complaints.complaints-2"))
                TableHeaderCell(t("complaints.dispatched"))
                TableHeaderCell(t("complaints.response"))
                TableHeaderCell(t("complaints.resolution"))
                TableHeaderCell(t("complaints.satisfaction"))
            }
        }
        return PageShell(request: req, title: t("complaints.complaint-statistics"), active: "complaints", wide: true)
            .render {
                Div {
                    H1("\(nodeName) · \(t("complaints.complaint-statistics"))")
                    Paragraph(
                        "\(from) — \(to) · "
                            + t("complaints.by-submission-month-beijing-time")
                    ).class("muted")
                }.class("page-head")
                Form(url: "/complaints/stats", method: .get) {
                    Input(type: .hidden, name: "under", value: code.value)
                    Label(t("complaints.from")) { monthSelect("fromMonth", months, selected: from) }
                    Label(t("complaints.to")) { monthSelect("toMonth", months, selected: to) }
                    Button { Text(t("complaints.show")) }.attribute(named: "type", value: "submit")
                    Link(t("complaints.map-of-open-complaints"), url: "/complaints/map").class("button")
                    if code.level != .city, let parent = code.parent {
                        Link(
                            t("complaints.up"),
                            url: "/complaints/stats?under=\(parent.value)&fromMonth=\(from)&toMonth=\(to)"
                        ).class("button")
                    }
                }.class("inline filters")
                Div {
                    for (label, value) in [
                        (t("complaints.complaints-3"), "\(report.complaints)"),
                        (t("complaints.response-rate"), percent(report.total.responseRate)),
                        (t("complaints.resolution-rate"), percent(report.total.resolutionRate)),
                        (t("complaints.satisfaction-rate"), percent(report.total.satisfactionRate)),
                    ] {
                        Div {
                            Span(value).class("figure")
                            Span(label).class("figure-label")
                        }.class("stat")
                    }
                }.class("stats")
                Div {
                    Div {
                        H3(t("complaints.by-month"))
                        Node<HTML.BodyContext>.raw(chart)
                    }.class("card chart-card")
                    Div {
                        H3(t("complaints.what-residents-raise"))
                        Node<HTML.BodyContext>.raw(themeChart)
                    }.class("card chart-card")
                }.class("cards")
                if !ranked.isEmpty {
                    H2(t("complaints.ranking-of-the-areas-below"))
                    Table(header: header(true)) {
                        for (i, line) in ranked.enumerated() {
                            rateRow(
                                i + 1, line,
                                link: line.code.count < 15
                                    ? "/complaints/stats?under=\(line.code)&fromMonth=\(from)&toMonth=\(to)" : nil)
                        }
                    }.class("data")
                }
                H2(t("complaints.by-handling-department"))
                Table(header: header(false)) { for line in report.departments { rateRow(nil, line, link: nil) } }.class(
                    "data")
                H2(t("complaints.hot-spot-grids-this-month"))
                Table(
                    header: TableRow {
                        TableHeaderCell(t("complaints.grid"))
                        TableHeaderCell(to)
                        TableHeaderCell(t("complaints.last-month-so-far", ComplaintThemes.month(before: to)))
                        TableHeaderCell(t("complaints.change"))
                        TableHeaderCell(t("complaints.main-theme"))
                    }
                ) {
                    for h in trends.hotSpots {
                        TableRow {
                            TableCell(h.name)
                            TableCell("\(h.thisMonth)").class("num")
                            TableCell("\(h.lastMonthSoFar)").class("num")
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
        BeijingMonth.select(name, months, selected: selected)
    }

    @Sendable static func map(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let config = req.zhili.config
        return PageShell(
            request: req, title: t("complaints.map-of-open-complaints"), active: "complaints",
            scripts: [
                "/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/basemap.js",
                "/assets/complaint-map.js",
            ],
            wide: true
        ).render {
            Div {
                H1(t("complaints.map-of-open-complaints"))
                Paragraph {
                    Span(t("complaints.overdue")).class("legend-bad")
                    Text(" ")
                    Span(t("complaints.to-review")).class("legend-wait")
                    Text(" ")
                    Span(t("complaints.in-hand")).class("legend-ok")
                    Text(" · ")
                    Link(t("complaints.statistics"), url: "/complaints/stats")
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
