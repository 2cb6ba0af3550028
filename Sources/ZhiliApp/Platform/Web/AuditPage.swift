import Plot
import Vapor

/// Administrators browse and filter the audit log. Read-only by construction.
enum AuditPage {
    @Sendable static func show(req: Request) async throws -> Response {
        try req.requireRole(.admin)
        let t = Localizer(req)
        let filter = (try? req.query.decode(AuditQueries.Filter.self)) ?? AuditQueries.Filter()
        let entries = try await AuditQueries.list(filter, on: req.sql, emptyIsAbsent: true)
        return PageShell(request: req, title: t("platform.audit-log"), active: "audit", wide: true).render {
            Div {
                H1(t("platform.audit-log"))
                Paragraph(t("platform.append-only-cannot-be-edited")).class("muted")
            }.class("page-head")
            Form(url: "/audit", method: .get) {
                Input(type: .text, name: "actor", value: filter.actor, placeholder: t("platform.actor"))
                Input(
                    type: .text, name: "action", value: filter.action, placeholder: t("platform.action-e-g-read"))
                Input(
                    type: .text, name: "entity", value: filter.entity,
                    placeholder: t("platform.entity-e-g-resident"))
                Input(type: .text, name: "entityId", value: filter.entityId, placeholder: t("platform.entity-id"))
                Button { Text(t("platform.filter")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("filters")
            DataTable(
                columns: [
                    t("platform.time"), t("platform.actor"), t("platform.role"), t("platform.action"),
                    t("platform.entity"), t("platform.outcome"), t("platform.address"),
                ],
                rows: entries.map { e -> [Component] in
                    [
                        Text(DisplayTime.minutes(e.at)),
                        Text(e.actorName ?? "—"),
                        Text(e.role.flatMap(Role.init(rawValue:)).map { t.name($0) } ?? "—"),
                        Text(AuditPage.actionName(e.action, t)),
                        AuditPage.entityLink(e.entity, e.entityId, t),
                        Span(e.outcome == "ok" ? t("platform.ok") : t("platform.denied"))
                            .class(e.outcome == "ok" ? "pill ok" : "pill bad"),
                        Text(e.ip ?? "—"),
                    ]
                },
                empty: EmptyState(title: t("platform.audit-empty"), hint: t("platform.audit-empty-hint")))
            if let last = entries.last, entries.count >= (filter.limit ?? 50) {
                Link(t("platform.older-entries"), url: "/audit?before=\(last.id)").class("button")
            }
        }
    }

    /// An audit action in words ("查看人员画像"), or its code when the catalogue has no word for it.
    static func actionName(_ action: String, _ t: Localizer) -> String {
        let key = "platform.audit.\(action)"
        return t.catalogue.has(key) ? t(key) : action
    }

    /// What was touched, in words, linking to it where a page shows it; the id stays visible,
    /// small, for those who trace it.
    static func entityLink(_ entity: String, _ id: String?, _ t: Localizer) -> Component {
        let key = "platform.entity.\(entity)"
        let name = t.catalogue.has(key) ? t(key) : entity
        guard let id, !id.isEmpty else { return Text(name) }
        let url: String? =
            switch entity {
            case "resident": "/residents/\(id)"
            case "complaint": "/complaints/\(id)"
            case "household", "household_qr": "/h/\(id)"
            case "node": "/hierarchy?code=\(id)"
            default: nil
            }
        let short = id.count > 13 ? String(id.prefix(8)) + "…" : id
        return ComponentGroup {
            if let url { Link(name, url: url) } else { Text(name) }
            Span(" \(short)").class("mono small muted").attribute(named: "title", value: id)
        }
    }
}
