import SQLKit
import Vapor

/// Liveness, readiness and metrics for operators and load balancers.
enum OperationsRoutes {
    static func register(_ app: Application) {
        app.get("healthz") { _ in "ok" }
        app.get("readyz", use: ready)
        app.get("metrics", use: metrics)
    }

    /// Ready when the database answers.
    @Sendable static func ready(req: Request) async throws -> Response {
        do {
            _ = try await req.sql.raw("SELECT 1 AS ok").first()
            var headers = HTTPHeaders()
            headers.contentType = .plainText
            return Response(status: .ok, headers: headers, body: "ready")
        } catch {
            req.logger.warning("readiness check failed: \(String(describing: error))")
            throw AppError(.serviceUnavailable, code: "not_ready", zh: "数据库不可用", en: "Database unavailable")
        }
    }

    /// Operators only: administrators, or a scraper with `ZHILI_METRICS_TOKEN` as its bearer.
    @Sendable static func metrics(req: Request) async throws -> Response {
        if !isMetricsScraper(req) {
            guard let p = req.principal else { throw AppError.unauthorized }
            guard p.role == .admin else { throw AppError.forbidden }
        }
        let response = Response(status: .ok, body: .init(string: Metrics.registry.emitToString()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return response
    }

    /// A request to `/metrics` whose bearer token is the configured metrics token.
    static func isMetricsScraper(_ req: Request) -> Bool {
        guard let token = req.zhili.config.metricsToken, req.url.path == "/metrics",
            let sent = req.headers.bearerAuthorization?.token
        else { return false }
        let a = Array(sent.utf8)
        let b = Array(token.utf8)
        return a.count == b.count && zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Conservative browser defaults on every answer, errors included: no framing, no sniffing,
/// same-origin scripts, images only from here and the configured tile server, and nothing
/// personal kept in a cache (API answers and pages are `no-store` unless they say otherwise).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        let contentType = response.headers.contentType
        let isHTML = contentType?.type == "text" && contentType?.subType == "html"
        if response.headers.first(name: .cacheControl) == nil, isHTML || request.url.path.hasPrefix("/api/") {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        if isHTML {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.policy(request.zhili.config))
        }
        return response
    }

    /// The page policy: this origin, plus the tile server's origin for map images.
    static func policy(_ config: AppConfig) -> String {
        var tiles = ""
        if let template = config.tileURL,
            let url = URL(
                string: template.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
            let scheme = url.scheme, let host = url.host
        {
            tiles = " \(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        return
            "default-src 'self'; img-src 'self' data: blob:\(tiles); style-src 'self' 'unsafe-inline'; script-src 'self'; "
            + "connect-src 'self'\(tiles); frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    }
}
