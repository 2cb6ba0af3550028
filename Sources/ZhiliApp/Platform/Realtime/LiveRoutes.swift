import Foundation
import NIOCore
import Vapor

/// `/api/v1/live`: the WebSocket every signed-in screen opens (session cookie or bearer
/// token), and `/api/v1/live/events` for clients that cannot hold one open (what happened
/// after a cursor, the same filter).
enum LiveRoutes {
    static func register(_ app: Application) {
        app.get("api", "v1", "live", use: socket)
        app.get("api", "v1", "live", "events", use: events)
    }

    @Sendable static func socket(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard req.headers.first(name: .upgrade)?.lowercased() == "websocket" else {
            throw AppError(
                .badRequest, code: "websocket_required", zh: "此地址只接受 WebSocket 连接（实时推送）",
                en: "This address takes WebSocket connections only (live push)")
        }
        // A page of another site must not open a socket with the visitor's cookie: browsers
        // send the page's origin, which must be this server's.
        if req.headers.bearerAuthorization == nil, let origin = req.headers.first(name: .origin),
            !sameOrigin(origin, req)
        {
            throw AppError(
                .forbidden, code: "origin_refused", zh: "不接受来自其他网站的连接", en: "Connections from other sites are refused")
        }
        let since = try since(req)
        let listener = LiveListener(p, sessionID: req.sessionID)
        let feed = req.zhili.live
        let expires = req.sessionExpiresAt
        return req.webSocket(maxFrameSize: .init(integerLiteral: 1 << 12)) { _, ws in
            feed.attach(ws, listener: listener, since: since)
            // A socket lives no longer than the token it was opened with: at its expiry the
            // screen is closed (it signs in again and reconnects with its cursor).
            if let expires {
                let delay = TimeAmount.milliseconds(max(0, Int64(expires.timeIntervalSinceNow * 1000)))
                let expiry = ws.eventLoop.scheduleTask(in: delay) { _ = ws.close(code: .policyViolation) }
                ws.onClose.whenComplete { _ in expiry.cancel() }
            }
        }
    }

    @Sendable static func events(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard let since = try since(req) else {
            throw AppError.invalid(
                "since", zh: "请提供 since（上次收到的序号）", en: "since (the last sequence number received) is required")
        }
        let feed = req.zhili.live
        let head = try await feed.head()
        let listener = LiveListener(p, sessionID: req.sessionID)
        // The events are written as their stored JSON, not re-encoded.
        var body = "{\"head\":\(head),"
        switch try await feed.missed(since: since, for: listener) {
        case .reset:
            body += "\"reset\":true,\"events\":[]}"
        case .events(let events):
            body += "\"reset\":false,\"events\":["
            body += events.filter(listener.receives).map(\.frame).joined(separator: ",")
            body += "]}"
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.cacheControl = .init(noStore: true)
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    private static func since(_ req: Request) throws -> Int64? {
        guard let text = req.query[String.self, at: "since"], !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0, value <= 9_007_199_254_740_991 else {
            throw AppError.invalid("since", zh: "since 应为非负整数", en: "since must be a non-negative integer")
        }
        return value
    }

    private static func sameOrigin(_ origin: String, _ req: Request) -> Bool {
        guard let host = req.headers.first(name: .host), let url = URL(string: origin), let originHost = url.host
        else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        return (originHost + port).lowercased() == host.lowercased()
    }
}
