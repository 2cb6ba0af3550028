import Plot
import Vapor

/// The back-office frame every page shares: header with the account and language switch,
/// role-based navigation, and the page content.
struct PageShell {
    let request: Request
    let title: String
    let active: String
    var scripts: [String] = []
    var wide = false

    func render(@ComponentBuilder content: @escaping () -> Component) -> Response {
        let t = Localizer(request)
        let principal = request.principal
        let body = Div {
            Header {
                Link(url: "/") {
                    Span("智理").class("brand-mark")
                    Span(t("社区微脑", "Community micro-brain")).class("brand-sub")
                }
                .class("brand")
                Div {
                    if let p = principal {
                        Span("\(p.displayName) · \(t(p.role.nameZh, p.role.nameEn))").class("who")
                        Form(url: "/logout", method: .post) {
                            Input(type: .hidden, name: "_csrf", value: request.csrfToken ?? "")
                            Button { Text(t("退出", "Sign out")) }.attribute(named: "type", value: "submit").class(
                                "link-button")
                        }.class("inline")
                    }
                    Link(t("English", "中文"), url: "/lang/\(t.lang == .zh ? "en" : "zh")?back=\(request.url.path)")
                        .class("lang")
                }.class("account")
            }.class("topbar")
            Div {
                if principal != nil { Navigation { NavigationMenu(request: request, active: active) }.class("sidenav") }
                Element(name: "main") { content() }.class(wide ? "content wide" : "content")
            }.class("frame")
        }
        let html = HTML(
            .lang(t.lang == .zh ? .chinese : .english),
            .head(
                .encoding(.utf8),
                .title("\(title) · 智理"),
                .viewport(.accordingToDevice),
                .meta(.name("csrf-token"), .content(request.csrfToken ?? "")),
                .link(.rel(.icon), .href("data:,")),
                .stylesheet("/assets/app.css"),
                .forEach(scripts.filter { $0.hasSuffix(".css") }) { .stylesheet($0) }
            ),
            .body(
                .component(body),
                .if(principal != nil, .script(.src("/assets/badge.js"))),
                .forEach(scripts.filter { $0.hasSuffix(".js") }) { .script(.src($0)) }
            )
        )
        return WebResponse.html(html.render())
    }
}

enum WebResponse {
    static func html(_ text: String, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status, body: .init(string: text))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func redirect(_ to: String) -> Response {
        let response = Response(status: .seeOther)
        response.headers.replaceOrAdd(name: .location, value: to)
        return response
    }
}

/// A generic element for tags Plot has no component for (main, section, svg …).
struct Element: Component {
    let name: String
    @ComponentBuilder var content: ContentProvider

    var body: Component {
        Node<HTML.BodyContext>.element(named: name, nodes: [.component(content())])
    }
}
