import JWT
import Vapor

/// Reads a bearer token (API) or the session cookie (web) and logs the principal in. The
/// signature is checked once per token and instance; the session it names must still be
/// open (see `SessionStore`), which is read from the database at most once per session
/// every `SessionCache.maxAge`.
struct SessionAuthenticator: AsyncMiddleware {
    static let cookieName = "zhili_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if OperationsRoutes.isMetricsScraper(request) {
            // The metrics scraper's token is not a session token.
        } else if let bearer = request.headers.bearerAuthorization {
            guard let token = await Self.verify(bearer.token, request),
                let principal = token.principal, try await Self.isOpen(token, principal, request)
            else {
                throw AppError(.unauthorized, code: "invalid_token", zh: "令牌无效或已过期", en: "Invalid or expired token")
            }
            request.auth.login(principal)
            request.storage[SessionIDKey.self] = token.sid
            request.storage[SessionExpiryKey.self] = token.exp.value
        } else if let cookie = request.cookies[Self.cookieName]?.string,
            let token = await Self.verify(cookie, request),
            let principal = token.principal, try await Self.isOpen(token, principal, request)
        {
            request.auth.login(principal)
            request.storage[SessionIDKey.self] = token.sid
            request.storage[SessionExpiryKey.self] = token.exp.value
            request.storage[CSRFKey.self] = token.csrf
            if request.method == .POST || request.method == .PUT || request.method == .DELETE
                || request.method == .PATCH
            {
                try await checkCSRF(request, expected: token.csrf)
            }
        }
        return try await next.respond(to: request)
    }

    /// The signature is checked once per token and instance; later requests find it verified.
    static func verify(_ text: String, _ request: Request) async -> SessionToken? {
        let known = request.zhili.verifiedTokens
        if let token = known.lookup(text) { return token }
        guard let token = try? await request.jwt.verify(text, as: SessionToken.self) else { return nil }
        known.remember(text, token)
        return token
    }

    /// The token's session is open and its account exists and is enabled.
    static func isOpen(_ token: SessionToken, _ principal: Principal, _ request: Request) async throws -> Bool {
        guard let sid = token.sid else { return false }
        let cache = request.zhili.sessions
        if let known = cache.lookup(sid) { return known }
        let active = try await SessionStore.isActive(sid, userID: principal.userID, on: request.readSQL)
        cache.remember(sid, active: active)
        return active
    }

    /// Web forms signed in by cookie must echo the session's anti-forgery token.
    private func checkCSRF(_ request: Request, expected: String) async throws {
        if request.headers.first(name: "X-CSRF-Token") == nil, request.body.data == nil {
            // A form larger than one network read (a photo upload) is still streaming: read it
            // now, within the upload limit for multipart forms and the default limit otherwise.
            let multipart = request.headers.contentType?.type == "multipart"
            let limit =
                multipart ? PhotoUploads.requestLimit.value : request.application.routes.defaultMaxBodySize.value
            _ = try await request.body.collect(max: limit).get()
        }
        let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: "_csrf"))
        guard sent == expected else {
            throw AppError(
                .forbidden, code: "csrf_failed", zh: "页面已过期，请刷新后重试", en: "Form expired; reload and try again")
        }
    }
}

struct SessionIDKey: StorageKey { typealias Value = String }
struct SessionExpiryKey: StorageKey { typealias Value = Date }

extension Request {
    /// The session of this request's token, if it carried one.
    var sessionID: String? { storage[SessionIDKey.self] }
    /// When this request's token expires (what was signed in with it ends then).
    var sessionExpiresAt: Date? { storage[SessionExpiryKey.self] }
}
