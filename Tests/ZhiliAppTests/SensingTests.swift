import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Sensing: devices, ingestion, alarms and their ladder", .timeLimit(.minutes(20)))
struct SensingTests {
    @Test func anSOSRaisesOneAlarmThatRepeatsUpdateAndRedeliveriesDoNotDuplicate() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app)
            let (events, alarms) = (try await app.count("device_events"), try await app.count("alarms"))
            let first = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos", id: "e-1")])
            let receipt = try #require(first.receipt)
            #expect(receipt.accepted == 1 && receipt.duplicates == 0 && receipt.alarms.count == 1)
            let alarmID = try #require(receipt.alarms.first)
            // The same event again (a device that did not hear the answer): acknowledged, not stored twice.
            let again = try #require(
                try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos", id: "e-1")]).receipt)
            #expect(again.accepted == 0 && again.duplicates == 1 && again.alarms.isEmpty)
            // Pressed again: the open alarm counts it.
            let second = try #require(
                try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos", id: "e-2")]).receipt)
            #expect(second.alarms == [alarmID])
            let alarm = try await SensingFixture.alarm(app, alarmID)
            #expect(alarm.count == 2 && alarm.severity == "critical" && alarm.status == "raised" && alarm.rule == "sos")
            #expect(try await app.count("device_events") == events + 2)
            #expect(try await app.count("alarms") == alarms + 1)
            // The grid worker of the grid is told at once; another grid's is not.
            #expect(try await NotificationFixture.kinds(app, "grid001").contains("alarm.raised"))
            #expect(!(try await NotificationFixture.kinds(app, "grid004")).contains("alarm.raised"))
            // The device is online, seen now.
            let row = try #require(try await DeviceRegistry.find(device.id, on: app.sql))
            #expect(row.online && row.last_seen_at != nil)
        }
    }

    @Test func theLivePushCarriesAnAlarmToItsAreasScreensOnly() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app)
            try await withServer(app) {
                let grid = try await LiveClient.connect(app, headers: try await app.bearer("grid001"))
                let other = try await LiveClient.connect(app, headers: try await app.bearer("grid004"))
                let resident = try await LiveClient.connect(app, headers: try await app.bearer("resident"))
                let r = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("fall")])
                let id = try #require(r.receipt?.alarms.first)
                let frame = try await grid.next { $0.kind == "alarm" }
                #expect(frame.data["id"] == id.uuidString && frame.data["severity"] == "critical")
                #expect(try await other.settle { $0.kind == "alarm" }.isEmpty)
                #expect(try await resident.settle(0.1) { $0.kind == "alarm" }.isEmpty)
                // Acknowledging updates the screens too.
                try await SensingFixture.act(app, id, as: "grid001", ["action": "acknowledge"])
                try await grid.next { $0.kind == "alarm" && $0.data["status"] == "acknowledged" }
                for c in [grid, other, resident] { await c.close() }
            }
        }
    }

    @Test func anSOSPostedToOneInstanceReachesAScreenOfAnother() async throws {
        let secrets = Secrets.generate()
        try await withTestApp(secrets: secrets) { app in
            let device = try await SensingFixture.register(app)
            try await withPeer(app, secrets: secrets) { peer in
                let screen = try await LiveClient.connect(peer, headers: try await peer.bearer("grid001"))
                let r = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos")])
                let id = try #require(r.receipt?.alarms.first)
                try await screen.next { $0.kind == "alarm" && $0.data["id"] == id.uuidString }
                await screen.close()
            }
        }
    }

    @Test func anUnansweredAlarmClimbsTheLadderUntilSomeoneAnswers() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app)
            let t0 = Date()
            let r = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos", at: t0)])
            let id = try #require(r.receipt?.alarms.first)
            let ladder = EscalationLadder.standard
            let channels = app.zhili.config.notifications
            #expect(
                try await AlarmDesk.escalate(
                    on: app.sql, ladder: ladder, channels: channels, now: t0.addingTimeInterval(30)) == 0)
            #expect(!(try await NotificationFixture.kinds(app, "community")).contains("alarm.escalated"))
            #expect(
                try await AlarmDesk.escalate(
                    on: app.sql, ladder: ladder, channels: channels, now: t0.addingTimeInterval(61)) == 1)
            #expect(try await SensingFixture.alarm(app, id).rung == 1)
            #expect(try await NotificationFixture.kinds(app, "community").contains("alarm.escalated"))
            #expect(!(try await NotificationFixture.kinds(app, "street")).contains("alarm.escalated"))
            // A second pass at the same moment (another instance) changes nothing.
            #expect(
                try await AlarmDesk.escalate(
                    on: app.sql, ladder: ladder, channels: channels, now: t0.addingTimeInterval(62)) == 0)
            #expect(
                try await AlarmDesk.escalate(
                    on: app.sql, ladder: ladder, channels: channels, now: t0.addingTimeInterval(181)) == 1)
            #expect(try await NotificationFixture.kinds(app, "street").contains("alarm.escalated"))
            // Closing unseen is not allowed; answering stops the ladder.
            try await SensingFixture.act(app, id, as: "grid001", ["action": "resolve", "note": "x"], expect: .conflict)
            try await SensingFixture.act(app, id, as: "grid004", ["action": "acknowledge"], expect: .notFound)
            try await SensingFixture.act(app, id, as: "grid001", ["action": "acknowledge"])
            try await SensingFixture.act(app, id, as: "grid001", ["action": "acknowledge"], expect: .conflict)
            let answered = try await SensingFixture.alarm(app, id)
            #expect(
                answered.status == "acknowledged" && answered.next_rung_at == nil && answered.acknowledged_at != nil)
            try await SensingFixture.act(
                app, id, as: "grid001", ["action": "dispatch", "to": "volunteer"], expect: .unprocessableEntity)
            try await SensingFixture.act(
                app, id, as: "grid001", ["action": "dispatch", "to": "volunteer", "assignee": "王志愿"])
            try await SensingFixture.act(app, id, as: "grid001", ["action": "resolve"], expect: .unprocessableEntity)
            try await SensingFixture.act(app, id, as: "grid001", ["action": "resolve", "note": "已上门，老人安全"])
            let closed = try await SensingFixture.alarm(app, id)
            #expect(closed.status == "resolved" && closed.dispatched_to == "王志愿" && closed.outcome == "已上门，老人安全")
            // (The ladder ran on a clock set ahead, so its steps sort after the people's.)
            let steps = try await AlarmDesk.timeline(id, on: app.sql).map(\.action)
            #expect(steps.first == "raised")
            #expect(steps.sorted() == ["acknowledge", "dispatch", "escalated", "escalated", "raised", "resolve"])
            // Pressed again after closing: a new alarm.
            let again = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos")])
            #expect(again.receipt?.alarms.first != id)
        }
    }

    @Test func aSilentDeviceGoesOfflineWithAnAlarmAndItsReturnClearsIt() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app, kind: "smoke")
            // Only this device is watched here (the demo town's own are set aside).
            try await app.sql.update("devices").set("status", to: "revoked").where("id", .notEqual, device.id).run()
            try await SensingFixture.send(app, key: device.key, [SensingFixture.event("heartbeat", ["battery": 80])])
            let now = Date()
            let rules = AlarmRules.defaults
            let ladder = EscalationLadder.standard
            let channels = app.zhili.config.notifications
            #expect(
                try await SensingClock.offline(
                    on: app.sql, rules: rules, ladder: ladder, channels: channels, now: now.addingTimeInterval(120))
                    == 0)
            #expect(
                try await SensingClock.offline(
                    on: app.sql, rules: rules, ladder: ladder, channels: channels, now: now.addingTimeInterval(185))
                    == 1)
            #expect(
                try await SensingClock.offline(
                    on: app.sql, rules: rules, ladder: ladder, channels: channels, now: now.addingTimeInterval(190))
                    == 0)
            let gone = try #require(try await DeviceRegistry.find(device.id, on: app.sql))
            #expect(!gone.online && gone.battery == 80)
            let offline = try await AlarmDesk.list(
                .init(open: true, rule: "offline"), for: try await principal(app, "admin"), on: app.sql)
            #expect(offline.count == 1 && offline.first?.device_id == device.id)
            try await SensingFixture.send(app, key: device.key, [SensingFixture.event("heartbeat")])
            #expect(try #require(try await DeviceRegistry.find(device.id, on: app.sql)).online)
            let cleared = try await SensingFixture.alarm(app, try #require(offline.first).id)
            #expect(cleared.status == "resolved")
            #expect(
                try await AlarmDesk.timeline(cleared.id, on: app.sql).map(\.action).sorted() == ["cleared", "raised"])
        }
    }

    @Test func someoneLivingAloneWithNoActivityForADayRaisesAWarning() async throws {
        try await withTestApp { app in
            let grid = try await app.gridCodes()[0]
            let resident = try await app.residentID(under: grid)
            try await app.sql.insert(into: "resident_tags").columns(
                "id", "resident_id", "household_code", "tag", "created_at"
            )
            .values(SQLBind(UUID()), SQLBind(resident), SQLBind(grid), SQLBind("elderly_alone"), SQLBind(Date())).run()
            let door = try await SensingFixture.register(app, kind: "door", resident: resident)
            try await app.sql.update("devices").set("status", to: "revoked").where("id", .notEqual, door.id).run()
            let now = Date()
            let ladder = EscalationLadder.standard
            let channels = app.zhili.config.notifications
            // A new sensor is given its first day.
            #expect(
                try await SensingClock.inactivity(
                    on: app.sql, rules: AlarmRules.defaults, ladder: ladder, channels: channels, now: now) == 0)
            try await app.sql.update("devices").set("created_at", to: now.addingTimeInterval(-3 * 86400)).where(
                "id", .equal, door.id
            ).run()
            // Heartbeats are not activity.
            try await SensingFixture.send(app, key: door.key, [SensingFixture.event("heartbeat")])
            #expect(
                try await SensingClock.inactivity(
                    on: app.sql, rules: AlarmRules.defaults, ladder: ladder, channels: channels, now: now) == 1)
            #expect(
                try await SensingClock.inactivity(
                    on: app.sql, rules: AlarmRules.defaults, ladder: ladder, channels: channels, now: now) == 0)
            let open = try await AlarmDesk.list(
                .init(open: true, rule: "inactivity"), for: try await principal(app, "admin"), on: app.sql)
            #expect(open.count == 1 && open.first?.resident_id == resident && open.first?.severity == "warning")
            // Someone whose door opened today raises nothing.
            try await app.sql.update("alarms").set("status", to: "resolved").run()
            try await SensingFixture.send(app, key: door.key, [SensingFixture.event("activity")])
            #expect(
                try await SensingClock.inactivity(
                    on: app.sql, rules: AlarmRules.defaults, ladder: ladder, channels: channels, now: now) == 0)
        }
    }

    @Test func badInputIsRefusedClearlyAndNothingIsHalfStored() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app)
            let (events, alarms) = (try await app.count("device_events"), try await app.count("alarms"))
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            try await app.testing().test(
                .POST, "/api/v1/ingest/events", headers: json,
                body: try RegistryFixture.json(SensingFixture.event("sos"))
            ) { res in
                #expect(res.status == .unauthorized)
                #expect(errorCode(res) == "device_unauthenticated")
            }
            try await SensingFixture.send(
                app, key: "zd_" + String(repeating: "0", count: 40), [SensingFixture.event("sos")],
                expect: .unauthorized)
            try await app.testing().test(
                .POST, "/api/v1/ingest/events",
                headers: ["X-Device-Key": device.key, "Content-Type": "application/json"],
                body: ByteBuffer(string: "{\"id\": \"x\", \"kind\": ")
            ) { res in
                #expect(res.status == .badRequest)
                #expect(errorCode(res) == "malformed_event")
            }
            let unknown = try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("explosion")], expect: .unprocessableEntity)
            #expect(unknown.body.contains("kind"))
            try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("sos", at: Date().addingTimeInterval(-2 * 86400))],
                expect: .unprocessableEntity)
            try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("sos", at: Date().addingTimeInterval(3600))],
                expect: .unprocessableEntity)
            try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("heart_rate")], expect: .unprocessableEntity)
            try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("heartbeat", ["battery": 140])],
                expect: .unprocessableEntity)
            // One bad event refuses the batch, naming it; nothing of it is stored.
            let mixed = try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("heartbeat"), SensingFixture.event("nonsense")],
                expect: .unprocessableEntity)
            #expect(mixed.body.contains("events[1].kind"))
            let tooMany = (0...SensingWire.maxBatch).map { SensingFixture.event("heartbeat", id: "b\($0)") }
            try await SensingFixture.send(app, key: device.key, tooMany, expect: .unprocessableEntity)
            try await SensingFixture.send(
                app, key: device.key,
                [SensingFixture.event("heartbeat", id: "same"), SensingFixture.event("heartbeat", id: "same")],
                expect: .unprocessableEntity)
            #expect(try await app.count("device_events") == events)
            #expect(try await app.count("alarms") == alarms)
            // A batch within the limit is stored whole.
            let fine = (0..<500).map { SensingFixture.event("heartbeat", id: "ok\($0)", ["battery": 90]) }
            #expect(try await SensingFixture.send(app, key: device.key, fine).receipt?.accepted == 500)
        }
    }

    @Test func aRotatedKeyStopsTheOldOneAndARevokedDeviceIsRefused() async throws {
        try await withTestApp { app in
            let device = try await SensingFixture.register(app)
            let staff = try await app.bearer("community")
            try await SensingFixture.send(app, key: device.key, [SensingFixture.event("heartbeat")])
            var fresh = ""
            try await app.testing().test(.POST, "/api/v1/devices/\(device.id)/key", headers: staff) { res in
                #expect(res.status == .ok)
                fresh = (try? res.content.decode(DeviceRegistry.Issued.self).key) ?? ""
            }
            #expect(fresh.hasPrefix("zd_") && fresh != device.key)
            try await SensingFixture.send(
                app, key: device.key, [SensingFixture.event("heartbeat")], expect: .unauthorized)
            try await SensingFixture.send(app, key: fresh, [SensingFixture.event("heartbeat")])
            // The key is never shown again, nor stored: only its hash and its last four.
            try await app.testing().test(.GET, "/api/v1/devices/\(device.id)", headers: staff) { res in
                #expect(!res.body.string.contains(fresh))
                #expect(res.body.string.contains(String(fresh.suffix(4))))
            }
            #expect(
                try await app.sql.raw("SELECT COUNT(*) AS n FROM devices WHERE key_hash = \(bind: fresh)").first(
                    decoding: Count.self)?.n == 0)
            try await app.testing().test(.POST, "/api/v1/devices/\(device.id)/revoke", headers: staff) { res in
                #expect(res.status == .ok)
            }
            try await SensingFixture.send(app, key: fresh, [SensingFixture.event("sos")], expect: .unauthorized)
            // Grid workers see devices but do not manage their keys; another grid's staff does not see it.
            try await app.testing().test(
                .POST, "/api/v1/devices/\(device.id)/key", headers: try await app.bearer("grid001")
            ) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.GET, "/api/v1/devices/\(device.id)", headers: try await app.bearer("grid004"))
            { res in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func rulesAreChangedByAdministratorsAndSOSCannotBeSilenced() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .PUT, "/api/v1/alarm-rules/sos", headers: admin, body: try RegistryFixture.json(["enabled": false])
            ) { res in
                #expect(res.status == .conflict)
                #expect(errorCode(res) == "sos_cannot_be_disabled")
            }
            try await app.testing().test(
                .PUT, "/api/v1/alarm-rules/heart_rate", headers: admin,
                body: try RegistryFixture.json(["params": ["low": 150, "high": 100]])
            ) { res in
                #expect(res.status == .unprocessableEntity)
            }
            try await app.testing().test(
                .PUT, "/api/v1/alarm-rules/fall", headers: admin, body: try RegistryFixture.json(["severity": "major"])
            ) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(
                .PUT, "/api/v1/alarm-rules/battery_low", headers: admin,
                body: try RegistryFixture.json(["enabled": false])
            ) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(
                .PUT, "/api/v1/alarm-rules/fall",
                headers: try await app.bearer("community").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["severity": "minor"])
            ) { res in
                #expect(res.status == .forbidden)
            }
            let device = try await SensingFixture.register(app, kind: "wristband")
            let r = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("fall", ["battery": 5])])
            let ids = try #require(r.receipt?.alarms)
            #expect(ids.count == 1, "the battery rule is off")
            #expect(try await SensingFixture.alarm(app, ids[0]).severity == "major")
        }
    }

    private struct Count: Decodable { let n: Int }

    /// An administrator (the whole deployment in scope), for reading what the clocks did.
    private func principal(_ app: Application, _ username: String) async throws -> Principal {
        Principal(
            userID: try await app.userID(username), username: username, displayName: username, role: .admin,
            department: nil, nodeCode: nil, residentID: nil)
    }
}
