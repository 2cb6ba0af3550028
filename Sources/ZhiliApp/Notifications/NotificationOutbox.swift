import Foundation
import SQLKit
import Vapor

/// Sends queued deliveries. Each pass claims a batch with a token (so several app instances
/// never send the same message twice), resolves the address only now (a phone changed since
/// is honoured), sends, and records the outcome; temporary failures wait 30 s, 2 min, 10 min,
/// 1 h and 6 h before giving up.
struct NotificationOutbox {
    let db: any SQLDatabase
    let cipher: FieldCipher
    let publicURL: String?
    /// Channel by name: `sms`, `wechat`. A queued delivery for a channel switched off since is skipped.
    let channels: [String: any NotificationChannel]
    var logger: Logger = Logger(label: "zhili.notifications")

    static let pauses: [TimeInterval] = [30, 120, 600, 3600, 21600]
    static let lease: TimeInterval = 120

    struct Outcome: Sendable, Equatable {
        var sent = 0
        var retried = 0
        var failed = 0
        var skipped = 0
    }

    private struct Row: Decodable {
        let id: UUID
        let user_id: UUID?
        let channel: String
        let address_enc: String?
        let title: String
        let body: String
        let link: String?
        let attempts: Int
        let created_at: Date
    }

    /// Sends everything due (in batches of 50, at most 20 batches a pass).
    func deliverDue(now: Date = Date()) async throws -> Outcome {
        var total = Outcome()
        for _ in 0..<20 {
            let claim = UUID()
            let due = SQLSubquery.select {
                $0.column("id").from("notification_deliveries").where("status", .equal, DeliveryStatus.pending.rawValue)
                    .where("next_attempt_at", .lessThanOrEqual, now)
                    .where(group: {
                        $0.where("claimed_until", .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, now)
                    })
                    .orderBy("next_attempt_at").limit(50)
            }
            try await db.update("notification_deliveries").set("claim", to: claim).set(
                "claimed_until", to: now.addingTimeInterval(Self.lease)
            )
            .where("id", .in, due)
            .where("status", .equal, DeliveryStatus.pending.rawValue)
            .run()
            let rows = try await db.select().columns(
                "id", "user_id", "channel", "address_enc", "title", "body", "link", "attempts", "created_at"
            )
            .from("notification_deliveries").where("claim", .equal, claim).where(
                "status", .equal, DeliveryStatus.pending.rawValue
            )
            .all(decoding: Row.self)
            if rows.isEmpty { break }
            for row in rows {
                let result = await deliver(row, now: now)
                try await record(row, result, claim: claim, now: now)
                switch result {
                case .success: total.sent += 1
                case .failure(.permanent(let r)): if r == Self.nowhere { total.skipped += 1 } else { total.failed += 1 }
                case .failure(.temporary):
                    if row.attempts + 1 >= Self.pauses.count { total.failed += 1 } else { total.retried += 1 }
                }
            }
            if rows.count < 50 { break }
        }
        return total
    }

    static let nowhere = "没有可用的手机号或微信绑定 / no phone on record or WeChat not bound"

    private func deliver(_ row: Row, now: Date) async -> Result<Void, DeliveryFailure> {
        guard let channel = channels[row.channel] else {
            return .failure(.permanent(Self.nowhere))
        }
        do {
            guard let address = try await address(of: row) else { return .failure(.permanent(Self.nowhere)) }
            let link = row.link.flatMap { path in publicURL.map { $0 + path } }
            try await channel.send(
                OutgoingMessage(title: row.title, body: row.body, link: link, createdAt: row.created_at), to: address)
            return .success(())
        } catch let failure as DeliveryFailure {
            return .failure(failure)
        } catch {
            return .failure(.temporary("发送出错 / send failed: \(type(of: error))"))
        }
    }

    private struct Settings: Decodable {
        let sms_phone_enc: String?
        let wechat_openid_enc: String?
    }
    private struct Account: Decodable { let resident_id: UUID? }
    private struct Phone: Decodable { let phone_enc: String? }

    /// The plaintext address, decrypted only for the moment of sending.
    private func address(of row: Row) async throws -> String? {
        if let enc = row.address_enc { return try cipher.decrypt(enc) }
        guard let user = row.user_id else { return nil }
        let settings = try await db.select().columns("sms_phone_enc", "wechat_openid_enc").from("notification_settings")
            .where("user_id", .equal, user).first(decoding: Settings.self)
        switch row.channel {
        case "wechat":
            return try settings?.wechat_openid_enc.map(cipher.decrypt)
        case "sms":
            if let own = settings?.sms_phone_enc { return try cipher.decrypt(own) }
            guard
                let resident = try await db.select().column("resident_id").from("users").where("id", .equal, user)
                    .first(decoding: Account.self)?.resident_id
            else { return nil }
            return try await db.select().column("phone_enc").from("residents").where("id", .equal, resident)
                .first(decoding: Phone.self)?.phone_enc.map(cipher.decrypt)
        default:
            return nil
        }
    }

    private func record(_ row: Row, _ result: Result<Void, DeliveryFailure>, claim: UUID, now: Date) async throws {
        let update = db.update("notification_deliveries").set("attempts", to: row.attempts + 1)
            .set("claim", to: Optional<UUID>.none).set("claimed_until", to: Optional<Date>.none)
        switch result {
        case .success:
            update.set("status", to: DeliveryStatus.sent.rawValue).set("sent_at", to: now).set(
                "last_error", to: Optional<String>.none)
        case .failure(.permanent(let reason)):
            update.set("status", to: (reason == Self.nowhere ? DeliveryStatus.skipped : .failed).rawValue).set(
                "last_error", to: String(reason.prefix(300)))
        case .failure(.temporary(let reason)):
            let attempt = row.attempts + 1
            if attempt >= Self.pauses.count {
                update.set("status", to: DeliveryStatus.failed.rawValue)
            } else {
                update.set("next_attempt_at", to: now.addingTimeInterval(Self.pauses[attempt - 1]))
            }
            update.set("last_error", to: String(reason.prefix(300)))
            logger.warning("notification \(row.id) via \(row.channel), attempt \(attempt): \(reason)")
        }
        try await update.where("id", .equal, row.id).where("claim", .equal, claim).run()
    }

    /// The channels the configuration switches on.
    static func channels(_ config: NotificationConfig, client: any Client, tokens: WeChatTokens, logger: Logger)
        -> [String: any NotificationChannel]
    {
        var out: [String: any NotificationChannel] = [:]
        if let url = config.smsURL {
            out["sms"] =
                url == "log"
                ? SMSLog(signature: config.smsSignature, logger: logger)
                : SMSGateway(url: url, token: config.smsToken, signature: config.smsSignature, client: client)
        }
        if config.wechatEnabled { out["wechat"] = WeChatTemplate(config: config, client: client, tokens: tokens) }
        return out
    }
}

/// Runs the outbox every few seconds while the server runs, and at once when this instance
/// queued something (`wake()`); other instances' messages wait at most one interval.
final class NotificationDispatcher: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    private let interval: Duration
    private let signal = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(interval: Duration = .seconds(5)) { self.interval = interval }

    func wake() { signal.continuation.yield(()) }

    func didBootAsync(_ application: Application) async throws {
        let z = application.zhili
        let outbox = try NotificationOutbox(
            db: application.db.sql, cipher: z.cipher, publicURL: z.config.publicURL,
            channels: NotificationOutbox.channels(
                z.config.notifications, client: application.client, tokens: application.notifications.wechatTokens,
                logger: application.logger),
            logger: application.logger)
        guard !outbox.channels.isEmpty else { return }
        let interval = self.interval
        let wakeups = signal.stream
        task = Task {
            // Ticks and wake-ups merge into one stream of "look now".
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    self.wake()
                }
            }
            defer { ticker.cancel() }
            for await _ in wakeups {
                if Task.isCancelled { break }
                do {
                    let o = try await outbox.deliverDue()
                    if o != .init() {
                        application.logger.info(
                            "notifications: sent \(o.sent), retrying \(o.retried), failed \(o.failed), skipped \(o.skipped)"
                        )
                    }
                } catch {
                    application.logger.warning("notification outbox failed: \(String(describing: error))")
                }
            }
        }
        wake()
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        signal.continuation.finish()
        await task?.value
    }
}
