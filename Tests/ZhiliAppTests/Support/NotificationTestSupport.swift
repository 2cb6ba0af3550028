import Foundation
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp
@testable import ZhiliDomain

/// An SMS gateway and the WeChat API on a local port, recording what they were sent.
actor GatewayLog {
    var sms: [SMSGateway.Payload] = []
    var smsAuth: [String] = []
    var wechat: [WeChatTemplate.Send] = []
    var tokenRequests = 0
    var smsFailuresLeft = 0
    var wechatError = 0

    func failNextSMS(_ n: Int) { smsFailuresLeft = n }
    func wechatAnswers(_ code: Int) { wechatError = code }
    func takeSMSFailure() -> Bool {
        if smsFailuresLeft > 0 {
            smsFailuresLeft -= 1
            return true
        }
        return false
    }
    func record(_ p: SMSGateway.Payload, auth: String?) {
        sms.append(p)
        smsAuth.append(auth ?? "")
    }
    func record(_ s: WeChatTemplate.Send) { wechat.append(s) }
    func tokenAsked() { tokenRequests += 1 }
}

final class FakeGateway: @unchecked Sendable {
    let app: Application
    let log = GatewayLog()
    private(set) var base = ""

    private init(app: Application) { self.app = app }

    static func start() async throws -> FakeGateway {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let gateway = FakeGateway(app: app)
        let log = gateway.log
        app.post("sms") { req async throws -> Response in
            if await log.takeSMSFailure() { return Response(status: .serviceUnavailable) }
            await log.record(
                try req.content.decode(SMSGateway.Payload.self), auth: req.headers.bearerAuthorization?.token)
            return Response(status: .ok, body: .init(string: #"{"ok":true}"#))
        }
        app.post("cgi-bin", "stable_token") { req async throws -> Response in
            let ask = try req.content.decode(WeChatTokens.Ask.self)
            await log.tokenAsked()
            guard ask.appid == "wx-test-app", ask.secret == "wx-test-secret" else {
                return Response(status: .ok, body: .init(string: #"{"errcode":40125,"errmsg":"invalid appsecret"}"#))
            }
            return Response(status: .ok, body: .init(string: #"{"access_token":"TOKEN-1","expires_in":7200}"#))
        }
        app.post("cgi-bin", "message", "template", "send") { req async throws -> Response in
            guard req.query[String.self, at: "access_token"] == "TOKEN-1" else {
                return Response(status: .ok, body: .init(string: #"{"errcode":40001,"errmsg":"invalid credential"}"#))
            }
            let code = await log.wechatError
            if code != 0 {
                return Response(status: .ok, body: .init(string: #"{"errcode":\#(code),"errmsg":"refused"}"#))
            }
            await log.record(try req.content.decode(WeChatTemplate.Send.self))
            return Response(status: .ok, body: .init(string: #"{"errcode":0,"errmsg":"ok","msgid":1}"#))
        }
        app.get("sns", "oauth2", "access_token") { req -> Response in
            guard req.query[String.self, at: "code"] == "good-code",
                req.query[String.self, at: "secret"] == "wx-test-secret"
            else {
                return Response(status: .ok, body: .init(string: #"{"errcode":40029,"errmsg":"invalid code"}"#))
            }
            return Response(
                status: .ok,
                body: .init(string: #"{"access_token":"x","openid":"o-resident-openid-1","scope":"snsapi_base"}"#))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        gateway.base = "http://127.0.0.1:\(port)"
        return gateway
    }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    /// Test settings: both channels pointed at this gateway.
    func settings(_ config: inout AppConfig) {
        config.publicURL = "https://zhili.example.cn"
        config.notifications.smsURL = base + "/sms"
        config.notifications.smsToken = "sms-token"
        config.notifications.wechatAppID = "wx-test-app"
        config.notifications.wechatSecret = "wx-test-secret"
        config.notifications.wechatTemplateID = "TEMPLATE-1"
        config.notifications.wechatAPIBase = base
    }
}

enum NotificationFixture {
    static func messages(_ app: Application, _ user: String, unread: Bool = false) async throws
        -> NotificationInbox.Page
    {
        var page: NotificationInbox.Page?
        try await app.testing().test(
            .GET, "/api/v1/notifications" + (unread ? "?unread=true" : ""), headers: try await app.bearer(user)
        ) { res in
            #expect(res.status == .ok, "\(res.body.string)")
            page = try? res.content.decode(NotificationInbox.Page.self)
        }
        return try #require(page)
    }

    static func kinds(_ app: Application, _ user: String) async throws -> [String] {
        try await messages(app, user).items.map(\.kind)
    }

    static func outbox(_ app: Application) throws -> NotificationOutbox {
        let z = app.zhili
        return NotificationOutbox(
            db: try app.sql, cipher: z.cipher, publicURL: z.config.publicURL,
            channels: NotificationOutbox.channels(
                z.config.notifications, client: app.client, tokens: app.notifications.wechatTokens, logger: app.logger),
            logger: app.logger)
    }

    static func webSession(_ app: Application, _ user: String, page: String = "/notifications") async throws -> (
        cookie: String, csrf: String
    ) {
        var cookie = ""
        try await app.postLogin(["username": user, "password": DemoCity.password]) { res in
            cookie =
                "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
        }
        var csrf = ""
        try await app.testing().test(.GET, page, headers: ["Cookie": cookie]) { res in
            #expect(res.status == .ok)
            let html = res.body.string
            if let r = html.range(of: "name=\"_csrf\" value=\"") { csrf = String(html[r.upperBound...].prefix(32)) }
        }
        #expect(!csrf.isEmpty)
        return (cookie, csrf)
    }

    struct Delivery: Decodable {
        let channel: String
        let status: String
        let attempts: Int
        let address_enc: String?
        let last_error: String?
    }

    static func deliveries(_ app: Application) async throws -> [Delivery] {
        try await app.sql.select().columns("channel", "status", "attempts", "address_enc", "last_error").from(
            "notification_deliveries"
        )
        .orderBy("created_at").all(decoding: Delivery.self)
    }
}
