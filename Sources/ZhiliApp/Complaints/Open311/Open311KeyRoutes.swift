import Plot
import SQLKit
import Vapor

/// Administrators issue and revoke Open311 api_keys, by API and on a page. A key is shown
/// once, when issued; only its hash is kept.
enum Open311KeyRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "open311", "keys")
        api.get(use: list)
        api.post(use: issue)
        api.post(":id", "revoke", use: revoke)
        app.get("admin", "integrations", use: page)
        app.post("admin", "integrations", use: issueForm)
        app.post("admin", "integrations", ":id", "revoke", use: revokeForm)
    }

    static func admin(_ req: Request, web: Bool = false) throws -> Principal {
        let p = web ? try req.requireWebPrincipal() : try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        return p
    }

    @Sendable static func list(req: Request) async throws -> [Open311Keys.Listed] {
        _ = try admin(req)
        return try await Open311Keys.list(on: req.sql)
    }

    struct IssueInput: Content { var integrator: String }
    struct Issued: Content {
        let integrator: String
        let apiKey: String
    }

    /// Shared by the API and the page: checks the name, issues, audits.
    static func issueKey(_ req: Request) async throws -> Issued {
        let name = try req.content.decode(IssueInput.self).integrator.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...60).contains(name.count) else {
            throw AppError.invalid("integrator", zh: "接入方名称应为 2–60 字", en: "Integrator name: 2–60 characters")
        }
        let key = try await Open311Keys.issue(integrator: name, on: req.sql)
        await req.audit.record(action: "create", entity: "open311_key", entityID: name, detail: "issued")
        return Issued(integrator: name, apiKey: key)
    }

    /// Shared by the API and the page.
    static func revokeKey(_ req: Request) async throws {
        let id = try keyID(req)
        guard try await Open311Keys.revoke(id, on: req.sql) else { throw AppError.notFound("Key", zhWhat: "密钥") }
        await req.audit.record(action: "revoke", entity: "open311_key", entityID: id.uuidString)
    }

    @Sendable static func issue(req: Request) async throws -> Response {
        _ = try admin(req)
        let response = Response(status: .created)
        try response.content.encode(try await issueKey(req))
        return response
    }

    static func keyID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    @Sendable static func revoke(req: Request) async throws -> [Open311Keys.Listed] {
        _ = try admin(req)
        try await revokeKey(req)
        return try await Open311Keys.list(on: req.sql)
    }

    // MARK: page

    @Sendable static func page(req: Request) async throws -> Response {
        _ = try admin(req, web: true)
        return try await render(req, issued: nil)
    }

    static func render(_ req: Request, issued: Issued?) async throws -> Response {
        let t = Localizer(req)
        let keys = try await Open311Keys.list(on: req.sql)
        let csrf = req.csrfToken ?? ""
        return PageShell(request: req, title: t("complaints.integrations"), active: "integrations", wide: true).render {
            Div {
                H1(t("complaints.integrations-open311"))
                Paragraph(
                    t("complaints.issue-an-api-key-per")
                ).class("muted")
            }.class("page-head")
            if let issued {
                Div {
                    H3(t("complaints.new-key-copy-it-now"))
                    Paragraph {
                        Text("\(issued.integrator)：")
                        Element(name: "code") { Text(issued.apiKey) }
                    }.class("mono")
                }.class("card ok-card")
            }
            Form(url: "/admin/integrations", method: .post) {
                Input(type: .hidden, name: "_csrf", value: csrf)
                Input(
                    type: .text, name: "integrator", isRequired: true,
                    placeholder: t("complaints.integrator-e-g-city-12345"))
                Button { Text(t("complaints.issue-a-key")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("inline filters")
            Table(
                header: TableRow {
                    TableHeaderCell(t("complaints.integrator"))
                    TableHeaderCell(t("complaints.issued"))
                    TableHeaderCell(t("complaints.state"))
                    TableHeaderCell("")
                }
            ) {
                for k in keys {
                    TableRow {
                        TableCell(k.integrator)
                        TableCell(DisplayTime.minutes(k.createdAt))
                        TableCell {
                            Span(k.active ? t("complaints.active-3") : t("complaints.revoked")).class(
                                k.active ? "pill ok" : "pill")
                        }
                        TableCell {
                            if k.active {
                                Form(url: "/admin/integrations/\(k.id.uuidString)/revoke", method: .post) {
                                    Input(type: .hidden, name: "_csrf", value: csrf)
                                    Button { Text(t("complaints.revoke")) }.attribute(named: "type", value: "submit")
                                }.class("inline")
                            }
                        }
                    }
                }
            }.class("data")
        }
    }

    @Sendable static func issueForm(req: Request) async throws -> Response {
        _ = try admin(req, web: true)
        // Shown on this answer only: not in a redirect, not in a log.
        let response = try await render(req, issued: try await issueKey(req))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func revokeForm(req: Request) async throws -> Response {
        _ = try admin(req, web: true)
        try await revokeKey(req)
        return WebResponse.redirect("/admin/integrations")
    }
}
