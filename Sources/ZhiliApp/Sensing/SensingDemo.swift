import Crypto
import Foundation
import SQLKit
import ZhiliDomain

/// Sensing's part of the demo city: a wristband, an SOS button and a door sensor for people
/// living alone (and smoke detectors in their homes), beside the cameras and dispatch
/// screens the places step wrote; a key for every device; and a month of handled alarms.
enum SensingDemo {
    /// The demo's device keys follow from the city's seed and the device code, so the device
    /// simulator of the same demo can sign in as each device. Never used outside the demo.
    static func key(code: String, seed: UInt64) -> String {
        "zd_" + String(FieldCipher.hex(SHA256.hash(data: Data("zhili-demo-device:\(seed):\(code)".utf8))).prefix(40))
    }

    struct Person: Sendable {
        let resident: UUID
        let household: String
        let name: String
    }

    static func write(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        var rng = SeededGenerator(seed: city.seed ^ 0x5E45_1A6E)
        let now = Date()
        let names = Dictionary(city.population.residents.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let addresses = Dictionary(
            city.geography.households.map { ($0.code, $0.address) }, uniquingKeysWith: { a, _ in a })
        let alone = city.population.tags.filter { $0.tag == KeyPopulationTag.elderlyAlone.rawValue }
        let wanted = max(1, city.spec.devices / 7)
        var people: [Person] = []
        var seen = Set<UUID>()
        for t in alone where people.count < wanted && seen.insert(t.residentID).inserted {
            people.append(Person(resident: t.residentID, household: t.householdCode, name: names[t.residentID] ?? "居民"))
        }
        let insert = sql.insert(into: "devices").columns(
            "id", "code", "kind", "name", "node_code", "resident_id", "place", "lat", "lon", "status", "online",
            "last_seen_at", "battery", "firmware", "offline_after", "created_at")
        var rows = 0
        for (i, person) in people.enumerated() {
            let home = city.geography.buildingPoints[String(person.household.prefix(NodeLevel.building.codeLength))]
            let n = String(format: "%03d", i + 1)
            let kit: [(String, String, String, String)] = [
                ("wristband", "DH-WB-\(n)", person.name + "的手环", "v2.3.1"),
                ("sos", "DH-SOS-\(n)", person.name + "家一键报警", "v1.8.0"),
                ("door", "DH-DOOR-\(n)", person.name + "家门磁", "v1.2.4"),
                ("smoke", "DH-SMK-\(n)", person.name + "家烟感", "v3.0.2"),
            ]
            for (kind, code, name, firmware) in kit {
                insert.values(
                    SQLBind(rng.uuid()), SQLBind(code), SQLBind(kind), SQLBind(name), SQLBind(person.household),
                    SQLBind(person.resident), SQLBind(addresses[person.household].map { String($0.suffix(80)) }),
                    SQLBind(home?.lat), SQLBind(home?.lon),
                    SQLBind("active"), SQLBind(true), SQLBind(now), SQLBind(rng.int(35...100)), SQLBind(firmware),
                    SQLBind(kind == "door" ? 3600 : 180),
                    SQLBind(now.addingTimeInterval(-86400 * Double(rng.int(30...300)))))
                rows += 1
            }
        }
        if rows > 0 { try await insert.run() }
        // A key for every device of the demo.
        struct D: Decodable {
            let id: UUID
            let code: String
        }
        for d in try await sql.select().columns("id", "code").from("devices").all(decoding: D.self) {
            let key = key(code: d.code, seed: city.seed)
            try await sql.update("devices").set("key_hash", to: DeviceRegistry.hash(key))
                .set("key_hint", to: String(key.suffix(4))).set("key_issued_at", to: now).where("id", .equal, d.id)
                .run()
        }
        // The last comings and goings seen by the people's sensors (a few hours ago), so the
        // inactivity rule starts from a normal day.
        struct A: Decodable { let id: UUID }
        let sensors = try await sql.select().column("id").from("devices")
            .where("kind", .in, [DeviceKind.door.rawValue, DeviceKind.wristband.rawValue]).all(decoding: A.self)
        if !sensors.isEmpty {
            let events = sql.insert(into: "device_events").columns("device_id", "event_id", "kind", "at", "received_at")
            for s in sensors {
                let at = now.addingTimeInterval(-Double(rng.int(600...14400)))
                events.values(SQLBind(s.id), SQLBind("demo-activity"), SQLBind("activity"), SQLBind(at), SQLBind(at))
            }
            try await events.run()
        }
        try await history(on: sql, rng: &rng, now: now)
    }

    /// A month of alarms, nearly all handled: answered in seconds to a few minutes, a few false.
    static func history(on sql: any SQLDatabase, rng: inout SeededGenerator, now: Date) async throws {
        struct D: Decodable {
            let id: UUID
            let code: String
            let kind: String
            let name: String
            let node_code: String
            let resident_id: UUID?
            let lat: Double?
            let lon: Double?
        }
        let devices = try await sql.select().columns(
            "id", "code", "kind", "name", "node_code", "resident_id", "lat", "lon"
        )
        .from("devices").orderBy("code").all(decoding: D.self)
        guard !devices.isEmpty else { return }
        let byKind: [String: [(String, AlarmSeverity, String, String)]] = [
            "sos": [("sos", .critical, "一键呼救", "SOS pressed")],
            "wristband": [
                ("fall", .critical, "检测到跌倒", "Fall detected"),
                ("heart_rate", .major, "心率异常 138 次/分", "Heart rate 138 bpm"),
                ("battery_low", .minor, "电量低 15%", "Battery low (15%)"),
            ],
            "smoke": [("smoke", .critical, "烟雾/火情", "Smoke or fire")],
            "camera": [
                ("fire_lane", .warning, "消防通道占用", "Fire lane blocked"), ("intrusion", .major, "重点区域闯入", "Intrusion"),
                ("crowd", .warning, "人员聚集 64 人", "Crowd of 64"),
            ],
            "door": [("offline", .warning, "设备离线", "device offline")],
            "screen": [("offline", .warning, "设备离线", "device offline")],
        ]
        let staff = ["王网格", "李社工", "赵主任", "陈网格"]
        let count = min(40, devices.count * 2)
        for i in 0..<count {
            let d = devices[rng.int(0...(devices.count - 1))]
            guard let choices = byKind[d.kind], !choices.isEmpty else { continue }
            let (rule, severity, zh, en) = choices[rng.int(0...(choices.count - 1))]
            let first = now.addingTimeInterval(-Double(rng.int(3600...(30 * 86400))))
            let answer = Double(severity == .critical ? rng.int(8...75) : rng.int(20...400))
            let acknowledged = first.addingTimeInterval(answer)
            let closed = acknowledged.addingTimeInterval(Double(rng.int(300...5400)))
            let isFalse = rng.chance(0.12)
            // The latest two stay open, so the console shows what waiting looks like.
            let open = i >= count - 2
            let id = rng.uuid()
            let who = staff[rng.int(0...(staff.count - 1))]
            let status = open ? (i == count - 1 ? "raised" : "acknowledged") : (isFalse ? "false" : "resolved")
            let start = open ? now.addingTimeInterval(-Double(rng.int(60...1800))) : first
            try await sql.insert(into: "alarms")
                .columns(
                    "id", "rule", "severity", "status", "source_key", "device_id", "resident_id", "node_code",
                    "title_zh",
                    "title_en", "lat", "lon", "count", "first_at", "last_at", "acknowledged_at", "acknowledged_by_name",
                    "closed_at", "closed_by_name", "outcome", "rung"
                )
                .values(
                    SQLBind(id), SQLBind(rule),
                    SQLBind(open && i == count - 1 ? AlarmSeverity.minor.rawValue : severity.rawValue),
                    SQLBind(status), SQLBind(d.id.uuidString), SQLBind(d.id), SQLBind(d.resident_id),
                    SQLBind(d.node_code),
                    SQLBind(d.name + "：" + (open && i == count - 1 ? "电量低 18%" : zh)),
                    SQLBind(d.code + ": " + (open && i == count - 1 ? "Battery low (18%)" : en)), SQLBind(d.lat),
                    SQLBind(d.lon),
                    SQLBind(1), SQLBind(start), SQLBind(start),
                    SQLBind(status == "raised" ? nil : (open ? start.addingTimeInterval(answer) : acknowledged)),
                    SQLBind(status == "raised" ? nil : who), SQLBind(open ? nil : closed), SQLBind(open ? nil : who),
                    SQLBind(open ? nil : (isFalse ? "核实为误触" : "已上门处置，人员安全")), SQLBind(0)
                )
                .run()
            var steps: [(Date, String, String?)] = [(start, "raised", nil)]
            if status != "raised" {
                steps.append((open ? start.addingTimeInterval(answer) : acknowledged, "acknowledge", who))
            }
            if !open { steps.append((closed, isFalse ? "false" : "resolve", who)) }
            for (at, action, actor) in steps {
                try await sql.insert(into: "alarm_steps").columns("id", "alarm_id", "at", "action", "actor_name")
                    .values(SQLBind(rng.uuid()), SQLBind(id), SQLBind(at), SQLBind(action), SQLBind(actor)).run()
            }
        }
    }
}
