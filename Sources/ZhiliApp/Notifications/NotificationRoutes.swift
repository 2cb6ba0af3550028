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

    struct Item: Content, Sendable {
        let id: UUID
        let kind: String
        let title: String
        let body: String
        let link: String?
        let createdAt: Date
        let readAt: Date?
    }

    struct Page: Content, Sendable { let items: [Item]; let unread: Int; let limit: Int; let offset: Int }
    struct Unread: Content, Sendable { let unread: Int }

    private struct Row: Decodable { let id: UUID; let kind: String; let title: String; let body: String; let link: String?; let created_at: Date; let read_at: Date? }

    static func items(for user: UUID, unreadOnly: Bool, limit: Int, offset: Int, db: any SQLDatabase) async throws -> [Item] {
        let q = db.select().columns("id", "kind", "title", "body", "link", "created_at", "read_at").from("notifications").where("user_id", .equal, user)
        if unreadOnly { q.where("read_at", .is, SQLLiteral.null) }
        return try await q.orderBy("created_at", .descending).limit(limit).offset(offset).all(decoding: Row.self)
            .map { Item(id: $0.id, kind: $0.kind, title: $0.title, body: $0.body, link: $0.link, createdAt: $0.created_at, readAt: $0.read_at) }
    }

    static func unreadCount(_ user: UUID, db: any SQLDatabase) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications")
            .where("user_id", .equal, user).where("read_at", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Sendable static func list(req: Request) async throws -> Page {
        let p = try req.requirePrincipal()
        struct Query: Decodable { var unread: Bool?; var limit: Int?; var offset: Int? }
        let q = try req.query.decode(Query.self)
        let limit = q.limit ?? 50, offset = q.offset ?? 0
        guard (1...200).contains(limit) else { throw AppError.invalid("limit", zh: "每页条数应为 1–200", en: "limit must be 1–200") }
        guard offset >= 0 else { throw AppError.invalid("offset", zh: "偏移量不能为负", en: "offset must not be negative") }
        return Page(items: try await items(for: p.userID, unreadOnly: q.unread ?? false, limit: limit, offset: offset, db: req.sql),
                    unread: try await unreadCount(p.userID, db: req.sql), limit: limit, offset: offset)
    }

    @Sendable static func unread(req: Request) async throws -> Unread {
        let p = try req.requirePrincipal()
        return Unread(unread: try await unreadCount(p.userID, db: req.sql))
    }

    static func notificationID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError.invalid("id", zh: "消息编号格式错误", en: "Malformed message id")
        }
        return id
    }

    /// Marks one of the caller's messages read; someone else's message is "not found".
    static func read(_ id: UUID, by p: Principal, db: any SQLDatabase) async throws -> Item {
        guard let row = try await db.select().columns("id", "kind", "title", "body", "link", "created_at", "read_at").from("notifications")
            .where("id", .equal, id).where("user_id", .equal, p.userID).first(decoding: Row.self) else {
            throw AppError.notFound("Message", zhWhat: "消息")
        }
        var readAt = row.read_at
        if readAt == nil {
            let now = Date()
            try await db.update("notifications").set("read_at", to: now).where("id", .equal, id).where("read_at", .is, SQLLiteral.null).run()
            readAt = now
        }
        return Item(id: row.id, kind: row.kind, title: row.title, body: row.body, link: row.link, createdAt: row.created_at, readAt: readAt)
    }

    @Sendable static func markRead(req: Request) async throws -> Item {
        try await read(try notificationID(req), by: try req.requirePrincipal(), db: req.sql)
    }

    struct Updated: Content { let updated: Int }

    static func readAll(_ p: Principal, db: any SQLDatabase) async throws -> Int {
        let n = try await unreadCount(p.userID, db: db)
        try await db.update("notifications").set("read_at", to: Date()).where("user_id", .equal, p.userID).where("read_at", .is, SQLLiteral.null).run()
        return n
    }

    @Sendable static func markAllRead(req: Request) async throws -> Updated {
        Updated(updated: try await readAll(try req.requirePrincipal(), db: req.sql))
    }

    // MARK: - Channel choices

    struct Settings: Content, Sendable {
        /// SMS for new messages (residents: on unless switched off; staff: off unless switched on).
        let sms: Bool
        let wechat: Bool
        /// Whether the platform has the channel at all (set up by the operator).
        let smsAvailable: Bool
        let wechatAvailable: Bool
        let wechatBound: Bool
        /// The number SMS go to, masked: one given here, else the resident's registered phone.
        let smsPhone: String?
        let smsPhoneSource: String?
    }

    struct SettingsInput: Content, Sendable {
        var sms: Bool?
        var wechat: Bool?
        /// A mobile for SMS; an empty string removes it (residents fall back to their registered phone).
        var smsPhone: String?
        var unbindWechat: Bool?
    }

    private struct SettingsRow: Decodable { let sms: Bool; let wechat: Bool; let sms_phone_masked: String?; let wechat_openid_enc: String? }
    private struct ResidentPhone: Decodable { let phone_masked: String? }

    static func settings(of p: Principal, req: Request) async throws -> Settings {
        let row = try await req.sql.select().columns("sms", "wechat", "sms_phone_masked", "wechat_openid_enc").from("notification_settings")
            .where("user_id", .equal, p.userID).first(decoding: SettingsRow.self)
        var phone = row?.sms_phone_masked, source: String? = phone == nil ? nil : "own"
        if phone == nil, let resident = p.residentID {
            phone = try await req.sql.select().column("phone_masked").from("residents").where("id", .equal, resident)
                .first(decoding: ResidentPhone.self)?.phone_masked
            source = phone == nil ? nil : "registry"
        }
        let channels = req.zhili.config.notifications
        return Settings(sms: row?.sms ?? (p.role == .resident), wechat: row?.wechat ?? true, smsAvailable: channels.smsEnabled,
                        wechatAvailable: channels.wechatEnabled, wechatBound: row?.wechat_openid_enc != nil, smsPhone: phone, smsPhoneSource: source)
    }

    /// Saves the choices; a phone is checked, encrypted and kept only masked in the clear.
    static func save(_ input: SettingsInput, by p: Principal, req: Request, openID: String? = nil) async throws -> Settings {
        let current = try await settings(of: p, req: req)
        let cipher = req.zhili.cipher
        var phoneEnc: String?? = nil, phoneMasked: String?? = nil
        if let raw = input.smsPhone {
            let phone = PhoneNumber.normalised(raw)
            if phone.isEmpty { phoneEnc = .some(nil); phoneMasked = .some(nil) } else {
                guard PhoneNumber.isValidMobile(phone) else {
                    throw AppError.invalid("smsPhone", zh: "手机号“\(raw.prefix(20))”无效", en: "Invalid mobile number")
                }
                phoneEnc = .some(try cipher.encrypt(phone)); phoneMasked = .some(PhoneNumber.masked(phone))
            }
        }
        let sms = input.sms ?? current.sms, wechat = input.wechat ?? current.wechat
        let newPhone = phoneEnc, newMasked = phoneMasked
        try await req.db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            struct Exists: Decodable { let user_id: UUID }
            if try await sql.select().column("user_id").from("notification_settings").where("user_id", .equal, p.userID).first(decoding: Exists.self) == nil {
                try await sql.insert(into: "notification_settings").columns("user_id", "sms", "wechat", "updated_at")
                    .values(SQLBind(p.userID), SQLBind(sms), SQLBind(wechat), SQLBind(Date())).run()
            }
            let update = sql.update("notification_settings").set("sms", to: sms).set("wechat", to: wechat).set("updated_at", to: Date())
            if let phoneEnc = newPhone, let phoneMasked = newMasked { update.set("sms_phone_enc", to: phoneEnc).set("sms_phone_masked", to: phoneMasked) }
            if input.unbindWechat == true { update.set("wechat_openid_enc", to: Optional<String>.none) }
            if let openID { update.set("wechat_openid_enc", to: try cipher.encrypt(openID)) }
            try await update.where("user_id", .equal, p.userID).run()
        }
        var changed: [String] = []
        if input.sms != nil { changed.append("sms=\(sms)") }
        if input.wechat != nil { changed.append("wechat=\(wechat)") }
        if input.smsPhone != nil { changed.append("sms_phone") }
        if input.unbindWechat == true { changed.append("wechat_unbound") }
        if openID != nil { changed.append("wechat_bound") }
        await req.audit.record(action: "notification_settings", entity: "user", entityID: p.userID.uuidString, detail: changed.joined(separator: ","))
        return try await settings(of: p, req: req)
    }

    @Sendable static func settingsAPI(req: Request) async throws -> Settings {
        try await settings(of: try req.requirePrincipal(), req: req)
    }

    @Sendable static func saveSettingsAPI(req: Request) async throws -> Settings {
        let p = try req.requirePrincipal()
        return try await save(try req.content.decode(SettingsInput.self), by: p, req: req)
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
        let id: UUID; let channel: String; let status: String; let attempts: Int; let title: String
        let last_error: String?; let created_at: Date; let next_attempt_at: Date; let sent_at: Date?
    }

    /// Deliveries by status, newest first; never the address.
    @Sendable static func deliveries(req: Request) async throws -> [Delivery] {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        struct Query: Decodable { var status: String?; var limit: Int? }
        let q = try req.query.decode(Query.self)
        let select = req.sql.select().columns("id", "channel", "status", "attempts", "title", "last_error", "created_at", "next_attempt_at", "sent_at")
            .from("notification_deliveries")
        if let status = q.status {
            guard DeliveryStatus(rawValue: status) != nil else {
                throw AppError.invalid("status", zh: "状态应为 pending、sent、failed 或 skipped", en: "status must be pending, sent, failed or skipped")
            }
            select.where("status", .equal, status)
        }
        let limit = min(max(q.limit ?? 100, 1), 500)
        return try await select.orderBy("created_at", .descending).limit(limit).all(decoding: DeliveryRow.self).map {
            Delivery(id: $0.id, channel: $0.channel, status: $0.status, attempts: $0.attempts, title: $0.title, lastError: $0.last_error,
                     createdAt: $0.created_at, nextAttemptAt: $0.next_attempt_at, sentAt: $0.sent_at)
        }
    }

    /// Sends a failed delivery again (after the operator fixed the gateway settings).
    @Sendable static func retry(req: Request) async throws -> Updated {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let id = try notificationID(req)
        struct One: Decodable { let status: String }
        guard let row = try await req.sql.select().column("status").from("notification_deliveries").where("id", .equal, id).first(decoding: One.self) else {
            throw AppError.notFound("Delivery", zhWhat: "发送记录")
        }
        guard row.status == DeliveryStatus.failed.rawValue else {
            throw AppError.conflict("not_failed", zh: "只有发送失败的记录可以重发", en: "Only failed deliveries can be retried")
        }
        try await req.sql.update("notification_deliveries").set("status", to: DeliveryStatus.pending.rawValue).set("attempts", to: 0)
            .set("next_attempt_at", to: Date()).set("last_error", to: Optional<String>.none).where("id", .equal, id).run()
        await req.audit.record(action: "notification_retry", entity: "notification_delivery", entityID: id.uuidString)
        req.zhili.notifications.wake()
        return Updated(updated: 1)
    }
}
