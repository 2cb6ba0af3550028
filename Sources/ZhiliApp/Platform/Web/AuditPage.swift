import Plot
import Vapor

/// Administrators browse and filter the audit log. Read-only by construction.
enum AuditPage {
    @Sendable static func show(req: Request) async throws -> Response {
        try req.requireRole(.admin)
        let t = Localizer(req)
        let filter = (try? req.query.decode(AuditQueries.Filter.self)) ?? AuditQueries.Filter()
        let entries = try await AuditQueries.list(filter, on: req.sql, emptyIsAbsent: true)
        return PageShell(request: req, title: t("审计日志", "Audit log"), active: "audit", wide: true).render {
            Div {
                H1(t("审计日志", "Audit log"))
                Paragraph(t("只可追加，不可修改或删除", "Append-only: cannot be edited or deleted")).class("muted")
            }.class("page-head")
            Form(url: "/audit", method: .get) {
                Input(type: .text, name: "actor", value: filter.actor, placeholder: t("操作人", "Actor"))
                Input(
                    type: .text, name: "action", value: filter.action, placeholder: t("动作，如 read", "Action, e.g. read"))
                Input(
                    type: .text, name: "entity", value: filter.entity,
                    placeholder: t("对象，如 resident", "Entity, e.g. resident"))
                Input(type: .text, name: "entityId", value: filter.entityId, placeholder: t("对象编号", "Entity id"))
                Button { Text(t("筛选", "Filter")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("filters")
            Table(
                header: TableRow {
                    TableHeaderCell(t("时间", "Time"))
                    TableHeaderCell(t("操作人", "Actor"))
                    TableHeaderCell(t("角色", "Role"))
                    TableHeaderCell(t("动作", "Action"))
                    TableHeaderCell(t("对象", "Entity"))
                    TableHeaderCell(t("结果", "Outcome"))
                    TableHeaderCell(t("来源地址", "Address"))
                }
            ) {
                for e in entries {
                    TableRow {
                        TableCell(DisplayTime.minutes(e.at))
                        TableCell(e.actorName ?? "—")
                        TableCell(e.role.flatMap(Role.init(rawValue:)).map { t($0.nameZh, $0.nameEn) } ?? "—")
                        TableCell(e.action)
                        TableCell("\(e.entity) \(e.entityId ?? "")")
                        TableCell {
                            Span(e.outcome == "ok" ? t("成功", "ok") : t("拒绝", "denied")).class(
                                e.outcome == "ok" ? "pill ok" : "pill bad")
                        }
                        TableCell(e.ip ?? "—")
                    }
                }
            }.class("data")
            if let last = entries.last, entries.count >= (filter.limit ?? 50) {
                Link(t("更早的记录 →", "Older entries →"), url: "/audit?before=\(last.id)").class("button")
            }
        }
    }
}
