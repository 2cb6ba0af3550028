import Vapor

/// Browser pages of the shared platform: sign-in, dashboard, language, audit, API docs.
/// Capability pages register themselves from their own folders (`Capability.routes`).
enum WebRoutes {
    static func register(_ app: Application) {
        app.get("login", use: loginForm)
        app.post("login", use: login)
        app.post("logout", use: logout)
        app.get("lang", ":lang", use: switchLanguage)
        app.get("text-size", ":size", use: switchTextSize)
        app.get(use: HomePage.show)
        app.get("audit", use: AuditPage.show)
        app.get("api-docs", use: APIDocsPage.show)
    }

    struct NextQuery: Content { var next: String? }

    /// Only local paths are followed after sign-in, never another site.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\") else { return "/" }
        return raw
    }

    @Sendable static func loginForm(req: Request) async throws -> Response {
        let next = safeNext(try? req.query.decode(NextQuery.self).next)
        if req.principal != nil { return WebResponse.redirect(next) }
        return LoginPage.render(req, next: next)
    }

    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
        var _csrf: String?
    }

    @Sendable static func login(req: Request) async throws -> Response {
        let t = Localizer(req)
        let form = (try? req.content.decode(LoginForm.self)) ?? LoginForm()
        let next = safeNext(form.next)
        guard LoginPage.tokenMatches(req, sent: form._csrf) else {
            return LoginPage.render(
                req, error: t("platform.the-page-expired-sign-in"), username: form.username ?? "",
                next: next, status: .forbidden)
        }
        do {
            let (_, token) = try await AuthService.signIn(
                username: form.username ?? "", password: form.password ?? "", on: req)
            let response = WebResponse.redirect(next)
            response.cookies[SessionAuthenticator.cookieName] = HTTPCookies.Value(
                string: try await req.jwt.sign(token), expires: token.exp.value, maxAge: nil, path: "/",
                isSecure: req.zhili.config.secureCookies, isHTTPOnly: true, sameSite: .lax
            )
            return response
        } catch let error as AppError {
            return LoginPage.render(
                req, error: t.pick(error.messageZh, error.messageEn), username: form.username ?? "", next: next)
        }
    }

    @Sendable static func logout(req: Request) async throws -> Response {
        if let sid = req.sessionID { try await SessionStore.revoke(sid, on: req.sql, cache: req.zhili.sessions) }
        if req.principal != nil {
            await req.audit.record(action: "sign_out", entity: "user", entityID: req.principal?.userID.uuidString)
        }
        let response = WebResponse.redirect("/login")
        response.cookies[SessionAuthenticator.cookieName] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    struct BackQuery: Content { var back: String? }

    @Sendable static func switchLanguage(req: Request) async throws -> Response {
        let lang = req.parameters.get("lang") == "en" ? "en" : "zh"
        let response = WebResponse.redirect(safeNext(try? req.query.decode(BackQuery.self).back))
        response.cookies["lang"] = HTTPCookies.Value(
            string: lang, maxAge: 365 * 86400, path: "/", isHTTPOnly: false, sameSite: .lax)
        return response
    }

    /// Larger text (`large`) or the standard size, remembered for a year in this browser.
    @Sendable static func switchTextSize(req: Request) async throws -> Response {
        let large = req.parameters.get("size") == "large"
        let response = WebResponse.redirect(safeNext(try? req.query.decode(BackQuery.self).back))
        response.cookies[PageShell.textSizeCookie] = HTTPCookies.Value(
            string: large ? "large" : "normal", maxAge: 365 * 86400, path: "/", isHTTPOnly: false, sameSite: .lax)
        return response
    }
}

extension Request {
    /// Pages require a signed-in person; the error middleware turns this into a redirect.
    func requireWebPrincipal() throws -> Principal { try requirePrincipal() }
}
