import Plot
import Vapor
import ZhiliSheets

/// The import page: download a template, upload a CSV or .xlsx, see every rejected row,
/// then import for real. And the export form.
enum ExchangePages {
    static func register(_ app: Application) {
        app.get("exchange", use: page)
        app.on(.POST, "exchange", "import", body: .collect(maxSize: "50mb"), use: upload)
    }

    @Sendable static func page(req: Request) async throws -> Response {
        _ = try RegistryPages.requireStaff(req)
        return render(req, report: nil)
    }

    struct UploadForm: Content {
        var kind: String?
        var dryRun: String?
        var file: File?
        var _csrf: String?
    }

    @Sendable static func upload(req: Request) async throws -> Response {
        let p = try RegistryPages.requireStaff(req)
        let form = try req.content.decode(UploadForm.self)
        guard let kind = ExchangeKind(rawValue: form.kind ?? "") else {
            throw AppError.invalid("kind", zh: "请选择导入类型", en: "Choose what to import")
        }
        guard let file = form.file, file.data.readableBytes > 0 else {
            throw AppError.invalid("file", zh: "请选择文件", en: "Choose a file")
        }
        let dryRun = form.dryRun == "on" || form.dryRun == "true"
        let report = try await Exchange(database: req.db, cipher: req.zhili.cipher, principal: p)
            .importFile(kind, bytes: Array(file.data.readableBytesView), filename: file.filename, dryRun: dryRun)
        await req.audit.record(
            action: dryRun ? "import_dry_run" : "import", entity: kind.rawValue, entityID: file.filename,
            outcome: report.rejected.isEmpty ? .ok : .denied,
            detail:
                "rows \(report.rows), created \(report.created), updated \(report.updated), rejected \(report.rejectedRows)"
        )
        if report.committed { await req.hierarchy.changed() }
        return render(req, report: report)
    }

    static func render(_ req: Request, report: ImportReport?) -> Response {
        let t = Localizer(req)
        let node = req.principal?.nodeCode ?? ""
        return PageShell(request: req, title: t("registry.import-and-export"), active: "exchange", wide: true).render {
            Div {
                H1(t("registry.import-and-export"))
                Paragraph(
                    t("registry.validate-first-to-see-every")
                ).class("muted")
            }.class("page-head")
            Div {
                Div {
                    H3(t("registry.templates"))
                    for kind in ExchangeKind.allCases {
                        Paragraph {
                            Text(t("registry.kind-label", t.name(kind)))
                            Link("CSV", url: "/api/v1/exchange/\(kind.rawValue)/template?format=csv")
                            Text(" · ")
                            Link("Excel", url: "/api/v1/exchange/\(kind.rawValue)/template?format=xlsx")
                        }
                    }
                }.class("card")
                Div {
                    H3(t("registry.upload"))
                    Form(url: "/exchange/import", method: .post, contentType: .multipartData) {
                        Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                        Element(name: "select") {
                            for kind in ExchangeKind.allCases {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [.attribute(named: "value", value: kind.rawValue), .text(t.name(kind))])
                            }
                        }.attribute(named: "name", value: "kind")
                        Input(type: .file, name: "file", isRequired: true).attribute(
                            named: "accept", value: ".csv,.xlsx")
                        Label(t("registry.validate-only")) {
                            Input(type: .checkbox, name: "dryRun", value: "on").attribute(
                                named: "checked", value: "checked")
                        }
                        Button { Text(t("registry.submit")) }.attribute(named: "type", value: "submit").class("primary")
                    }.class("stack")
                }.class("card")
                Div {
                    H3(t("registry.export-masked"))
                    for kind in ExchangeKind.allCases {
                        Paragraph {
                            Text(t("registry.kind-label", t.name(kind)))
                            Link("CSV", url: "/api/v1/exchange/\(kind.rawValue)/export?under=\(node)&format=csv")
                            Text(" · ")
                            Link("Excel", url: "/api/v1/exchange/\(kind.rawValue)/export?under=\(node)&format=xlsx")
                        }
                    }
                    Paragraph(
                        t("registry.unmasked-exports-need-permission-and")
                    ).class("muted small")
                }.class("card")
            }.class("cards")
            if let r = report {
                H2(r.dryRun ? t("registry.validation-result") : t("registry.import-result"))
                Div {
                    Div {
                        Span("\(r.rows)").class("figure")
                        Span(t("registry.rows")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.created)").class("figure")
                        Span(t("registry.new-2")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.updated)").class("figure")
                        Span(t("registry.updated")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.unchanged)").class("figure")
                        Span(t("registry.unchanged")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.pending.count)").class("figure")
                        Span(t("registry.pending-review")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.rejectedRows)").class("figure")
                        Span(t("registry.rejected-rows")).class("figure-label")
                    }.class("stat")
                }.class("stats")
                Paragraph(
                    r.committed
                        ? t("registry.written")
                        : (r.dryRun
                            ? t("registry.validated-only-nothing-written")
                            : t("registry.rejected-rows-nothing-written"))
                ).class(r.committed ? "lead" : "alert")
                if !r.rejected.isEmpty {
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("registry.row"))
                            TableHeaderCell(t("registry.column"))
                            TableHeaderCell(t("registry.reason-2"))
                        }
                    ) {
                        for issue in r.rejected.prefix(1000) {
                            TableRow {
                                TableCell("\(issue.row)")
                                TableCell(
                                    ExchangeKind(rawValue: r.kind).map { $0.columnName(issue.column, t) }
                                        ?? issue.column)
                                TableCell(t.pick(issue.messageZh, issue.messageEn))
                            }
                        }
                    }.class("data")
                }
                if !r.pending.isEmpty {
                    H3(t("registry.rows-waiting-for-review"))
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("registry.row"))
                            TableHeaderCell(t("registry.note"))
                        }
                    ) {
                        for issue in r.pending.prefix(1000) {
                            TableRow {
                                TableCell("\(issue.row)")
                                TableCell(t.pick(issue.messageZh, issue.messageEn))
                            }
                        }
                    }.class("data")
                }
            }
        }
    }
}
