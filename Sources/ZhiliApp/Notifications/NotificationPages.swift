import Foundation
import Plot
import Vapor

/// 消息: the messages page (newest first, unread marked), opening one marks it read and goes
/// to what it is about; the channel choices below it; WeChat binding through the official
/// account's web sign-in.
enum NotificationPages {
    @Sendable static func page(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        struct Query: Decodable {
            var unread: String?
            var page: Int?
        }
        let q = try req.query.decode(Query.self)
        return try await render(
            req, p, unreadOnly: q.unread == "1", page: max(q.page ?? 1, 1), error: nil, saved: false)
    }

    static let pageSize = 30

    static func render(_ req: Request, _ p: Principal, unreadOnly: Bool, page: Int, error: AppError?, saved: Bool)
        async throws -> Response
    {
        let t = Localizer(req)
        let items = try await NotificationInbox.items(
            for: p.userID, unreadOnly: unreadOnly, limit: pageSize + 1, offset: (page - 1) * pageSize, db: req.sql)
        let unread = try await NotificationInbox.unreadCount(p.userID, db: req.sql)
        let settings = try await NotificationInbox.settings(
            of: p, db: req.sql, channels: req.zhili.config.notifications)
        let csrf = req.csrfToken ?? ""
        return PageShell(request: req, title: t("notifications.messages"), active: "notifications").render {
            Div {
                H1(t("notifications.messages"))
                Paragraph(unread == 0 ? t("notifications.no-unread-messages") : t("notifications.0-unread", unread))
                    .class("muted")
            }.class("page-head")
            Div {
                Link(t("notifications.all"), url: "/notifications").class(unreadOnly ? "button" : "button primary-link")
                Link(t("notifications.unread"), url: "/notifications?unread=1").class(
                    unreadOnly ? "button primary-link" : "button")
                if unread > 0 {
                    Form(url: "/notifications/read-all", method: .post) {
                        Input(type: .hidden, name: "_csrf", value: csrf)
                        Button { Text(t("notifications.mark-all-read")) }.attribute(named: "type", value: "submit")
                    }.class("inline")
                }
            }.class("actions")
            if items.isEmpty {
                Paragraph(
                    t("notifications.nothing-yet-progress-on-complaints")
                ).class("muted")
            }
            Element(name: "ul") {
                for item in items.prefix(pageSize) {
                    Element(name: "li") {
                        Form(url: "/notifications/\(item.id.uuidString)/open", method: .post) {
                            Input(type: .hidden, name: "_csrf", value: csrf)
                            Button {
                                Span(item.title).class("message-title")
                                Span(DisplayTime.minutes(item.createdAt)).class("muted small")
                                Paragraph(item.body)
                            }.attribute(named: "type", value: "submit").class("message-open")
                        }
                    }.class(item.readAt == nil ? "message unread" : "message")
                }
            }.class("messages")
            Div {
                if page > 1 {
                    Link(
                        t("notifications.newer"),
                        url: "/notifications?page=\(page - 1)" + (unreadOnly ? "&unread=1" : "")
                    )
                    .class("button")
                }
                if items.count > pageSize {
                    Link(
                        t("notifications.older"),
                        url: "/notifications?page=\(page + 1)" + (unreadOnly ? "&unread=1" : "")
                    )
                    .class("button")
                }
            }.class("actions")
            H2(t("notifications.how-to-reach-me")).id("settings")
            if let error { Paragraph("\(error.messageZh) / \(error.messageEn)").class("alert") }
            if saved { Paragraph(t("notifications.saved")).class("pill ok") }
            Form(url: "/notifications/settings", method: .post) {
                Input(type: .hidden, name: "_csrf", value: csrf)
                Paragraph(t("notifications.messages-always-stay-on-this")).class("muted small")
                // A channel that is not set up is never shown as on; the stored choice is kept
                // (hidden) for the day it is.
                Label(t("notifications.sms")) {
                    Input(type: .checkbox, name: settings.smsAvailable ? "sms" : "smsOff", value: "on")
                        .attribute(named: "checked", value: settings.sms && settings.smsAvailable ? "checked" : "")
                        .attribute(named: "disabled", value: settings.smsAvailable ? "" : "disabled")
                }.class("check")
                if !settings.smsAvailable, settings.sms { Input(type: .hidden, name: "sms", value: "on") }
                if !settings.smsAvailable {
                    Paragraph(t("notifications.sms-is-not-set-up")).class("muted small")
                }
                Label(t("notifications.mobile-for-sms")) {
                    Input(
                        type: .tel, name: "smsPhone",
                        placeholder: settings.smsPhone.map {
                            settings.smsPhoneSource == "registry" ? t("notifications.registered-number-0", $0) : $0
                        } ?? t("notifications.11-digit-mobile")
                    ).attribute(named: "inputmode", value: "numeric").attribute(named: "autocomplete", value: "tel")
                }
                Paragraph(t("notifications.leave-empty-to-keep-a")).class(
                    "muted small")
                Label(t("notifications.wechat")) {
                    Input(type: .checkbox, name: settings.wechatAvailable ? "wechat" : "wechatOff", value: "on")
                        .attribute(
                            named: "checked", value: settings.wechat && settings.wechatAvailable ? "checked" : ""
                        )
                        .attribute(named: "disabled", value: settings.wechatAvailable ? "" : "disabled")
                }.class("check")
                if !settings.wechatAvailable, settings.wechat { Input(type: .hidden, name: "wechat", value: "on") }
                if settings.wechatAvailable {
                    if settings.wechatBound {
                        Paragraph(t("notifications.wechat-is-bound")).class("small")
                        Label(t("notifications.unbind")) { Input(type: .checkbox, name: "unbindWechat", value: "on") }
                            .class(
                                "check")
                    } else {
                        Paragraph { Link(t("notifications.open-in-wechat-to-bind"), url: "/notifications/wechat/bind") }
                            .class("small")
                    }
                } else {
                    Paragraph(t("notifications.wechat-messages-are-not-set")).class(
                        "muted small")
                }
                Button { Text(t("notifications.save")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("stack settings-form")
        }
    }

    @Sendable static func open(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let item = try await NotificationInbox.read(
            try NotificationInbox.id(req.parameters.get("id")), by: p, db: req.sql)
        return WebResponse.redirect(
            item.link.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/notifications")
    }

    @Sendable static func readAll(req: Request) async throws -> Response {
        _ = try await NotificationInbox.readAll(try req.requireWebPrincipal(), db: req.sql)
        return WebResponse.redirect("/notifications")
    }

    @Sendable static func saveSettings(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        struct Form: Content {
            var sms: String?
            var wechat: String?
            var smsPhone: String?
            var unbindWechat: String?
        }
        let f = try req.content.decode(Form.self)
        let phone = f.smsPhone?.trimmingCharacters(in: .whitespaces)
        let input = NotificationInbox.SettingsInput(
            sms: f.sms == "on", wechat: f.wechat == "on",
            smsPhone: phone?.isEmpty == false ? phone : nil, unbindWechat: f.unbindWechat == "on")
        do {
            _ = try await NotificationInbox.save(
                input, by: p, database: req.db, cipher: req.zhili.cipher,
                channels: req.zhili.config.notifications, audit: req.audit)
        } catch let error as AppError {
            return try await render(req, p, unreadOnly: false, page: 1, error: error, saved: false)
        }
        return try await render(req, p, unreadOnly: false, page: 1, error: nil, saved: true)
    }

    /// Sends the person to WeChat's web sign-in (snsapi_base: no prompt, only the openid).
    @Sendable static func bindWeChat(req: Request) async throws -> Response {
        _ = try req.requireWebPrincipal()
        let config = req.zhili.config
        guard config.notifications.wechatEnabled, let appid = config.notifications.wechatAppID else {
            throw AppError.conflict("wechat_off", zh: "本平台尚未开通微信公众号提醒", en: "WeChat messages are not set up")
        }
        guard let base = config.publicURL else {
            throw AppError.conflict(
                "public_url_missing", zh: "未配置平台公网地址（ZHILI_PUBLIC_URL），无法绑定微信", en: "ZHILI_PUBLIC_URL is not set")
        }
        let back = WeChatTemplate.escape(base + "/notifications/wechat/callback")
        let state = WeChatTemplate.escape(req.csrfToken ?? "")
        return WebResponse.redirect(
            "\(config.notifications.wechatOAuthBase)/connect/oauth2/authorize?appid=\(WeChatTemplate.escape(appid))"
                + "&redirect_uri=\(back)&response_type=code&scope=snsapi_base&state=\(state)#wechat_redirect")
    }

    /// WeChat comes back with a code; the state must be this session's anti-forgery token.
    @Sendable static func weChatCallback(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        struct Query: Decodable {
            var code: String?
            var state: String?
        }
        let q = try req.query.decode(Query.self)
        guard let state = q.state, let token = req.csrfToken, !token.isEmpty, state == token else {
            throw AppError(
                .forbidden, code: "bad_state", zh: "绑定请求已失效，请重新绑定", en: "The binding request expired; start again")
        }
        guard let code = q.code, !code.isEmpty, code.count <= 128 else {
            throw AppError.invalid("code", zh: "微信未返回授权码（可能已拒绝授权）", en: "WeChat returned no code")
        }
        let openID = try await WeChatTemplate.openID(
            code: code, config: req.zhili.config.notifications, client: req.client)
        _ = try await NotificationInbox.save(
            .init(wechat: true), by: p, database: req.db, cipher: req.zhili.cipher,
            channels: req.zhili.config.notifications, audit: req.audit, openID: openID)
        return WebResponse.redirect("/notifications#settings")
    }
}
