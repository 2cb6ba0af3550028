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
        return PageShell(request: req, title: t("导入导出", "Import and export"), active: "exchange", wide: true).render {
            Div {
                H1(t("导入导出", "Import and export"))
                Paragraph(
                    t(
                        "先“仅校验”查看每一条错误，再正式导入；正式导入要么全部成功，要么不写入任何数据。重复导入不会产生重复记录。",
                        "Validate first to see every rejected row, then import for real: all or nothing. Re-importing creates no duplicates."
                    )
                ).class("muted")
            }.class("page-head")
            Div {
                Div {
                    H3(t("下载模板", "Templates"))
                    for kind in ExchangeKind.allCases {
                        Paragraph {
                            Text(kind.nameZh + "：")
                            Link("CSV", url: "/api/v1/exchange/\(kind.rawValue)/template?format=csv")
                            Text(" · ")
                            Link("Excel", url: "/api/v1/exchange/\(kind.rawValue)/template?format=xlsx")
                        }
                    }
                }.class("card")
                Div {
                    H3(t("上传文件", "Upload"))
                    Form(url: "/exchange/import", method: .post, contentType: .multipartData) {
                        Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                        Element(name: "select") {
                            for kind in ExchangeKind.allCases {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [.attribute(named: "value", value: kind.rawValue), .text(kind.nameZh)])
                            }
                        }.attribute(named: "name", value: "kind")
                        Input(type: .file, name: "file", isRequired: true).attribute(
                            named: "accept", value: ".csv,.xlsx")
                        Label(t("仅校验，不写入", "Validate only")) {
                            Input(type: .checkbox, name: "dryRun", value: "on").attribute(
                                named: "checked", value: "checked")
                        }
                        Button { Text(t("提交", "Submit")) }.attribute(named: "type", value: "submit").class("primary")
                    }.class("stack")
                }.class("card")
                Div {
                    H3(t("导出（脱敏）", "Export (masked)"))
                    for kind in ExchangeKind.allCases {
                        Paragraph {
                            Text(kind.nameZh + "：")
                            Link("CSV", url: "/api/v1/exchange/\(kind.rawValue)/export?under=\(node)&format=csv")
                            Text(" · ")
                            Link("Excel", url: "/api/v1/exchange/\(kind.rawValue)/export?under=\(node)&format=xlsx")
                        }
                    }
                    Paragraph(
                        t(
                            "导出未脱敏数据需相应权限并填写原因，通过接口 unmasked=true&reason=… 申请，全程留痕。",
                            "Unmasked exports need permission and a reason (unmasked=true&reason=… on the API) and are audited."
                        )
                    ).class("muted small")
                }.class("card")
            }.class("cards")
            if let r = report {
                H2(r.dryRun ? t("校验结果", "Validation result") : t("导入结果", "Import result"))
                Div {
                    Div {
                        Span("\(r.rows)").class("figure")
                        Span(t("行", "rows")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.created)").class("figure")
                        Span(t("新增", "new")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.updated)").class("figure")
                        Span(t("更新", "updated")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.unchanged)").class("figure")
                        Span(t("无变化", "unchanged")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.pending.count)").class("figure")
                        Span(t("待审核", "pending review")).class("figure-label")
                    }.class("stat")
                    Div {
                        Span("\(r.rejectedRows)").class("figure")
                        Span(t("错误行", "rejected rows")).class("figure-label")
                    }.class("stat")
                }.class("stats")
                Paragraph(
                    r.committed
                        ? t("已写入。", "Written.")
                        : (r.dryRun
                            ? t("仅校验，未写入任何数据。", "Validated only; nothing written.")
                            : t("存在错误行，未写入任何数据。", "Rejected rows: nothing written."))
                ).class(r.committed ? "lead" : "alert")
                if !r.rejected.isEmpty {
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("行号", "Row"))
                            TableHeaderCell(t("列", "Column"))
                            TableHeaderCell(t("原因", "Reason"))
                        }
                    ) {
                        for issue in r.rejected.prefix(1000) {
                            TableRow {
                                TableCell("\(issue.row)")
                                TableCell(issue.column)
                                TableCell(t(issue.messageZh, issue.messageEn))
                            }
                        }
                    }.class("data")
                }
                if !r.pending.isEmpty {
                    H3(t("待审核的行", "Rows waiting for review"))
                    Table(
                        header: TableRow {
                            TableHeaderCell(t("行号", "Row"))
                            TableHeaderCell(t("说明", "Note"))
                        }
                    ) {
                        for issue in r.pending.prefix(1000) {
                            TableRow {
                                TableCell("\(issue.row)")
                                TableCell(t(issue.messageZh, issue.messageEn))
                            }
                        }
                    }.class("data")
                }
            }
        }
    }
}
