import Fluent
import Vapor
import ZhiliDomain
import ZhiliSheets

/// Import and export over the API: templates, dry runs, all-or-nothing imports, masked exports.
enum ExchangeRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "exchange")
        api.get(":kind", "template", use: template)
        api.on(.POST, ":kind", "import", body: .collect(maxSize: "50mb"), use: importFile)
        api.get(":kind", "export", use: export)
    }

    static func kind(_ req: Request) throws -> ExchangeKind {
        guard let raw = req.parameters.get("kind"), let kind = ExchangeKind(rawValue: raw) else {
            throw AppError(
                .notFound, code: "unknown_kind", zh: "只支持 residents、households、places",
                en: "Kind must be residents, households or places", field: "kind")
        }
        return kind
    }

    struct FormatQuery: Content { var format: String? }

    static func format(_ raw: String?) throws -> SheetFormat {
        guard let f = SheetFormat(rawValue: raw ?? "csv") else {
            throw AppError.invalid("format", zh: "格式应为 csv 或 xlsx", en: "format must be csv or xlsx")
        }
        return f
    }

    static func file(_ sheet: Sheet, format: SheetFormat, name: String) throws -> Response {
        let bytes = format == .csv ? SheetWriter.csv(sheet) : try SheetWriter.xlsx(sheet, sheetName: name)
        let response = Response(status: .ok, body: .init(data: Data(bytes)))
        response.headers.contentType =
            format == .csv
            ? HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            : HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let ascii = "\(name).\(format.rawValue)"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"")
        return response
    }

    @Sendable static func template(req: Request) async throws -> Response {
        _ = try req.requirePrincipal()
        let kind = try kind(req)
        return try file(
            kind.template, format: try format(try req.query.decode(FormatQuery.self).format),
            name: "\(kind.rawValue)-template")
    }

    struct ImportQuery: Content {
        var dryRun: Bool?
        var filename: String?
    }

    @Sendable static func importFile(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let kind = try kind(req)
        let q = try req.query.decode(ImportQuery.self)
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw AppError(
                .unprocessableEntity, code: "empty_body", zh: "请上传文件内容", en: "Send the file as the request body")
        }
        let dryRun = q.dryRun ?? true
        let report = try await Exchange(database: req.db, cipher: req.zhili.cipher, principal: p)
            .importFile(kind, bytes: Array(body.readableBytesView), filename: q.filename, dryRun: dryRun)
        await req.audit.record(
            action: dryRun ? "import_dry_run" : "import", entity: kind.rawValue, entityID: q.filename,
            outcome: report.rejected.isEmpty ? .ok : .denied,
            detail:
                "rows \(report.rows), created \(report.created), updated \(report.updated), rejected \(report.rejectedRows)"
        )
        if report.committed { await req.hierarchy.changed() }
        let response = Response(status: !dryRun && !report.rejected.isEmpty ? .unprocessableEntity : .ok)
        try response.content.encode(report)
        return response
    }

    struct ExportQuery: Content {
        var under: String?
        var format: String?
        var unmasked: Bool?
        var reason: String?
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let kind = try kind(req)
        let q = try req.query.decode(ExportQuery.self)
        let under = try parseCode(q.under ?? p.nodeCode ?? "", field: "under")
        let format = try format(q.format)
        let request = Exchange.ExportRequest(kind: kind, under: under, unmasked: q.unmasked ?? false, reason: q.reason)
        let sheet: Sheet
        do {
            sheet = try await Exchange(database: req.db, cipher: req.zhili.cipher, principal: p).export(request)
        } catch let e as AppError where e.status == .forbidden {
            await req.audit.record(
                action: "export_denied", entity: kind.rawValue, entityID: under.value, outcome: .denied)
            throw e
        }
        await req.audit.record(
            action: request.unmasked ? "export_unmasked" : "export", entity: kind.rawValue, entityID: under.value,
            detail: "\(sheet.rows.count) rows" + (request.unmasked ? "; reason: \(q.reason ?? "")" : ""))
        return try file(sheet, format: format, name: "\(kind.rawValue)-\(under.value)")
    }
}
