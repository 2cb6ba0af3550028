import Foundation
import Plot
import Vapor
import ZhiliDomain

/// The figures page: an area's month of alarms, how fast they were answered against the
/// telecare standard, the false-alarm share, devices online, and the areas one level down.
extension SensingPages {
    static func share(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    static func seconds(_ t: Localizer, _ v: Double?) -> String {
        guard let v else { return "—" }
        return v < 120 ? "\(Int(v)) \(t("sensing.fig.s"))" : String(format: "%.1f \(t("sensing.fig.min"))", v / 60)
    }

    @Sendable static func figures(req: Request) async throws -> Response {
        _ = try staff(req)
        let t = Localizer(req)
        let r = try await SensingFigures.report(req)
        let f = r.figures
        let months = SensingFigures.previousMonths(12, from: SensingFigures.month(of: Date()))
        let code = try parseCode(r.code, field: "under")
        let rules = f.byRule.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
            (label: t.name(AlarmRuleKey.self, $0.key), value: $0.value)
        }
        let chart = SVGChart.horizontalBars(rules, title: t("sensing.fig.by-rule"))
        let within = f.acknowledgedWithin60s
        return PageShell(request: req, title: t("sensing.fig.title"), active: "alarms", wide: true).render {
            Div {
                H1("\(r.name) · \(t("sensing.fig.title"))")
                Paragraph("\(r.month) · \(t("sensing.fig.hint"))").class("muted")
            }.class("page-head")
            Form(url: "/alarm-figures", method: .get) {
                Input(type: .hidden, name: "under", value: r.code)
                Label(t("sensing.fig.month")) { BeijingMonth.select("month", months, selected: r.month) }
                Button { Text(t("sensing.fig.show")) }.attribute(named: "type", value: "submit")
                if code.level != .city, let parent = code.parent {
                    Link(t("sensing.fig.up"), url: "/alarm-figures?under=\(parent.value)&month=\(r.month)").class(
                        "button")
                }
                Link(t("sensing.console"), url: "/alarms").class("button")
            }.class("inline filters")
            Div {
                StatCard(
                    value: "\(f.total)", label: t("sensing.fig.alarms"), hint: "\(t("sensing.fig.open")) \(f.open)")
                StatCard(
                    value: share(within), label: t("sensing.fig.within-60"),
                    tone: within.map { $0 >= r.answerGrade ? "ok" : "bad" } ?? "",
                    hint: "\(t("sensing.fig.grade")) \(share(r.answerGrade))")
                StatCard(
                    value: seconds(t, f.acknowledgeP50), label: t("sensing.fig.p50"),
                    hint: "p90 \(seconds(t, f.acknowledgeP90))")
                StatCard(value: share(f.falseShare), label: t("sensing.fig.false"))
                StatCard(
                    value: "\(r.devicesOnline)/\(r.devicesTotal)", label: t("sensing.devices-online"), url: "/devices",
                    tone: r.devicesOnline < r.devicesTotal ? "warn" : "ok")
            }.class("stats")
            Div {
                Div {
                    H2(t("sensing.fig.by-rule"))
                    if rules.isEmpty {
                        EmptyState(title: t("sensing.fig.none"))
                    } else {
                        Node<HTML.BodyContext>.raw(chart)
                    }
                }.class("card chart-card")
                Div {
                    H2(t("sensing.fig.by-severity"))
                    DataTable(
                        columns: [t("sensing.col.severity"), t("sensing.fig.alarms")],
                        rows: AlarmSeverity.allCases.map { s in
                            [severityTag(t, s.rawValue), Text("\(f.bySeverity[s.rawValue] ?? 0)")]
                        })
                }.class("card")
            }.class("grid-2")
            if !r.children.isEmpty {
                H2(t("sensing.fig.by-area"))
                DataTable(
                    columns: [
                        t("sensing.fig.area"), t("sensing.fig.alarms"), t("sensing.fig.within-60"),
                        t("sensing.fig.p50"),
                        t("sensing.fig.false"),
                    ],
                    rows: r.children.map { c in
                        [
                            Link(c.name, url: "/alarm-figures?under=\(c.code)&month=\(r.month)"),
                            Text("\(c.figures.total)"), Text(share(c.figures.acknowledgedWithin60s)),
                            Text(seconds(t, c.figures.acknowledgeP50)), Text(share(c.figures.falseShare)),
                        ]
                    })
            }
        }
    }
}
