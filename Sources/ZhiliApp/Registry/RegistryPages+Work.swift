import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The grid worker's to-do list and the community's review inbox.
extension RegistryPages {
    @Sendable static func todo(req: Request) async throws -> Response {
        let p = try requireStaff(req)
        let t = Localizer(req)
        let items = try await CarePlans(db: req.sql).todo(scope: p.scope, viewer: p)
        let overdue = items.filter { $0.overdueDays > 0 }.count
        return PageShell(request: req, title: t("待走访", "Visits due"), active: "care", wide: true).render {
            Div {
                H1(t("待走访", "Visits due"))
                Paragraph(
                    t(
                        "逾期 \(overdue) 人，7 天内到期 \(items.count - overdue) 人",
                        "\(overdue) overdue, \(items.count - overdue) due within 7 days")
                ).class("muted")
            }.class("page-head")
            Table(
                header: TableRow {
                    TableHeaderCell(t("姓名", "Name"))
                    TableHeaderCell(t("标签", "Tag"))
                    TableHeaderCell(t("应走访日期", "Due"))
                    TableHeaderCell(t("状态", "Status"))
                    TableHeaderCell(t("户编码", "Household"))
                }
            ) {
                for i in items {
                    TableRow {
                        TableCell { Link(i.name, url: "/residents/\(i.residentId.uuidString)") }
                        TableCell(i.tagName)
                        TableCell(i.nextVisitDue)
                        TableCell {
                            Span(
                                i.overdueDays > 0
                                    ? t("逾期 \(i.overdueDays) 天", "\(i.overdueDays) days overdue")
                                    : t("即将到期", "due soon")
                            )
                            .class(i.overdueDays > 0 ? "pill bad" : "pill warn")
                        }
                        TableCell { Link(i.householdCode, url: "/h/\(i.householdCode)").class("mono") }
                    }
                }
            }.class("data")
        }
    }

    @Sendable static func reviews(req: Request) async throws -> Response {
        let p = try requireStaff(req)
        let t = Localizer(req)
        let status = (try? req.query.decode(RegistryRoutes.StatusQuery.self).status) ?? "pending"
        let items = try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).list(status: status, scope: p.scope)
        let canReview = p.role == .communityStaff || p.role == .streetOfficial || p.role == .admin
        return PageShell(request: req, title: t("信息审核", "Reviews"), active: "reviews", wide: true).render {
            Div {
                H1(t("信息审核", "Reviews"))
                Paragraph {
                    Link(t("待审核", "Pending"), url: "/reviews?status=pending")
                    Text(" · ")
                    Link(t("已通过", "Approved"), url: "/reviews?status=approved")
                    Text(" · ")
                    Link(t("已驳回", "Rejected"), url: "/reviews?status=rejected")
                }.class("muted")
            }.class("page-head")
            if items.isEmpty { Paragraph(t("没有记录", "Nothing here")).class("muted") }
            for item in items {
                Div {
                    H3(t("居民信息变更", "Resident change"))
                    Paragraph(
                        "\(item.requestedByName ?? "") · \(DisplayTime.minutes(item.requestedAt)) · \(item.householdCode)"
                    ).class("muted small")
                    Element(name: "pre") { Text(item.summary) }.class("diff")
                    if let reason = item.reason { Paragraph(t("驳回原因：", "Reason: ") + reason).class("alert") }
                    if canReview, item.status == "pending" {
                        Div {
                            Form(url: "/reviews/\(item.id.uuidString)/approve", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                                Button { Text(t("通过", "Approve")) }.attribute(named: "type", value: "submit").class(
                                    "primary")
                            }.class("inline")
                            Form(url: "/reviews/\(item.id.uuidString)/reject", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                                Input(
                                    type: .text, name: "reason", isRequired: true,
                                    placeholder: t("驳回原因", "Reason for rejecting"))
                                Button { Text(t("驳回", "Reject")) }.attribute(named: "type", value: "submit")
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
