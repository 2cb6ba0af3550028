import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Everyone's messages (消息): the list with unread counts, marking read, the channel choices
/// (SMS, WeChat) with the WeChat binding, and for administrators the outbox of deliveries.
enum NotificationRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "notifications")
        api.get(use: list)
        api.get("unread", use: unread)
        api.post(":id", "read", use: markRead)
        api.post("read-all", use: markAllRead)
        api.get("settings", use: settingsAPI)
        api.put("settings", use: saveSettingsAPI)
        api.get("deliveries", use: deliveries)
        api.post("deliveries", ":id", "retry", use: retry)

        app.get("notifications", use: NotificationPages.page)
        app.post("notifications", ":id", "open", use: NotificationPages.open)
        app.post("notifications", "read-all", use: NotificationPages.readAll)
        app.post("notifications", "settings", use: NotificationPages.saveSettings)
        app.get("notifications", "wechat", "bind", use: NotificationPages.bindWeChat)
        app.get("notifications", "wechat", "callback", use: NotificationPages.weChatCallback)
    }

    @Sendable static func list(req: Request) async throws -> NotificationInbox.Page {
        let p = try req.requirePrincipal()
        struct Query: Decodable {
            var unread: Bool?
            var limit: Int?
            var offset: Int?
        }
        let q = try req.query.decode(Query.self)
        let limit = q.limit ?? 50
        let offset = try QueryValue.int(q.offset, default: 0, in: 0...1_000_000, field: "offset")
        guard (1...200).contains(limit) else {
            throw AppError.invalid("limit", zh: "每页条数应为 1–200", en: "limit must be 1–200")
        }
        guard offset >= 0 else { throw AppError.invalid("offset", zh: "偏移量不能为负", en: "offset must not be negative") }
        return NotificationInbox.Page(
            items: try await NotificationInbox.items(
                for: p.userID, unreadOnly: q.unread ?? false, limit: limit, offset: offset, db: req.sql),
            unread: try await NotificationInbox.unreadCount(p.userID, db: req.sql), limit: limit, offset: offset)
    }

    @Sendable static func unread(req: Request) async throws -> NotificationInbox.Unread {
        let p = try req.requirePrincipal()
        return NotificationInbox.Unread(unread: try await NotificationInbox.unreadCount(p.userID, db: req.sql))
    }

    @Sendable static func markRead(req: Request) async throws -> NotificationInbox.Item {
        try await NotificationInbox.read(
            try NotificationInbox.id(req.parameters.get("id")), by: try req.requirePrincipal(), db: req.sql)
    }

    @Sendable static func markAllRead(req: Request) async throws -> NotificationInbox.Updated {
        NotificationInbox.Updated(updated: try await NotificationInbox.readAll(try req.requirePrincipal(), db: req.sql))
    }

    // MARK: - Channel choices

    @Sendable static func settingsAPI(req: Request) async throws -> NotificationInbox.Settings {
        try await NotificationInbox.settings(
            of: try req.requirePrincipal(), db: req.sql, channels: req.zhili.config.notifications)
    }

    @Sendable static func saveSettingsAPI(req: Request) async throws -> NotificationInbox.Settings {
        let p = try req.requirePrincipal()
        return try await NotificationInbox.save(
            try req.content.decode(NotificationInbox.SettingsInput.self), by: p, database: req.db,
            cipher: req.zhili.cipher,
            channels: req.zhili.config.notifications, audit: req.audit)
    }

    // MARK: - The outbox, for administrators

    struct Delivery: Content, Sendable {
        let id: UUID
        let channel: String
        let status: String
        let attempts: Int
        let title: String
        let lastError: String?
        let createdAt: Date
        let nextAttemptAt: Date
        let sentAt: Date?
    }

    private struct DeliveryRow: Decodable {
        let id: UUID
        let channel: String
        let status: String
        let attempts: Int
        let title: String
        let last_error: String?
        let created_at: Date
        let next_attempt_at: Date
        let sent_at: Date?
    }

    /// Deliveries by status, newest first; never the address.
    @Sendable static func deliveries(req: Request) async throws -> [Delivery] {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        struct Query: Decodable {
            var status: String?
            var limit: Int?
        }
        let q = try req.query.decode(Query.self)
        let select = try req.sql.select().columns(
            "id", "channel", "status", "attempts", "title", "last_error", "created_at", "next_attempt_at", "sent_at"
        )
        .from("notification_deliveries")
        if let status = q.status {
            guard DeliveryStatus(rawValue: status) != nil else {
                throw AppError.invalid(
                    "status", zh: "状态应为 pending、sent、failed 或 skipped",
                    en: "status must be pending, sent, failed or skipped")
            }
            select.where("status", .equal, status)
        }
        let limit = try QueryValue.int(q.limit, default: 100, in: 1...500, field: "limit")
        return try await select.orderBy("created_at", .descending).limit(limit).all(decoding: DeliveryRow.self).map {
            Delivery(
                id: $0.id, channel: $0.channel, status: $0.status, attempts: $0.attempts, title: $0.title,
                lastError: $0.last_error,
                createdAt: $0.created_at, nextAttemptAt: $0.next_attempt_at, sentAt: $0.sent_at)
        }
    }

    /// Sends a failed delivery again (after the operator fixed the gateway settings).
    @Sendable static func retry(req: Request) async throws -> NotificationInbox.Updated {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let id = try NotificationInbox.id(req.parameters.get("id"))
        struct One: Decodable { let status: String }
        guard
            let row = try await req.sql.select().column("status").from("notification_deliveries").where(
                "id", .equal, id
            ).first(decoding: One.self)
        else {
            throw AppError.notFound("Delivery", zhWhat: "发送记录")
        }
        guard row.status == DeliveryStatus.failed.rawValue else {
            throw AppError.conflict("not_failed", zh: "只有发送失败的记录可以重发", en: "Only failed deliveries can be retried")
        }
        try await req.sql.update("notification_deliveries").set("status", to: DeliveryStatus.pending.rawValue).set(
            "attempts", to: 0
        )
        .set("next_attempt_at", to: Date()).set("last_error", to: Optional<String>.none).where("id", .equal, id).run()
        await req.audit.record(action: "notification_retry", entity: "notification_delivery", entityID: id.uuidString)
        req.notifications.dispatcher.wake()
        return NotificationInbox.Updated(updated: 1)
    }
}
