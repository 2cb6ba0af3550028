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
                .encoding(.utf8), .title(t("登录 · 智理", "Sign in · Zhili")), .viewport(.accordingToDevice),
                .link(.rel(.icon), .href("data:,")),
                .stylesheet("/assets/app.css")),
            .body(
                .class("login-body"),
                .component(
                    Div {
                        Div {
                            Div {
                                Span("智理").class("brand-mark big")
                                H1(t("智慧社区治理平台", "Smart-community governance"))
                                Paragraph(
                                    t(
                                        "网格管理 · 接诉即办 · 党建引领 · 感知预警",
                                        "Grids · Complaints · Party building · Early warning")
                                ).class("muted")
                            }.class("login-brand")
                            Form(url: "/login", method: .post) {
                                if let error {
                                    Paragraph(error).class("alert").attribute(named: "role", value: "alert")
                                }
                                Input(type: .hidden, name: "_csrf", value: token)
                                Input(type: .hidden, name: "next", value: next)
                                Label(t("用户名", "Username")) {
                                    Input(
                                        type: .text, name: "username", value: username, isRequired: true,
                                        placeholder: t("请输入用户名", "Username")
                                    )
                                    .attribute(named: "autocomplete", value: "username")
                                }
                                Label(t("密码", "Password")) {
                                    Input(
                                        type: .password, name: "password", isRequired: true,
                                        placeholder: t("请输入密码", "Password")
                                    )
                                    .attribute(named: "autocomplete", value: "current-password")
                                }
                                Button { Text(t("登录", "Sign in")) }.attribute(named: "type", value: "submit").class(
                                    "primary wide")
                            }.class("login-form")
                            Paragraph {
                                Link(t("English", "中文"), url: "/lang/\(t.lang == .zh ? "en" : "zh")?back=/login")
                                Text(" · ")
                                Link(t("开放接口文档", "API documentation"), url: "/api-docs")
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
