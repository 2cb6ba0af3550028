import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The dashboard: what the account is responsible for, in figures, and where to go next.
enum HomePage {
    @Sendable static func show(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        var figures: [(String, String)] = []
        var anchorName = t("全部辖区", "All areas")
        let reads = req.hierarchy.reads(try req.sql)
        let roots = try await reads.roots(for: p.scope)
        if p.role.isStaff {
            let total = roots.reduce(into: NodeCounts()) { acc, n in
                acc.children += n.counts.children
                acc.households += n.counts.households
                acc.residents += n.counts.residents
            }
            if roots.count == 1 { anchorName = roots[0].name }
            figures = [
                (t("下级单元", "Sub-units"), "\(total.children)"),
                (t("户数", "Households"), "\(total.households)"),
                (t("居民人数", "Residents"), "\(total.residents)"),
                (t("重点人群", "Key persons"), "\(try await keyPersonCount(req, scope: p.scope))"),
            ]
        }
        return PageShell(request: req, title: t("工作台", "Dashboard"), active: "home").render {
            Div {
                H1(t("您好，\(p.displayName)", "Hello, \(p.displayName)"))
                Paragraph("\(t(p.role.nameZh, p.role.nameEn)) · \(anchorName)").class("muted")
            }.class("page-head")
            if !figures.isEmpty {
                Div {
                    for (label, value) in figures {
                        Div {
                            Span(value).class("figure")
                            Span(label).class("figure-label")
                        }.class("stat")
                    }
                }.class("stats")
            }
            Div {
                for card in cards(p, t) {
                    Link(url: card.2) {
                        H3(card.0)
                        Paragraph(card.1).class("muted")
                    }.class("card action-card")
                }
            }.class("cards")
        }
    }

    static func cards(_ p: Principal, _ t: Localizer) -> [(String, String, String)] {
        var cards: [(String, String, String)] = []
        if p.role.isStaff {
            cards.append(
                (
                    t("网格层级", "Hierarchy"),
                    t(
                        "市 → 街道 → 社区 → 网格 → 小区 → 楼栋 → 单元 → 户",
                        "City → street → community → grid → compound → building → unit → household"), "/hierarchy"
                ))
            cards.append(
                (t("网格地图", "Grid map"), t("网格与小区边界，离线可用", "Grid and compound outlines, works offline"), "/map"))
        }
        if p.role == .resident, let h = p.nodeCode {
            cards.append((t("我的家庭", "My household"), t("家庭成员与一户一码", "Members and the door QR code"), "/h/\(h)"))
        }
        if p.role == .admin {
            cards.append(
                (t("审计日志", "Audit log"), t("所有写入和个人信息读取记录", "Every write and every read of personal data"), "/audit"))
        }
        cards.append(
            (t("开放接口", "Open API"), t("OpenAPI 3.1 文档与接口清单", "OpenAPI 3.1 document and endpoint list"), "/api-docs"))
        return cards
    }

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
