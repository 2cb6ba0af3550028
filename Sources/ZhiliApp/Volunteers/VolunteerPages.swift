import Foundation
import Plot
import Vapor
import ZhiliDomain

/// `/volunteers/suggest`: staff pick a service and a household and see whom the platform would
/// send, each candidate with what every factor added to their score.
enum VolunteerPages {
    static func register(_ app: Application) {
        app.get("volunteers", "suggest", use: suggest)
    }

    @Sendable static func suggest(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let itemCode = (try? req.query.get(String.self, at: "item")) ?? ""
        let household = ((try? req.query.get(String.self, at: "household")) ?? "").trimmingCharacters(
            in: .whitespaces)
        var result: VolunteerRoutes.Suggestion?
        var problem: String?
        if !household.isEmpty {
            if let item = ServiceCatalogue.item(itemCode),
                let code = try? HierarchyCode(validating: household), code.level == .household,
                p.scope.allows(code: household)
            {
                result = try await VolunteerRoutes.compute(
                    item: item, household: household, at: Date(), limit: 10, for: p, on: req.readSQL)
                await req.audit.record(
                    action: "read_volunteers", entity: "household", entityID: household,
                    detail: "\(result?.candidates.count ?? 0)")
            } else {
                problem = t("volunteers.bad-question")
            }
        }
        return PageShell(request: req, title: t("volunteers.suggest"), active: "volunteer-suggest").render {
            Div {
                H1(t("volunteers.suggest"))
                Paragraph(t("volunteers.suggest-hint")).class("muted")
            }.class("page-head")
            Form(url: "/volunteers/suggest", method: .get) {
                Choice(
                    label: t("volunteers.item"), name: "item",
                    options: ServiceCatalogue.categories.flatMap { c in
                        ServiceCatalogue.items.filter { $0.category == c.code }.map {
                            ($0.code, c.name + " · " + $0.name)
                        }
                    }, selected: itemCode, required: true)
                Label(t("volunteers.household")) {
                    Input(type: .text, name: "household", value: household).attribute(
                        named: "inputmode", value: "numeric"
                    )
                    .attribute(named: "maxlength", value: "27").attribute(named: "required", value: "required")
                }
                Button { Text(t("volunteers.rank")) }.attribute(named: "type", value: "submit")
            }.class("filters")
            if let problem { Paragraph(problem).class("error") }
            if let s = result {
                Paragraph(t("volunteers.considered-0-1", "\(s.considered)", s.item.skill)).class("muted")
                DataTable(
                    columns: [
                        t("volunteers.col.rank"), t("volunteers.col.name"), t("volunteers.col.score"),
                        t("volunteers.col.factors"),
                    ],
                    rows: s.candidates.enumerated().map { i, c in
                        [
                            Text("\(i + 1)"),
                            Text(c.name),
                            Span(String(format: "%.1f", c.score)).class("figure-inline"),
                            Div {
                                for f in c.factors {
                                    Span(t("volunteers.factor.\(f.factor)") + " " + String(format: "%.1f", f.points))
                                        .class(f.points > 0 ? "factor on" : "factor")
                                }
                            }.class("factors"),
                        ]
                    },
                    empty: EmptyState(title: t("volunteers.none"), hint: t("volunteers.none-hint")))
            }
        }
    }
}
