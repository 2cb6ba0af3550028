import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// `zhili notify-test`: an operator checks the SMS and WeChat settings with one real message,
/// either straight to a phone or through the outbox to an account (its chosen channels).
enum NotificationCommands {
    static func test(_ loader: ConfigLoader) async throws {
        let phone = loader.flags["phone"]
        let username = loader.flags["username"]
        guard (phone == nil) != (username == nil) else {
            throw ConfigError("notify-test needs --phone MOBILE or --username U / 请用 --phone 或 --username 指定接收人")
        }
        try await ZhiliCLI.withApp(loader) { app in
            let z = app.zhili
            let channels = NotificationOutbox.channels(
                z.config.notifications, client: app.client, tokens: app.notifications.wechatTokens, logger: app.logger)
            guard !channels.isEmpty else {
                throw ConfigError(
                    "no channel is set up: set ZHILI_SMS_URL and/or ZHILI_WECHAT_* (see README) / 未配置短信或微信通道")
            }
            let notice = Notice(
                kind: "test", title: "测试消息", body: "这是一条来自智理平台的测试消息，收到即表示通道配置正确。", link: "/notifications")
            if let phone {
                guard PhoneNumber.isValidMobile(phone) else {
                    throw ConfigError("--phone must be an 11-digit mainland mobile / 手机号无效")
                }
                guard let sms = channels["sms"] else {
                    throw ConfigError("SMS is not set up (ZHILI_SMS_URL) / 未配置短信通道")
                }
                do {
                    try await sms.send(
                        OutgoingMessage(
                            title: notice.title, body: notice.body,
                            link: z.config.publicURL.map { $0 + "/notifications" }, createdAt: Date()), to: phone)
                } catch let failure as DeliveryFailure {
                    throw ConfigError("SMS not sent: \(failure.reason)")
                }
                try await CLIAudit.record(
                    app, action: "notify_test", entity: "sms", id: PhoneNumber.masked(phone), detail: "sent")
                print("SMS sent to \(PhoneNumber.masked(phone)) / 短信已发出")
                return
            }
            struct Row: Decodable { let id: UUID }
            let sql = try app.db.sql
            guard
                let user = try await sql.select().column("id").from("users").where("username", .equal, username ?? "")
                    .first(decoding: Row.self)
            else {
                throw ConfigError("no account '\(username ?? "")' / 账号不存在")
            }
            try await app.db.transaction { tx in
                _ = try await Notifier(db: tx.sql, channels: z.config.notifications).notify([user.id], notice)
            }
            let outbox = NotificationOutbox(
                db: sql, cipher: z.cipher, publicURL: z.config.publicURL, channels: channels, logger: app.logger)
            let o = try await outbox.deliverDue()
            try await CLIAudit.record(
                app, action: "notify_test", entity: "user", id: user.id.uuidString,
                detail: "sent=\(o.sent) failed=\(o.failed)")
            print(
                "in-app message written; SMS/WeChat sent \(o.sent), retrying \(o.retried), failed \(o.failed), nowhere to send \(o.skipped)"
            )
            print("站内消息已写入；短信/微信 发出 \(o.sent)，待重试 \(o.retried)，失败 \(o.failed)，无可用号码或绑定 \(o.skipped)")
        }
    }
}
