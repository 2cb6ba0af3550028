import Foundation
import Vapor
import ZhiliDomain

/// What an outbound channel carries: the message, an absolute link when the public address
/// is known, and when it was written.
struct OutgoingMessage: Sendable {
    let title: String
    let body: String
    let link: String?
    let createdAt: Date
}

/// Why a delivery did not go out. Temporary failures are retried with growing pauses;
/// permanent ones (a malformed number, a WeChat user who unfollowed) are not.
enum DeliveryFailure: Error, Sendable, Equatable {
    case temporary(String)
    case permanent(String)

    var reason: String {
        switch self {
        case .temporary(let r), .permanent(let r): r
        }
    }
}

/// An outbound channel: SMS through an HTTP gateway, WeChat template messages.
protocol NotificationChannel: Sendable {
    /// Sends one message; throws `DeliveryFailure`. The address is plaintext only here, in
    /// memory, and must never appear in an error or a log line.
    func send(_ message: OutgoingMessage, to address: String) async throws
}

/// SMS through a generic HTTP gateway: POST `{"phone","text","signature"}` as JSON with a
/// bearer token. 2xx is success; 429 and 5xx are retried; other 4xx are permanent.
struct SMSGateway: NotificationChannel {
    let url: String
    let token: String?
    let signature: String
    let client: any Client

    /// 【签名】标题：正文 链接, cut to fit three SMS segments.
    static func text(_ m: OutgoingMessage, signature: String) -> String {
        var text = "【\(signature)】\(m.title)：\(m.body)"
        let room = 200 - (m.link.map { $0.count + 1 } ?? 0)
        if text.count > room { text = String(text.prefix(max(room - 1, 20))) + "…" }
        if let link = m.link { text += " " + link }
        return text
    }

    struct Payload: Content {
        let phone: String
        let text: String
        let signature: String
    }

    func send(_ message: OutgoingMessage, to address: String) async throws {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: url), headers: headers) { req in
                try req.content.encode(
                    Payload(phone: address, text: Self.text(message, signature: signature), signature: signature),
                    as: .json)
            }
        } catch {
            throw DeliveryFailure.temporary("短信网关无法连接 / SMS gateway unreachable: \(type(of: error))")
        }
        switch response.status.code {
        case 200..<300: return
        case 429, 500...: throw DeliveryFailure.temporary("短信网关暂不可用 / SMS gateway answered \(response.status.code)")
        default: throw DeliveryFailure.permanent("短信网关拒收 / SMS gateway refused with \(response.status.code)")
        }
    }
}

/// `ZHILI_SMS_URL=log`: nothing leaves the machine; the log shows the masked number and the text.
struct SMSLog: NotificationChannel {
    let signature: String
    let logger: Logger

    func send(_ message: OutgoingMessage, to address: String) async throws {
        logger.notice("sms to \(PhoneNumber.masked(address)): \(SMSGateway.text(message, signature: signature))")
    }
}

/// WeChat official-account template messages. The access token comes from `stable_token`,
/// which hands every caller the same token, so several app instances do not invalidate one
/// another's; it is cached until five minutes before it expires.
struct WeChatTemplate: NotificationChannel {
    let config: NotificationConfig
    let client: any Client
    let tokens: WeChatTokens

    enum Source: String { case title, body, time, number }

    /// `thing1=title,thing2=body,time3=time` → ordered pairs; nil when malformed.
    static func parseFields(_ raw: String) -> [(key: String, source: Source)]? {
        var out: [(String, Source)] = []
        for pair in raw.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 32,
                parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
                let source = Source(rawValue: parts[1])
            else { return nil }
            out.append((parts[0], source))
        }
        return out.isEmpty ? nil : out
    }

    /// Template values: `thing` fields take at most 20 characters, as WeChat requires.
    static func data(_ m: OutgoingMessage, fields: [(key: String, source: Source)]) -> [String: [String: String]] {
        var data: [String: [String: String]] = [:]
        for f in fields {
            var value: String
            switch f.source {
            case .title: value = m.title
            case .body: value = m.body
            case .time: value = DisplayTime.minutes(m.createdAt)
            case .number: value = m.body.split(separator: " ").first.map(String.init) ?? ""
            }
            if f.key.hasPrefix("thing"), value.count > 20 { value = String(value.prefix(19)) + "…" }
            data[f.key] = ["value": value]
        }
        return data
    }

    struct Send: Content {
        let touser: String
        let template_id: String
        let url: String?
        let data: [String: [String: String]]
    }

    struct Answer: Content {
        let errcode: Int?
        let errmsg: String?
    }

    func send(_ message: OutgoingMessage, to openid: String) async throws {
        guard let template = config.wechatTemplateID, let fields = Self.parseFields(config.wechatFields) else {
            throw DeliveryFailure.permanent("微信模板未配置 / WeChat template not configured")
        }
        let token = try await tokens.token(config: config, client: client)
        let answer: Answer
        do {
            let response = try await client.post(
                URI(string: "\(config.wechatAPIBase)/cgi-bin/message/template/send?access_token=\(token)")
            ) { req in
                try req.content.encode(
                    Send(
                        touser: openid, template_id: template, url: message.link,
                        data: Self.data(message, fields: fields)), as: .json)
            }
            guard response.status == .ok else {
                throw DeliveryFailure.temporary(
                    "微信接口返回 \(response.status.code) / WeChat answered \(response.status.code)")
            }
            answer = try response.content.decode(Answer.self, as: .json)
        } catch let failure as DeliveryFailure { throw failure } catch {
            throw DeliveryFailure.temporary("微信接口无法连接 / WeChat unreachable: \(type(of: error))")
        }
        switch answer.errcode ?? 0 {
        case 0: return
        case 40001, 40014, 42001:
            await tokens.forget()
            throw DeliveryFailure.temporary("微信令牌失效 / WeChat token expired (\(answer.errcode ?? 0))")
        case -1, 45009, 45047: throw DeliveryFailure.temporary("微信繁忙 / WeChat busy (\(answer.errcode ?? 0))")
        default:
            throw DeliveryFailure.permanent(
                "微信拒收 / WeChat refused (\(answer.errcode ?? 0) \(answer.errmsg?.prefix(80) ?? ""))")
        }
    }

    /// The WeChat sign-in (网页授权, snsapi_base) returns a code; this turns it into the openid.
    static func openID(code: String, config: NotificationConfig, client: any Client) async throws -> String {
        guard let appid = config.wechatAppID, let secret = config.wechatSecret else {
            throw AppError.conflict("wechat_off", zh: "未配置微信公众号", en: "WeChat is not configured")
        }
        struct Exchange: Content {
            let openid: String?
            let errcode: Int?
            let errmsg: String?
        }
        var uri = URI(string: "\(config.wechatAPIBase)/sns/oauth2/access_token")
        uri.query =
            "appid=\(Self.escape(appid))&secret=\(Self.escape(secret))&code=\(Self.escape(code))&grant_type=authorization_code"
        let answer: Exchange
        do { answer = try await client.get(uri).content.decode(Exchange.self, as: .json) } catch {
            throw AppError(
                .badGateway, code: "wechat_unreachable", zh: "微信接口暂时无法访问，请稍后再试",
                en: "WeChat could not be reached; try again later")
        }
        guard let openid = answer.openid, !openid.isEmpty, openid.count <= 64 else {
            throw AppError(
                .badRequest, code: "wechat_refused", zh: "微信授权失败（\(answer.errcode ?? 0)），请重新绑定",
                en: "WeChat refused the sign-in; bind again")
        }
        return openid
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

/// The shared WeChat access token of this instance.
actor WeChatTokens {
    private var cached: (token: String, until: Date)?

    struct Answer: Content {
        let access_token: String?
        let expires_in: Int?
        let errcode: Int?
        let errmsg: String?
    }
    struct Ask: Content {
        let grant_type: String
        let appid: String
        let secret: String
        let force_refresh: Bool
    }

    func token(config: NotificationConfig, client: any Client, now: Date = Date()) async throws -> String {
        if let cached, cached.until > now { return cached.token }
        guard let appid = config.wechatAppID, let secret = config.wechatSecret else {
            throw DeliveryFailure.permanent("微信未配置 / WeChat not configured")
        }
        let answer: Answer
        do {
            answer = try await client.post(URI(string: "\(config.wechatAPIBase)/cgi-bin/stable_token")) { req in
                try req.content.encode(
                    Ask(grant_type: "client_credential", appid: appid, secret: secret, force_refresh: false), as: .json)
            }.content.decode(Answer.self, as: .json)
        } catch {
            throw DeliveryFailure.temporary("微信令牌获取失败 / WeChat token unavailable: \(type(of: error))")
        }
        guard let token = answer.access_token, !token.isEmpty else {
            // A wrong secret or an IP not on the account's allow-list: retrying will not help soon,
            // but the operator can fix it, so keep the message and retry later.
            throw DeliveryFailure.temporary("微信令牌被拒 / WeChat refused the token request (\(answer.errcode ?? 0))")
        }
        cached = (token, now.addingTimeInterval(Double(max((answer.expires_in ?? 7200) - 300, 60))))
        return token
    }

    func forget() { cached = nil }
}
