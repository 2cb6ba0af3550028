import Plot
import Vapor

/// The sign-in page, with the demo accounts listed when the demo city is loaded.
enum LoginPage {
    /// The sign-in form's anti-forgery cookie: a random value the form must echo, so another
    /// site cannot sign a browser in to an account of its choosing (login CSRF).
    static let cookieName = "zhili_login"

    static func formToken(_ req: Request) -> String {
        if let known = req.cookies[cookieName]?.string, known.count == 32, known.allSatisfy(\.isHexDigit) {
            return known
        }
        return [UInt8].random(count: 16).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a posted sign-in form carries the token of its cookie.
    static func tokenMatches(_ req: Request, sent: String?) -> Bool {
        guard let cookie = req.cookies[cookieName]?.string, let sent, cookie.count == 32 else { return false }
        return cookie == sent
    }

    static func render(
        _ req: Request, error: String? = nil, username: String = "", next: String = "/",
        status: HTTPResponseStatus? = nil
    ) -> Response {
        let t = Localizer(req)
        let token = formToken(req)
        let html = HTML(
            .lang(t.lang == .zh ? .chinese : .english),
            .head(
                .encoding(.utf8), .title(t("platform.sign-in-zhili")), .viewport(.accordingToDevice),
                .link(.rel(.icon), .href("data:,")),
                .stylesheet("/assets/app.css")),
            .body(
                .class("login-body"),
                .component(
                    Div {
                        Div {
                            Div {
                                Span(t("platform.brand")).class("brand-mark big")
                                H1(t("platform.smart-community-governance"))
                                Paragraph(
                                    t("platform.grids-complaints-party-building-early")
                                ).class("muted")
                            }.class("login-brand")
                            Form(url: "/login", method: .post) {
                                if let error {
                                    Paragraph(error).class("alert").attribute(named: "role", value: "alert")
                                }
                                Input(type: .hidden, name: "_csrf", value: token)
                                Input(type: .hidden, name: "next", value: next)
                                Label(t("platform.username")) {
                                    Input(
                                        type: .text, name: "username", value: username, isRequired: true,
                                        placeholder: t("platform.username-2")
                                    )
                                    .attribute(named: "autocomplete", value: "username")
                                }
                                Label(t("platform.password")) {
                                    Input(
                                        type: .password, name: "password", isRequired: true,
                                        placeholder: t("platform.password-2")
                                    )
                                    .attribute(named: "autocomplete", value: "current-password")
                                }
                                Button { Text(t("platform.sign-in")) }.attribute(named: "type", value: "submit").class(
                                    "primary wide")
                            }.class("login-form")
                            Paragraph {
                                Link(
                                    t("platform.other-language"),
                                    url: "/lang/\(t.lang == .zh ? "en" : "zh")?back=/login")
                                Text(" · ")
                                Link(t("platform.api-documentation"), url: "/api-docs")
                            }.class("muted small center")
                        }.class("login-card")
                    })
            ))
        let response = WebResponse.html(html.render(), status: status ?? (error == nil ? .ok : .unauthorized))
        response.cookies[cookieName] = HTTPCookies.Value(
            string: token, maxAge: 3600, path: "/login",
            isSecure: req.zhili.config.secureCookies, isHTTPOnly: true, sameSite: .strict)
        return response
    }
}
