import Plot
import Vapor

/// Errors shown to a browser: the Chinese message first, the English one beneath.
enum ErrorPage {
    static func response(for error: AppError, request: Request) -> Response {
        if error.status == .unauthorized {
            return WebResponse.redirect(
                "/login?next=\(request.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")")
        }
        let page = PageShell(request: request, title: "\(error.status.code)", active: "").render {
            Div {
                H1("\(error.status.code)")
                Paragraph(error.messageZh).class("lead")
                Paragraph(error.messageEn).class("muted")
                Link(Localizer(request)("platform.back-to-dashboard"), url: "/").class("button")
            }.class("card error-card")
        }
        page.status = error.status
        return page
    }
}
