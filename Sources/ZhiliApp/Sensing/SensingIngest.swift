import CoreMetrics
import Foundation
import SQLKit
import Synchronization
import Vapor
import ZhiliDomain

/// One pipeline for every door (HTTP, cameras, MQTT, wristbands): authenticated readings go
/// in through a group commit, so a caller hears back only after its events are durably
/// stored, and many callers share one transaction. In that transaction each new event (the
/// device's event id makes a re-delivery a no-op) is stored, the device's heartbeat state
/// updated, the rules evaluated, alarms raised or updated and their live events written.
final class SensingIngest: Sendable {
    struct Incoming: Sendable, Equatable {
        let eventID: String
        let reading: SensorReading
    }

    struct Submission: Sendable {
        let device: DeviceIdentity
        let events: [Incoming]
    }

    struct Receipt: Content, Sendable, Equatable {
        /// Stored now.
        let accepted: Int
        /// Already stored before (a re-delivery): acknowledged, not stored twice.
        let duplicates: Int
        /// Alarms raised or updated by these events.
        let alarms: [UUID]
    }

    private let commit: GroupCommit<Submission, Receipt>
    let rules: AlarmRuleBook

    init(db: any SQLDatabase, rules: AlarmRuleBook, ladder: EscalationLadder, channels: NotificationConfig) {
        self.rules = rules
        commit = GroupCommit(db: db, maxBatch: 64) { items, db in
            let current = try await rules.current(on: db)
            return try await SensingIngest.write(items, on: db, rules: current, ladder: ladder, channels: channels)
        }
    }

    func submit(_ s: Submission) async throws -> Receipt {
        let receipt = try await commit.submit(s)
        if !receipt.alarms.isEmpty { LiveFeed.committed() }
        Counter(label: "zhili_ingest_events_total").increment(by: Int64(receipt.accepted))
        return receipt
    }

    /// Counts a rejected input by its reason (`/metrics`: zhili_ingest_rejected_total{reason}).
    static func reject(_ reason: String) {
        Counter(label: "zhili_ingest_rejected_total", dimensions: [("reason", reason)]).increment()
    }

    private struct Stored: Decodable {
        let device_id: UUID
        let event_id: String
    }

    private struct DeviceState: Decodable {
        let id: UUID
        let online: Bool
        let heart_out_since: Date?
        let status: String
    }

    static func write(
        _ items: [Submission], on db: any SQLDatabase, rules: [AlarmRule], ladder: EscalationLadder,
        channels: NotificationConfig, now: Date = Date()
    ) async throws -> [Receipt] {
        try await db.transactionally { tx in
            // 1. The events, once each.
            var rows: [(UUID, Incoming)] = []
            for item in items { for e in item.events { rows.append((item.device.id, e)) } }
            var fresh = Set<String>()
            for chunk in stride(from: 0, to: rows.count, by: 250).map({ rows[$0..<min($0 + 250, rows.count)] }) {
                let insert = tx.insert(into: "device_events")
                    .columns(
                        "device_id", "event_id", "kind", "at", "received_at", "value", "lat", "lon", "battery", "detail"
                    )
                for (device, e) in chunk {
                    let r = e.reading
                    insert.values(
                        SQLBind(device), SQLBind(e.eventID), SQLBind(r.kind), SQLBind(r.at), SQLBind(now),
                        SQLBind(r.value), SQLBind(r.point?.lat), SQLBind(r.point?.lon), SQLBind(r.battery),
                        SQLBind(r.detail))
                }
                let stored = try await insert.ignoringConflicts(with: ["device_id", "event_id"])
                    .returning("device_id", "event_id").all(decoding: Stored.self)
                for s in stored { fresh.insert(s.device_id.uuidString + "|" + s.event_id) }
            }
            // 2. The devices as they stand.
            let ids = Array(Set(items.map(\.device.id)))
            var states: [UUID: DeviceState] = [:]
            for r in try await tx.select().columns("id", "online", "heart_out_since", "status").from("devices")
                .where("id", .in, ids).all(decoding: DeviceState.self)
            {
                states[r.id] = r
            }
            let tagged = rules.contains { $0.enabled && $0.key == "geofence" && ($0.tag ?? "").isEmpty == false }
            var tags: [UUID: Set<String>] = [:]
            let residents = Array(Set(items.compactMap(\.device.residentID)))
            if tagged, !residents.isEmpty {
                struct T: Decodable {
                    let resident_id: UUID
                    let tag: String
                }
                for t in try await tx.select().columns("resident_id", "tag").from("resident_tags")
                    .where("resident_id", .in, residents).all(decoding: T.self)
                {
                    tags[t.resident_id, default: []].insert(t.tag)
                }
            }
            // 3. The rules, device by device, in the order the events happened.
            var receipts: [Receipt] = []
            var raises: [(item: Int, raise: AlarmDesk.Raise)] = []
            var heart: [UUID: Date?] = [:]
            var battery: [UUID: Int] = [:]
            var cameBack: [UUID] = []
            var seen = Set<UUID>()
            for (index, item) in items.enumerated() {
                let d = item.device
                let newOnes = item.events.filter { fresh.contains(d.id.uuidString + "|" + $0.eventID) }
                    .sorted { $0.reading.at < $1.reading.at }
                receipts.append(
                    Receipt(accepted: newOnes.count, duplicates: item.events.count - newOnes.count, alarms: []))
                guard let state = states[d.id], state.status == "active" else { continue }
                if seen.insert(d.id).inserted, !state.online { cameBack.append(d.id) }
                var since = heart[d.id] ?? state.heart_out_since
                let home = d.lat.flatMap { lat in d.lon.map { GeoPoint(lat: lat, lon: $0) } }
                for e in newOnes {
                    let context = AlarmRules.Context(
                        deviceKind: d.kind, personTags: d.residentID.flatMap { tags[$0] } ?? [], home: home,
                        heartOutSince: since)
                    let outcome = AlarmRules.evaluate(e.reading, rules: rules, context: context)
                    since = outcome.heartOutSince
                    if let b = e.reading.battery { battery[d.id] = b }
                    for t in outcome.triggers {
                        let point = e.reading.point
                        raises.append(
                            (
                                index,
                                AlarmDesk.Raise(
                                    rule: t.rule, severity: t.severity, sourceKey: d.id.uuidString, deviceID: d.id,
                                    residentID: d.residentID, nodeCode: d.nodeCode, titleZh: d.name + "：" + t.zh,
                                    titleEn: d.code + ": " + t.en, place: d.place, lat: point?.lat ?? d.lat,
                                    lon: point?.lon ?? d.lon, at: e.reading.at)
                            ))
                    }
                }
                heart[d.id] = since
            }
            // 4. Heartbeat state: online now, last seen now (the server's clock, not the device's),
            // the latest battery: one statement for the whole batch; the heart-rate state of a
            // device only where it changed.
            let active = ids.filter { states[$0]?.status == "active" }
            if !active.isEmpty {
                let update = tx.update("devices").set("online", to: true).set("last_seen_at", to: now)
                let levels = active.compactMap { id in battery[id].map { (id, $0) } }
                if !levels.isEmpty { update.set("battery", to: ByDevice(values: levels, otherwise: "battery")) }
                try await update.where("id", .in, active).run()
            }
            for id in active {
                guard let h = heart[id], h != states[id]?.heart_out_since else { continue }
                try await tx.update("devices").set(
                    "heart_out_since", to: h.map { SQLBind($0) } ?? SQLBind(Optional<Date>.none)
                )
                .where("id", .equal, id).run()
            }
            if !cameBack.isEmpty { try await SensingClock.cleared(cameBack, on: tx, ladder: ladder, now: now) }
            // 5. Alarms.
            let alarmIDs = try await AlarmDesk.raise(
                raises.map(\.raise), on: tx, ladder: ladder, channels: channels, now: now)
            var perItem: [Int: [UUID]] = [:]
            for (i, id) in alarmIDs.enumerated() { perItem[raises[i].item, default: []].append(id) }
            return receipts.enumerated().map { i, r in
                var once = Set<UUID>()
                let alarms = (perItem[i] ?? []).filter { once.insert($0).inserted }
                return Receipt(accepted: r.accepted, duplicates: r.duplicates, alarms: alarms)
            }
        }
    }
}

/// `CASE id WHEN … THEN … ELSE <column> END`: one value per device in one UPDATE.
struct ByDevice: SQLExpression {
    let values: [(UUID, Int)]
    let otherwise: String

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CASE ")
        SQLIdentifier("id").serialize(to: &serializer)
        for (id, value) in values {
            serializer.write(" WHEN ")
            SQLBind(id).serialize(to: &serializer)
            serializer.write(" THEN ")
            SQLBind(value).serialize(to: &serializer)
        }
        serializer.write(" ELSE ")
        SQLIdentifier(otherwise).serialize(to: &serializer)
        serializer.write(" END")
    }
}

/// The rules in effect: the defaults changed by administrators (`alarm_rules`), read at most
/// every few seconds per instance and at once after a change here.
final class AlarmRuleBook: Sendable {
    private let cached = Mutex<(rules: [AlarmRule], until: Date)?>(nil)
    static let changedEvent = "alarm_rules"

    init(events: ClusterEvents) {
        events.subscribe { [weak self] kind, _ in
            if kind == Self.changedEvent { self?.forget() }
        }
    }

    func forget() { cached.withLock { $0 = nil } }

    func current(on db: any SQLDatabase, now: Date = Date()) async throws -> [AlarmRule] {
        if let c = cached.withLock({ $0 }), c.until > now { return c.rules }
        let rules = try await Self.read(on: db)
        cached.withLock { $0 = (rules, now.addingTimeInterval(5)) }
        return rules
    }

    static func read(on db: any SQLDatabase) async throws -> [AlarmRule] {
        struct R: Decodable {
            let key: String
            let severity: String
            let enabled: Bool
            let params: String
            let tag: String?
        }
        let rows = try await db.select().columns("key", "severity", "enabled", "params", "tag").from("alarm_rules")
            .all(decoding: R.self)
        let changed = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return AlarmRules.defaults.map { rule in
            guard let r = changed[rule.key] else { return rule }
            let params = (try? JSONDecoder().decode([String: Double].self, from: Data(r.params.utf8))) ?? rule.params
            return AlarmRule(
                key: rule.key, severity: AlarmSeverity(rawValue: r.severity) ?? rule.severity, enabled: r.enabled,
                params: params, tag: r.tag)
        }
    }
}
