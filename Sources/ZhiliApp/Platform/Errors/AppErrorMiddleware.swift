import Vapor

/// Catches every error: JSON clients get `ErrorBody`, browsers get a readable page.
/// Unexpected errors are logged with detail but shown only as a generic 500.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let appError = ErrorTranslation.translate(error)
            if appError.status.code >= 500 {
                request.logger.report(error: error)
            }
            if Self.wantsHTML(request) {
                return ErrorPage.response(for: appError, request: request)
            }
            let response = Response(status: appError.status)
            try response.content.encode(ErrorBody(appError), as: .json)
            if appError.status == .unauthorized {
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
            }
            return response
        }
    }

    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.url.path
        if path.hasPrefix("/api/") || path.hasPrefix("/open311/") || path == "/openapi.json" { return false }
        return request.headers.first(name: .accept)?.contains("text/html") ?? false
    }
}
