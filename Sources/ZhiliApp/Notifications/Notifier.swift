import Foundation
import SQLKit
import Vapor

/// One message to people: what the in-app list shows and what SMS/WeChat carry.
struct Notice: Sendable, Equatable {
    /// Machine-readable kind, e.g. `complaint.resolved`.
    var kind: String
    var title: String
    var body: String
    /// A path inside the platform (`/complaints/…`); made absolute with the public URL for SMS/WeChat.
    var link: String?
    var entity: String?
    var entityID: String?
    /// Whether it also goes out by SMS/WeChat to those who chose them; false keeps it in the
    /// app (a receipt to someone who just submitted from the app).
    var outbound = true
}

/// The write side of notifications. Call it with the database of the transaction that makes
/// the change being reported: the message and its queued deliveries commit with the change or
/// not at all, so nothing is announced that did not happen and nothing that happened is lost.
struct Notifier {
    let db: any SQLDatabase
    let channels: NotificationConfig

    init(db: any SQLDatabase, channels: NotificationConfig) {
        self.db = db
        self.channels = channels
    }

    private struct Recipient: Decodable {
        let id: UUID
        let role: String
        let disabled: Bool
        let sms: Bool?
        let wechat: Bool?
        let bound: Int?
    }

    /// Writes the message to each (distinct, enabled) user and queues one delivery per
    /// outbound channel the user has on. Returns how many people it reached.
    @discardableResult
    func notify(_ users: [UUID], _ notice: Notice, now: Date = Date()) async throws -> Int {
        try await notify([(users, notice)], now: now)
    }

    /// Several messages at once (a batch of new complaints, each to its own people): one read
    /// of the recipients, one insert of the messages and one of the deliveries, whatever the
    /// number of messages. Returns how many messages were written.
    @discardableResult
    func notify(_ batch: [(users: [UUID], notice: Notice)], now: Date = Date()) async throws -> Int {
        let all = Set(batch.flatMap(\.users))
        guard !all.isEmpty else { return 0 }
        let recipients = try await db.select()
            .column(SQLColumn("id", table: "u")).column(SQLColumn("role", table: "u")).column(
                SQLColumn("disabled", table: "u")
            )
            .column(SQLColumn("sms", table: "s")).column(SQLColumn("wechat", table: "s"))
            .column(SQLRaw("CASE WHEN s.wechat_openid_enc IS NULL THEN 0 ELSE 1 END"), as: "bound")
            .from(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")))
            .join(
                SQLAlias(SQLIdentifier("notification_settings"), as: SQLIdentifier("s")), method: SQLJoinMethod.left,
                on: SQLColumn("user_id", table: "s"), .equal, SQLColumn("id", table: "u")
            )
            .where(
                SQLColumn("id", table: "u"), .in,
                SQLGroupExpression(all.sorted { $0.uuidString < $1.uuidString }.map { SQLBind($0) })
            )
            .all(decoding: Recipient.self)
            .filter { !$0.disabled }
        let byID = Dictionary(recipients.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let insert = db.insert(into: "notifications")
            .columns("id", "user_id", "kind", "title", "body", "link", "entity", "entity_id", "created_at", "read_at")
        var deliveries: [(Queued, Notice)] = []
        var live: [LiveItem] = []
        var written = 0
        for (users, notice) in batch {
            var seen = Set<UUID>()
            for user in users where seen.insert(user).inserted {
                guard let r = byID[user] else { continue }
                let id = UUID()
                written += 1
                live.append(
                    try LiveItem(
                        kind: Self.liveKind, to: .user(r.id),
                        data: LiveNotice(kind: notice.kind, title: String(notice.title.prefix(120)), link: notice.link))
                )
                insert.values(
                    SQLBind(id), SQLBind(r.id), SQLBind(notice.kind), SQLBind(String(notice.title.prefix(120))),
                    SQLBind(String(notice.body.prefix(1000))), SQLBind(notice.link), SQLBind(notice.entity),
                    SQLBind(notice.entityID), SQLBind(now), SQLBind(Optional<Date>.none))
                if notice.outbound, channels.smsEnabled, r.sms ?? (Role(rawValue: r.role) == .resident) {
                    deliveries.append(
                        (Queued(notificationID: id, userID: r.id, channel: "sms", addressEnc: nil), notice))
                }
                if notice.outbound, channels.wechatEnabled, r.wechat ?? true, r.bound == 1 {
                    deliveries.append(
                        (Queued(notificationID: id, userID: r.id, channel: "wechat", addressEnc: nil), notice))
                }
            }
        }
        guard written > 0 else { return 0 }
        try await insert.run()
        try await LiveFeed.store(live, on: db, at: now)
        try await queue(deliveries, now: now)
        return written
    }

    /// The live event each recipient's screens get (the badge counts again, a page may show it).
    static let liveKind = "notice"
    /// The live event after messages were marked read (other screens of the person update).
    static let readKind = "notice-read"

    private struct LiveNotice: Encodable {
        let kind: String
        let title: String
        let link: String?
    }

    static func readEvent(_ user: UUID) -> LiveItem {
        LiveItem(kind: readKind, to: .user(user), json: "{}")
    }

    /// An SMS to a number that belongs to no account (a call taken by staff, an Open311 report
    /// with a phone); the number is passed encrypted and stays so in the outbox.
    func text(encryptedPhone: String, _ notice: Notice, now: Date = Date()) async throws {
        guard channels.smsEnabled else { return }
        try await queue(
            [(Queued(notificationID: nil, userID: nil, channel: "sms", addressEnc: encryptedPhone), notice)], now: now)
    }

    private struct Queued {
        let notificationID: UUID?
        let userID: UUID?
        let channel: String
        let addressEnc: String?
    }

    private func queue(_ items: [(Queued, Notice)], now: Date) async throws {
        guard !items.isEmpty else { return }
        let insert = db.insert(into: "notification_deliveries")
            .columns(
                "id", "notification_id", "user_id", "channel", "address_enc", "title", "body", "link", "status",
                "attempts",
                "next_attempt_at", "claim", "claimed_until", "last_error", "sent_at", "created_at")
        for (q, notice) in items {
            insert.values(
                SQLBind(UUID()), SQLBind(q.notificationID), SQLBind(q.userID), SQLBind(q.channel),
                SQLBind(q.addressEnc),
                SQLBind(String(notice.title.prefix(120))), SQLBind(String(notice.body.prefix(1000))),
                SQLBind(notice.link),
                SQLBind(DeliveryStatus.pending.rawValue), SQLBind(0), SQLBind(now), SQLBind(Optional<UUID>.none),
                SQLBind(Optional<Date>.none), SQLBind(Optional<String>.none), SQLBind(Optional<Date>.none), SQLBind(now)
            )
        }
        try await insert.run()
    }

    // MARK: - Finding the staff to tell

    private struct UserID: Decodable { let id: UUID }

    /// Active accounts of a role attached to one node (community staff of a community, …).
    func staff(_ role: Role, at node: String, limit: Int = 50) async throws -> [UUID] {
        try await db.select().column("id").from("users").where("role", .equal, role.rawValue).where(
            "node_code", .equal, node
        )
        .where("disabled", .equal, false).orderBy("username").limit(limit).all(decoding: UserID.self).map(\.id)
    }

    /// Active staff of a department.
    func department(_ department: String, limit: Int = 50) async throws -> [UUID] {
        try await db.select().column("id").from("users").where("role", .equal, Role.departmentStaff.rawValue)
            .where("department", .equal, department).where("disabled", .equal, false).orderBy("username").limit(limit)
            .all(decoding: UserID.self).map(\.id)
    }
}

enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    case sent
    /// Given up: a permanent refusal, or too many temporary ones.
    case failed
    /// Nowhere to send it (no phone on record, WeChat not bound).
    case skipped
}
