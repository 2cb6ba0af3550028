import Foundation
import Plot
import Vapor

/// The frame every page shares: a header with the account, the language and text-size
/// switches; the role's navigation as a side menu on wide screens and as a bottom tab bar
/// (with 更多 for the rest) on a phone; and the page content.
struct PageShell {
    let request: Request
    let title: String
    let active: String
    var scripts: [String] = []
    var wide = false

    func render(@ComponentBuilder content: @escaping () -> Component) -> Response {
        let t = Localizer(request)
        let principal = request.principal
        let back = Self.back(request)
        let large = request.cookies[Self.textSizeCookie]?.string == "large"
        let entries = principal.map { NavigationMenu.entries(for: $0, capabilities: request.application.capabilities) }
        let body = Div {
            Header {
                Link(url: "/") {
                    Span(t("platform.brand")).class("brand-mark")
                    Span(t("platform.brand-sub")).class("brand-sub")
                }
                .class("brand")
                Div {
                    if let p = principal {
                        Span("\(p.displayName) · \(t.name(p.role))").class("who")
                    }
                    Link(
                        large ? t("platform.normal-text") : t("platform.larger-text"),
                        url: "/text-size/\(large ? "normal" : "large")?back=\(back)"
                    )
                    .class("text-size").attribute(
                        named: "title", value: large ? t("platform.normal-text-hint") : t("platform.larger-text-hint"))
                    Link(t("platform.other-language"), url: "/lang/\(t.lang == .zh ? "en" : "zh")?back=\(back)")
                        .class("lang")
                    if principal != nil {
                        Form(url: "/logout", method: .post) {
                            Input(type: .hidden, name: "_csrf", value: request.csrfToken ?? "")
                            Button { Text(t("platform.sign-out")) }.attribute(named: "type", value: "submit").class(
                                "link-button")
                        }.class("inline")
                    }
                }.class("account")
            }.class("topbar")
            Div {
                if principal != nil { Navigation { NavigationMenu(request: request, active: active) }.class("sidenav") }
                Element(name: "main") { content() }.class(wide ? "content wide" : "content")
            }.class("frame")
            if let entries, !entries.isEmpty { TabBar(entries: entries, active: active, t: t) }
        }
        let html = HTML(
            .lang(t.lang == .zh ? .chinese : .english),
            .attribute(named: "class", value: large ? "large-text" : "", ignoreIfValueIsEmpty: true),
            .head(
                .encoding(.utf8),
                .title("\(title) · \(t("platform.brand"))"),
                .viewport(.accordingToDevice),
                .meta(.name("csrf-token"), .content(request.csrfToken ?? "")),
                .link(.rel(.icon), .href("data:,")),
                .stylesheet("/assets/app.css"),
                .forEach(scripts.filter { $0.hasSuffix(".css") }) { .stylesheet($0) }
            ),
            .body(
                .component(body),
                .raw(Self.scriptMessages(t)),
                .script(.src("/assets/i18n.js")),
                .script(.src("/assets/tables.js")),
                .if(principal != nil, .script(.src("/assets/live.js"))),
                .if(principal != nil, .script(.src("/assets/badge.js"))),
                .forEach(scripts.filter { $0.hasSuffix(".js") }) { .script(.src($0)) }
            )
        )
        return WebResponse.html(html.render())
    }

    static let textSizeCookie = "text"

    /// This page's path and query, to come back to after a switch of language or text size.
    static func back(_ request: Request) -> String {
        var here = request.url.path
        if let q = request.url.query, !q.isEmpty { here += "?" + q }
        return here.addingPercentEncoding(
            withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.")))
            ?? "/"
    }

    /// The catalogue's script messages in the page's language, for `i18n.js`.
    static func scriptMessages(_ t: Localizer) -> String {
        "<script type=\"application/json\" id=\"zhili-messages\">\(t.catalogue.scriptJSON[t.lang] ?? "{}")</script>"
    }
}

/// The phone's bottom navigation: the entries marked `tab` (at most four) and 更多, which
/// opens the rest. Plain HTML (`details`), so it works before any script has loaded.
struct TabBar: Component {
    let entries: [NavigationEntry]
    let active: String
    let t: Localizer

    static let maxTabs = 4

    var split: (tabs: [NavigationEntry], more: [NavigationEntry]) {
        var tabs = Array(entries.filter(\.tab).prefix(Self.maxTabs))
        if tabs.isEmpty { tabs = Array(entries.prefix(Self.maxTabs)) }
        let keys = Set(tabs.map(\.url))
        var more = entries.filter { !keys.contains($0.url) }
        // Everything fits without a 更多 menu.
        if more.count == 1, tabs.count < Self.maxTabs + 1 {
            tabs.append(more[0])
            more = []
        }
        return (tabs, more)
    }

    var body: Component {
        let (tabs, more) = split
        return Navigation {
            for entry in tabs {
                Link(url: entry.url) {
                    Node<HTML.BodyContext>.raw(Icon.svg(entry.icon))
                    Span(t(entry.label)).class("tab-label")
                }.class(entry.key == active ? "active" : "")
            }
            if !more.isEmpty {
                Element(name: "details") {
                    Element(name: "summary") {
                        Node<HTML.BodyContext>.raw(Icon.svg("more"))
                        Span(t("platform.nav.more")).class("tab-label")
                    }
                    List(more) { entry in
                        Link(t(entry.label), url: entry.url).class(entry.key == active ? "active" : "")
                    }.class("more-menu")
                }.class(more.contains { $0.key == active } ? "more active" : "more")
            }
        }.class("tabbar").attribute(named: "aria-label", value: t("platform.navigation"))
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
