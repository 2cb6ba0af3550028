import Plot
import Vapor

/// A readable list of the JSON API, generated from the same operations as /openapi.json.
enum APIDocsPage {
    @Sendable static func show(req: Request) async throws -> Response {
        let t = Localizer(req)
        let ops = OpenAPIDocument.operations(of: req.application.capabilities)
        let tags = ops.reduce(into: [String]()) { if !$0.contains($1.tag) { $0.append($1.tag) } }
        return PageShell(request: req, title: t("platform.open-api"), active: "api", wide: true).render {
            Div {
                H1(t("platform.open-api"))
                Paragraph {
                    Text(t("platform.machine-readable-document"))
                    Link("/openapi.json", url: "/openapi.json")
                    Text(
                        t("platform.openapi-3-1-get-a"))
                }.class("muted")
            }.class("page-head")
            for tag in tags {
                H2(tag)
                Table(
                    header: TableRow {
                        TableHeaderCell(t("platform.method"))
                        TableHeaderCell(t("platform.path"))
                        TableHeaderCell(t("platform.summary"))
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
