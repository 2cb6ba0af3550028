import Foundation
import SQLKit
import Synchronization
import Vapor
import ZhiliDomain

/// The clocks of sensing, every few seconds on each serving instance: devices silent past
/// their window go offline and raise an `offline` alarm (their return clears it), people who
/// live alone whose sensors saw no activity for the rule's hours raise `inactivity`, and
/// unacknowledged alarms climb the ladder. Guarded updates make several instances safe.
final class SensingClock: LifecycleHandler, Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    let interval: Duration

    init(interval: Duration = .seconds(5)) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        let app = application
        let t = Task {
            var turn = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                if Task.isCancelled { break }
                do {
                    try await Self.tick(app, inactivity: turn % 12 == 0)
                    if turn % 720 == 0 { try await Self.purge(on: app.db.sql) }
                } catch {
                    app.logger.warning("sensing clock: \(String(describing: error))")
                }
                turn += 1
            }
        }
        task.withLock { $0 = t }
    }

    func shutdownAsync(_ application: Application) async {
        let t = task.withLock { $0 }
        t?.cancel()
        await t?.value
    }

    static func tick(_ app: Application, inactivity: Bool = true, now: Date = Date()) async throws {
        let db = try app.db.sql
        let config = app.zhili.config
        let rules = try await app.sensing.rules.current(on: db)
        try await offline(on: db, rules: rules, ladder: config.alarmLadder, channels: config.notifications, now: now)
        if inactivity {
            try await Self.inactivity(
                on: db, rules: rules, ladder: config.alarmLadder, channels: config.notifications, now: now)
        }
        _ = try await AlarmDesk.escalate(on: db, ladder: config.alarmLadder, channels: config.notifications, now: now)
    }

    /// Heartbeats are kept a week, other readings half a year (alarms and their steps for good).
    static let heartbeatRetention: TimeInterval = 7 * 86400
    static let readingRetention: TimeInterval = 183 * 86400

    static func purge(on db: any SQLDatabase, now: Date = Date()) async throws {
        try await db.delete(from: "device_events").where("kind", .equal, "heartbeat")
            .where("at", .lessThan, now.addingTimeInterval(-heartbeatRetention)).run()
        try await db.delete(from: "device_events").where("at", .lessThan, now.addingTimeInterval(-readingRetention))
            .run()
    }

    private struct Silent: Decodable {
        let id: UUID
        let code: String
        let name: String
        let node_code: String
        let resident_id: UUID?
        let place: String?
        let lat: Double?
        let lon: Double?
    }

    /// Devices silent past their window: offline, with an alarm (unless the rule is off).
    @discardableResult
    static func offline(
        on db: any SQLDatabase, rules: [AlarmRule], ladder: EscalationLadder, channels: NotificationConfig, now: Date
    ) async throws -> Int {
        struct Candidate: Decodable {
            let id: UUID
            let last_seen_at: Date?
            let offline_after: Int
            let created_at: Date
        }
        // The longest window bounds the read; each device's own window decides.
        let candidates = try await db.select().columns("id", "last_seen_at", "offline_after", "created_at").from(
            "devices"
        )
        .where("online", .equal, true).where("status", .equal, "active")
        .where("last_seen_at", .lessThan, now.addingTimeInterval(-30)).limit(2000).all(decoding: Candidate.self)
        let due = candidates.filter { c in
            (c.last_seen_at ?? c.created_at).addingTimeInterval(Double(c.offline_after)) <= now
        }.map(\.id)
        guard !due.isEmpty else { return 0 }
        let rule = rules.first { $0.key == "offline" }
        return try await db.transactionally { tx in
            let went = try await tx.update("devices").set("online", to: false).where("id", .in, due)
                .where("online", .equal, true).returning(
                    "id", "code", "name", "node_code", "resident_id", "place", "lat", "lon"
                )
                .all(decoding: Silent.self)
            guard !went.isEmpty else { return 0 }
            try await LiveFeed.store(
                try went.map {
                    try LiveItem(
                        kind: deviceKind, to: .staff(node: $0.node_code), data: DeviceState(id: $0.id, online: false))
                },
                on: tx)
            if let rule, rule.enabled {
                _ = try await AlarmDesk.raise(
                    went.map { d in
                        AlarmDesk.Raise(
                            rule: "offline", severity: rule.severity, sourceKey: d.id.uuidString, deviceID: d.id,
                            residentID: d.resident_id, nodeCode: d.node_code, titleZh: d.name + "：设备离线",
                            titleEn: d.code + ": device offline", place: d.place, lat: d.lat, lon: d.lon, at: now)
                    }, on: tx, ladder: ladder, channels: channels, now: now)
            }
            return went.count
        }
    }

    static let deviceKind = "device"

    struct DeviceState: Encodable {
        let id: UUID
        let online: Bool
    }

    /// Devices that sent again after being offline: online, their offline alarm cleared.
    static func cleared(_ devices: [UUID], on tx: any SQLDatabase, ladder: EscalationLadder, now: Date) async throws {
        struct Back: Decodable {
            let id: UUID
            let node_code: String
        }
        let back = try await tx.select().columns("id", "node_code").from("devices").where("id", .in, devices)
            .all(decoding: Back.self)
        try await LiveFeed.store(
            try back.map {
                try LiveItem(
                    kind: deviceKind, to: .staff(node: $0.node_code), data: DeviceState(id: $0.id, online: true))
            },
            on: tx)
        struct A: Decodable { let id: UUID }
        let closed = try await tx.update("alarms").set("status", to: AlarmStatus.resolved.rawValue)
            .set("closed_at", to: now).set("outcome", to: "设备恢复在线 / device back online").set(
                "next_rung_at", to: SQLLiteral.null
            )
            .where("rule", .equal, "offline").where("source_key", .in, devices.map(\.uuidString))
            .where("status", .in, AlarmDesk.openStatuses).returning("id").all(decoding: A.self)
        for a in closed { try await AlarmDesk.step(a.id, "cleared", actor: nil, note: "设备恢复在线", on: tx, at: now) }
        try await AlarmDesk.announce(closed.map(\.id), on: tx, ladder: ladder)
    }

    /// People with the rule's tag whose activity sensors (door sensors, wristbands) saw
    /// nothing but heartbeats for the rule's hours.
    @discardableResult
    static func inactivity(
        on db: any SQLDatabase, rules: [AlarmRule], ladder: EscalationLadder, channels: NotificationConfig, now: Date
    ) async throws -> Int {
        guard let rule = rules.first(where: { $0.key == "inactivity" }), rule.enabled else { return 0 }
        let hours = rule.param("hours") ?? 24
        let since = now.addingTimeInterval(-hours * 3600)
        struct Watched: Decodable {
            let id: UUID
            let code: String
            let name: String
            let node_code: String
            let resident_id: UUID
            let place: String?
            let lat: Double?
            let lon: Double?
            let created_at: Date
        }
        let q = db.select().columns(
            SQLColumn("id", table: "d"), SQLColumn("code", table: "d"), SQLColumn("name", table: "d"),
            SQLColumn("node_code", table: "d"), SQLColumn("resident_id", table: "d"), SQLColumn("place", table: "d"),
            SQLColumn("lat", table: "d"), SQLColumn("lon", table: "d"), SQLColumn("created_at", table: "d")
        )
        .from(SQLAlias(SQLIdentifier("devices"), as: SQLIdentifier("d")))
        .where(SQLColumn("status", table: "d"), .equal, SQLBind("active"))
        .where(
            SQLColumn("kind", table: "d"), .in,
            SQLGroupExpression([SQLBind(DeviceKind.door.rawValue), SQLBind(DeviceKind.wristband.rawValue)])
        )
        .where(SQLColumn("resident_id", table: "d"), .isNot, SQLLiteral.null)
        .where(SQLColumn("created_at", table: "d"), .lessThan, SQLBind(since))
        if let tag = rule.tag, !tag.isEmpty {
            q.where(
                SQLQueryString(
                    "EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = d.resident_id AND t.tag = \(bind: tag))"
                ))
        }
        q.where(
            SQLQueryString(
                "NOT EXISTS (SELECT 1 FROM device_events e WHERE e.device_id = d.id AND e.kind NOT IN ('heartbeat', 'battery') AND e.at >= \(bind: since))"
            ))
        let watched = try await q.limit(2000).all(decoding: Watched.self)
        guard !watched.isEmpty else { return 0 }
        struct Open: Decodable { let source_key: String }
        let open = Set(
            try await db.select().column("source_key").from("alarms").where("rule", .equal, "inactivity")
                .where("status", .in, AlarmDesk.openStatuses).all(decoding: Open.self).map(\.source_key))
        // One alarm per person, however many sensors they have, and none while one is open.
        var once = Set<UUID>()
        let raises = watched.filter {
            !open.contains("person:" + $0.resident_id.uuidString) && once.insert($0.resident_id).inserted
        }.map { (d: Watched) -> AlarmDesk.Raise in
            let source: String = "person:" + d.resident_id.uuidString
            let zh: String = d.name + "：\(Int(hours)) 小时无活动"
            let en: String = d.code + ": no activity for \(Int(hours)) h"
            return AlarmDesk.Raise(
                rule: "inactivity", severity: rule.severity, sourceKey: source, deviceID: d.id,
                residentID: d.resident_id, nodeCode: d.node_code, titleZh: zh, titleEn: en, place: d.place, lat: d.lat,
                lon: d.lon, at: now)
        }
        guard !raises.isEmpty else { return 0 }
        return try await db.transactionally { tx in
            try await AlarmDesk.raise(raises, on: tx, ladder: ladder, channels: channels, now: now).count
        }
    }
}
