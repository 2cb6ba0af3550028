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
            return Response(status: .ok, body: "ready")
        } catch {
            req.logger.warning("readiness check failed: \(String(describing: error))")
            throw AppError(.serviceUnavailable, code: "not_ready", zh: "数据库不可用", en: "Database unavailable")
        }
    }

    @Sendable static func metrics(req: Request) async throws -> Response {
        let response = Response(status: .ok, body: .init(string: Metrics.registry.emitToString()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return response
    }
}

/// Conservative browser defaults: no framing, no sniffing, same-origin scripts only.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if response.headers.contentType == .html {
            var policy = "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; script-src 'self'"
            if let tiles = request.zhili.config.tileURL, let host = URL(string: tiles.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""))?.host {
                policy += "; connect-src 'self' \(host)"
            }
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: policy)
        }
        return response
    }
}
