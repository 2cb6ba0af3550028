import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The store of the in-app inbox and of each person's channel choices (`notifications`,
/// `notification_settings`): what the API and the pages both call.
enum NotificationInbox {
    /// A message id from a path; malformed ones are a 400 with the field named.
    static func id(_ raw: String?) throws -> UUID {
        guard let raw, let id = UUID(uuidString: raw) else {
            throw AppError.invalid("id", zh: "消息编号格式错误", en: "Malformed message id")
        }
        return id
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

    struct Page: Content, Sendable {
        let items: [Item]
        let unread: Int
        let limit: Int
        let offset: Int
    }
    struct Unread: Content, Sendable { let unread: Int }

    private struct Row: Decodable {
        let id: UUID
        let kind: String
        let title: String
        let body: String
        let link: String?
        let created_at: Date
        let read_at: Date?
    }

    static func items(for user: UUID, unreadOnly: Bool, limit: Int, offset: Int, db: any SQLDatabase) async throws
        -> [Item]
    {
        let q = db.select().columns("id", "kind", "title", "body", "link", "created_at", "read_at").from(
            "notifications"
        ).where("user_id", .equal, user)
        if unreadOnly { q.where("read_at", .is, SQLLiteral.null) }
        return try await q.orderBy("created_at", .descending).limit(limit).offset(offset).all(decoding: Row.self)
            .map {
                Item(
                    id: $0.id, kind: $0.kind, title: $0.title, body: $0.body, link: $0.link, createdAt: $0.created_at,
                    readAt: $0.read_at)
            }
    }

    static func unreadCount(_ user: UUID, db: any SQLDatabase) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications")
            .where("user_id", .equal, user).where("read_at", .is, SQLLiteral.null).first()?.decode(
                column: "n", as: Int.self) ?? 0
    }

    /// Marks one of the caller's messages read; someone else's message is "not found".
    static func read(_ id: UUID, by p: Principal, db: any SQLDatabase) async throws -> Item {
        guard
            let row = try await db.select().columns("id", "kind", "title", "body", "link", "created_at", "read_at")
                .from("notifications")
                .where("id", .equal, id).where("user_id", .equal, p.userID).first(decoding: Row.self)
        else {
            throw AppError.notFound("Message", zhWhat: "消息")
        }
        var readAt = row.read_at
        if readAt == nil {
            let now = Date()
            try await db.update("notifications").set("read_at", to: now).where("id", .equal, id).where(
                "read_at", .is, SQLLiteral.null
            ).run()
            readAt = now
            try await LiveFeed.store(Notifier.readEvent(p.userID), on: db)
        }
        return Item(
            id: row.id, kind: row.kind, title: row.title, body: row.body, link: row.link, createdAt: row.created_at,
            readAt: readAt)
    }

    struct Updated: Content { let updated: Int }

    static func readAll(_ p: Principal, db: any SQLDatabase) async throws -> Int {
        let n = try await unreadCount(p.userID, db: db)
        try await db.update("notifications").set("read_at", to: Date()).where("user_id", .equal, p.userID).where(
            "read_at", .is, SQLLiteral.null
        ).run()
        if n > 0 { try await LiveFeed.store(Notifier.readEvent(p.userID), on: db) }
        return n
    }

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

    private struct SettingsRow: Decodable {
        let sms: Bool
        let wechat: Bool
        let sms_phone_masked: String?
        let wechat_openid_enc: String?
    }
    private struct ResidentPhone: Decodable { let phone_masked: String? }

    static func settings(of p: Principal, db: any SQLDatabase, channels: NotificationConfig) async throws -> Settings {
        let row = try await db.select().columns("sms", "wechat", "sms_phone_masked", "wechat_openid_enc").from(
            "notification_settings"
        )
        .where("user_id", .equal, p.userID).first(decoding: SettingsRow.self)
        var phone = row?.sms_phone_masked
        var source: String? = phone == nil ? nil : "own"
        if phone == nil, let resident = p.residentID {
            phone = try await db.select().column("phone_masked").from("residents").where("id", .equal, resident)
                .first(decoding: ResidentPhone.self)?.phone_masked
            source = phone == nil ? nil : "registry"
        }
        return Settings(
            sms: row?.sms ?? (p.role == .resident), wechat: row?.wechat ?? true, smsAvailable: channels.smsEnabled,
            wechatAvailable: channels.wechatEnabled, wechatBound: row?.wechat_openid_enc != nil, smsPhone: phone,
            smsPhoneSource: source)
    }

    /// Saves the choices; a phone is checked, encrypted and kept only masked in the clear.
    static func save(
        _ input: SettingsInput, by p: Principal, database: any Database, cipher: FieldCipher,
        channels: NotificationConfig, audit: AuditService, openID: String? = nil
    ) async throws -> Settings {
        let current = try await settings(of: p, db: try database.sql, channels: channels)
        var phoneEnc: String?? = nil
        var phoneMasked: String?? = nil
        if let raw = input.smsPhone {
            let phone = PhoneNumber.normalised(raw)
            if phone.isEmpty {
                phoneEnc = .some(nil)
                phoneMasked = .some(nil)
            } else {
                guard PhoneNumber.isValidMobile(phone) else {
                    throw AppError.invalid("smsPhone", zh: "手机号“\(raw.prefix(20))”无效", en: "Invalid mobile number")
                }
                phoneEnc = .some(try cipher.encrypt(phone))
                phoneMasked = .some(PhoneNumber.masked(phone))
            }
        }
        let sms = input.sms ?? current.sms
        let wechat = input.wechat ?? current.wechat
        let newPhone = phoneEnc
        let newMasked = phoneMasked
        try await database.writeTransaction { tx in
            let sql = try tx.sql
            struct Exists: Decodable { let user_id: UUID }
            if try await sql.select().column("user_id").from("notification_settings").where("user_id", .equal, p.userID)
                .first(decoding: Exists.self) == nil
            {
                try await sql.insert(into: "notification_settings").columns("user_id", "sms", "wechat", "updated_at")
                    .values(SQLBind(p.userID), SQLBind(sms), SQLBind(wechat), SQLBind(Date())).run()
            }
            let update = sql.update("notification_settings").set("sms", to: sms).set("wechat", to: wechat).set(
                "updated_at", to: Date())
            if let phoneEnc = newPhone, let phoneMasked = newMasked {
                update.set("sms_phone_enc", to: phoneEnc).set("sms_phone_masked", to: phoneMasked)
            }
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
        await audit.record(
            action: "notification_settings", entity: "user", entityID: p.userID.uuidString,
            detail: changed.joined(separator: ","))
        return try await settings(of: p, db: try database.sql, channels: channels)
    }
}
