import Plot
import Vapor

/// A readable list of the JSON API, generated from the same operations as /openapi.json.
enum APIDocsPage {
    @Sendable static func show(req: Request) async throws -> Response {
        let t = Localizer(req)
        let ops = OpenAPIDocument.operations(of: req.application.capabilities)
        let tags = ops.reduce(into: [String]()) { if !$0.contains($1.tag) { $0.append($1.tag) } }
        return PageShell(request: req, title: t("开放接口", "Open API"), active: "api", wide: true).render {
            Div {
                H1(t("开放接口", "Open API"))
                Paragraph {
                    Text(t("机器可读文档：", "Machine-readable document: "))
                    Link("/openapi.json", url: "/openapi.json")
                    Text(
                        t(
                            "（OpenAPI 3.1）。先调用 POST /api/v1/auth/token 获取令牌，再以 Authorization: Bearer 访问。",
                            " (OpenAPI 3.1). Get a token from POST /api/v1/auth/token, then send Authorization: Bearer."
                        ))
                }.class("muted")
            }.class("page-head")
            for tag in tags {
                H2(tag)
                Table(
                    header: TableRow {
                        TableHeaderCell(t("方法", "Method"))
                        TableHeaderCell(t("路径", "Path"))
                        TableHeaderCell(t("说明", "Summary"))
                    }
                ) {
                    for op in ops where op.tag == tag {
                        TableRow {
                            TableCell { Span(op.method.uppercased()).class("pill method-\(op.method)") }
                            TableCell { Element(name: "code") { Text(op.path) } }
                            TableCell(op.summary)
                        }
                    }
                }.class("data")
            }
        }
    }
}
