import Foundation
import Logging
import SQLKit
import Synchronization
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

/// The MQTT door against a real mosquitto broker (scripts/mqtt-broker.sh; `scripts/test.sh`
/// starts one and sets ZHILI_TEST_MQTT_URL). Each test has its own topic root and client ids,
/// so tests share the broker without seeing each other's messages.
enum MQTTFixture {
    static var url: String? {
        let url = ProcessInfo.processInfo.environment["ZHILI_TEST_MQTT_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static var available: Bool { url != nil }

    /// A test app with the door running (one ingest connection: messages stored in order).
    static func withDoor(connections: Int = 1, _ body: (Application, MQTTDoor, MQTTEndpoint) async throws -> Void)
        async throws
    {
        let raw = try #require(url)
        let endpoint = try #require(MQTTEndpoint(url: raw))
        let tag = UUID().uuidString.lowercased().prefix(8)
        try await withTestApp(settings: { c in
            c.mqtt = endpoint
            c.mqttConnections = connections
            c.mqttTopicRoot = "t\(tag)"
            c.mqttClientPrefix = "test-\(tag)"
        }) { app in
            let door = try #require(app.sensing.door)
            try await door.didBootAsync(app)
            do {
                try await door.waitReady()
                try await body(app, door, endpoint)
            } catch {
                await door.shutdownAsync(app)
                throw error
            }
            await door.shutdownAsync(app)
        }
    }

    /// A device on the broker, signed in with its code and key, hearing its errors topic.
    final class Device: Sendable {
        let client: MQTTClient
        let code: String
        private let heard = Mutex<[(topic: String, body: String)]>([])

        init(code: String, key: String, root: String, endpoint: MQTTEndpoint) throws {
            self.code = code
            let me = Mutex<Device?>(nil)
            client = MQTTClient(
                clientID: code, cleanSession: true,
                endpoint: MQTTEndpoint(host: endpoint.host, port: endpoint.port, username: code, password: key),
                subscriptions: [.init(filter: "\(root)/devices/\(code)/errors", qos: 0)],
                logger: Logger(label: "test-device")
            ) { topic, payload in
                me.withLock { $0 }?.take(topic, payload)
            }
            me.withLock { $0 = self }
            try client.start()
        }

        private func take(_ topic: String, _ payload: [UInt8]) {
            heard.withLock { $0.append((topic, String(decoding: payload, as: UTF8.self))) }
        }

        var errors: [String] { heard.withLock { $0.map(\.body) } }

        func publish(_ topic: String, _ object: [String: Any]) throws {
            try client.publish(topic, Array(try JSONSerialization.data(withJSONObject: object)), qos: 1)
        }

        func publish(_ topic: String, raw: String) throws { try client.publish(topic, Array(raw.utf8), qos: 1) }

        func stop() { client.stop() }
    }

    static func device(_ app: Application, code: String, key: String) throws -> Device {
        let config = app.zhili.config
        return try Device(code: code, key: key, root: config.mqttTopicRoot, endpoint: try #require(config.mqtt))
    }

    static func events(_ app: Application, device: UUID) async throws -> [String] {
        struct E: Decodable { let event_id: String }
        return try await app.db.sql.select().column("event_id").from("device_events").where("device_id", .equal, device)
            .orderBy("event_id").all(decoding: E.self).map(\.event_id)
    }

    /// Waits until the device has stored the event.
    static func waitStored(_ app: Application, device: UUID, _ eventID: String, within seconds: Double = 30)
        async throws
    {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await events(app, device: device).contains(eventID) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        let stored = try await events(app, device: device)
        Issue.record(
            "event \(eventID) was not stored within \(seconds) s (\(stored.count) stored: \(stored.suffix(5)))")
    }

    /// A device registered through the API, given its broker account and signed in.
    static func signedIn(_ app: Application, _ door: MQTTDoor) async throws -> (SensingFixture.Device, String, Device) {
        let registered = try await SensingFixture.register(app)
        try await door.applyAccounts(app)
        let code = try await Self.code(app, registered.id)
        let device = try Self.device(app, code: code, key: registered.key)
        try await device.client.waitConnected(timeout: .seconds(10))
        return (registered, code, device)
    }

    static func code(_ app: Application, _ id: UUID) async throws -> String {
        try #require(try await DeviceRegistry.find(id, on: app.db.sql)).code
    }
}

@Suite(
    "MQTT: devices publish through mosquitto, the platform stores before it acknowledges",
    .enabled(if: MQTTFixture.available, "set ZHILI_TEST_MQTT_URL (scripts/mqtt-broker.sh start)"),
    .timeLimit(.minutes(15)))
struct MQTTTests {
    @Test func aRegisteredDeviceSignsInAndItsSOSRaisesAnAlarmOnceEvenWhenSentTwice() async throws {
        try await MQTTFixture.withDoor { app, door, _ in
            let registered = try await SensingFixture.register(app)
            // Registering queued the broker account; applying it creates the device's client.
            try await door.applyAccounts(app)
            #expect(try await BrokerAccounts.pending(on: app.db.sql) == 0)
            let code = try await MQTTFixture.code(app, registered.id)
            let device = try MQTTFixture.device(app, code: code, key: registered.key)
            defer { device.stop() }
            try await device.client.waitConnected(timeout: .seconds(10))
            let topic = "\(app.zhili.config.mqttTopicRoot)/devices/\(code)/events"
            let alarms = try await app.count("alarms")
            try device.publish(topic, SensingFixture.event("sos", id: "m-1"))
            try await MQTTFixture.waitStored(app, device: registered.id, "m-1")
            #expect(try await app.count("alarms") == alarms + 1)
            #expect(try await NotificationFixture.kinds(app, "grid001").contains("alarm.raised"))
            // Sent again (a device that missed the PUBACK), then a batch: stored once, in order.
            try device.publish(topic, SensingFixture.event("sos", id: "m-1"))
            try device.publish(
                topic,
                [
                    "events": [
                        SensingFixture.event("heartbeat", id: "m-2"), SensingFixture.event("heartbeat", id: "m-3"),
                    ]
                ])
            try await MQTTFixture.waitStored(app, device: registered.id, "m-3")
            #expect(try await MQTTFixture.events(app, device: registered.id) == ["m-1", "m-2", "m-3"])
            #expect(try await app.count("alarms") == alarms + 1)
            let row = try #require(try await DeviceRegistry.find(registered.id, on: app.db.sql))
            #expect(row.online)
        }
    }

    @Test func aDeviceCannotPublishForAnotherAndBadMessagesAreAnsweredOnItsErrorsTopic() async throws {
        try await MQTTFixture.withDoor { app, door, _ in
            let a = try await SensingFixture.register(app)
            let b = try await SensingFixture.register(app)
            try await door.applyAccounts(app)
            let (codeA, codeB) = (try await MQTTFixture.code(app, a.id), try await MQTTFixture.code(app, b.id))
            let device = try MQTTFixture.device(app, code: codeA, key: a.key)
            defer { device.stop() }
            try await device.client.waitConnected(timeout: .seconds(10))
            let root = app.zhili.config.mqttTopicRoot
            // B's topic: the broker drops it (A's role allows its own topic only).
            try device.publish("\(root)/devices/\(codeB)/events", SensingFixture.event("sos", id: "forged"))
            // Malformed, stale and oversized messages on A's own topic: refused, answered.
            try device.publish("\(root)/devices/\(codeA)/events", raw: "{not json")
            try device.publish(
                "\(root)/devices/\(codeA)/events",
                SensingFixture.event("sos", id: "old", at: Date().addingTimeInterval(-3 * 86400)))
            try device.publish(
                "\(root)/devices/\(codeA)/events",
                raw: "{\"id\":\"big\",\"kind\":\"heartbeat\",\"detail\":\"\(String(repeating: "x", count: 600_000))\"}")
            try device.publish("\(root)/devices/\(codeA)/events", SensingFixture.event("heartbeat", id: "fine"))
            try await MQTTFixture.waitStored(app, device: a.id, "fine")
            #expect(try await MQTTFixture.events(app, device: a.id) == ["fine"])
            #expect(try await MQTTFixture.events(app, device: b.id).isEmpty)
            let deadline = Date().addingTimeInterval(5)
            while device.errors.count < 3, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let errors = device.errors
            #expect(errors.count == 3, "\(errors)")
            #expect(errors.contains { $0.contains("malformed_event") && $0.contains("事件格式错误") })
            #expect(errors.contains { $0.contains("\"field\":\"at\"") })
            #expect(errors.contains { $0.contains("oversized") })
            let metrics = Metrics.registry.emitToString()
            #expect(metrics.contains("zhili_mqtt_messages_total"))
            #expect(metrics.contains("zhili_ingest_rejected_total{reason=\"malformed\"}"))
        }
    }

    @Test func aRevokedOrRotatedKeyNoLongerSignsIn() async throws {
        try await MQTTFixture.withDoor { app, door, endpoint in
            let registered = try await SensingFixture.register(app)
            try await door.applyAccounts(app)
            let code = try await MQTTFixture.code(app, registered.id)
            let first = try MQTTFixture.device(app, code: code, key: registered.key)
            try await first.client.waitConnected(timeout: .seconds(10))
            // A new key: the broker signs the old session out and refuses the old key.
            var newKey = ""
            try await app.testing().test(
                .POST, "/api/v1/devices/\(registered.id)/key", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                newKey = (try? res.content.decode(DeviceRegistry.Issued.self))?.key ?? ""
            }
            try await door.applyAccounts(app)
            try await Self.waitSignedOut(first)
            first.stop()
            let old = try MQTTFixture.device(app, code: code, key: registered.key)
            await #expect(throws: MQTTError.self) { try await old.client.waitConnected(timeout: .seconds(2)) }
            old.stop()
            let fresh = try MQTTFixture.device(app, code: code, key: newKey)
            try await fresh.client.waitConnected(timeout: .seconds(10))
            try fresh.publish(
                "\(app.zhili.config.mqttTopicRoot)/devices/\(code)/events", SensingFixture.event("heartbeat", id: "r-1")
            )
            try await MQTTFixture.waitStored(app, device: registered.id, "r-1")
            // Revoked: signed out, and the key no longer works.
            try await app.testing().test(
                .POST, "/api/v1/devices/\(registered.id)/revoke", headers: try await app.bearer("community")
            ) { res in #expect(res.status == .ok, "\(res.body.string)") }
            try await door.applyAccounts(app)
            try await Self.waitSignedOut(fresh)
            fresh.stop()
            let again = try MQTTFixture.device(app, code: code, key: newKey)
            await #expect(throws: MQTTError.self) { try await again.client.waitConnected(timeout: .seconds(2)) }
            again.stop()
            _ = endpoint
        }
    }

    @Test func messagesSentWhileThePlatformIsDownAreStoredWhenItReturns() async throws {
        try await MQTTFixture.withDoor { app, door, _ in
            let (registered, code, device) = try await MQTTFixture.signedIn(app, door)
            defer { device.stop() }
            await door.shutdownAsync(app)
            let topic = "\(app.zhili.config.mqttTopicRoot)/devices/\(code)/events"
            for n in 1...20 { try device.publish(topic, SensingFixture.event("heartbeat", id: "d-\(n)")) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await MQTTFixture.events(app, device: registered.id).isEmpty)
            // The same client ids come back: the broker delivers what it kept in their sessions.
            let back = MQTTDoor()
            try await back.didBootAsync(app)
            // Each of the door's sessions gets back what the broker kept for it once it is
            // connected again, which inside the whole suite on two cores can take a while.
            for n in 1...20 { try await MQTTFixture.waitStored(app, device: registered.id, "d-\(n)", within: 180) }
            let stored = try await MQTTFixture.events(app, device: registered.id)
            #expect(stored.count == 20, "\(stored)")
            await back.shutdownAsync(app)
        }
    }

    @Test func aMessageThePlatformCouldNotStoreIsNotAcknowledgedAndComesBack() async throws {
        try await MQTTFixture.withDoor { app, door, _ in
            let (registered, code, device) = try await MQTTFixture.signedIn(app, door)
            defer { device.stop() }
            // Storing fails (the table is away): the door retries, and stops without the PUBACK.
            try await app.db.sql.raw("ALTER TABLE device_events RENAME TO device_events_away").run()
            try device.publish(
                "\(app.zhili.config.mqttTopicRoot)/devices/\(code)/events", SensingFixture.event("sos", id: "s-1"))
            try await Task.sleep(for: .milliseconds(600))
            await door.shutdownAsync(app)
            try await app.db.sql.raw("ALTER TABLE device_events_away RENAME TO device_events").run()
            #expect(try await MQTTFixture.events(app, device: registered.id).isEmpty)
            let back = MQTTDoor()
            try await back.didBootAsync(app)
            try await MQTTFixture.waitStored(app, device: registered.id, "s-1")
            await back.shutdownAsync(app)
        }
    }

    @Test func aConnectionWhoseSocketIsNumberedPast1024Works() async throws {
        // A server holding many sockets hands the broker connection a high number, which
        // select(2) (libmosquitto's own loop) cannot wait on.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(limit.rlim_cur > 1200, "needs a file limit above 1200")
        var held: [Int32] = []
        while held.count < 1100 { held.append(open("/dev/null", O_RDONLY)) }
        defer { for fd in held { close(fd) } }
        try await MQTTFixture.withDoor { app, door, _ in
            let (registered, code, device) = try await MQTTFixture.signedIn(app, door)
            defer { device.stop() }
            try device.publish(
                "\(app.zhili.config.mqttTopicRoot)/devices/\(code)/events", SensingFixture.event("sos", id: "hi-1"))
            try await MQTTFixture.waitStored(app, device: registered.id, "hi-1")
        }
    }

    private static func waitSignedOut(_ device: MQTTFixture.Device) async throws {
        let deadline = Date().addingTimeInterval(5)
        while device.client.isConnected, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!device.client.isConnected)
    }
}

@Suite("MQTT and wristband settings")
struct SensingDoorSettingsTests {
    @Test func theBrokerAndThePortsAreReadFromFlagsAndTheEnvironmentAndBadValuesAreRefused() throws {
        let c = try ConfigLoader(
            arguments: ["--mqtt-url", "mqtt://admin:p%40ss@broker.city:1884", "--wristband-port", "18001"],
            environment: ["ZHILI_MQTT_CONNECTIONS": "4", "ZHILI_MQTT_TOPIC_ROOT": "dunhuang"]
        ).load()
        #expect(c.mqtt == MQTTEndpoint(host: "broker.city", port: 1884, username: "admin", password: "p@ss"))
        #expect(c.wristbandPort == 18001 && c.mqttConnections == 4 && c.mqttTopicRoot == "dunhuang")
        #expect(try ConfigLoader(arguments: [], environment: [:]).load().mqtt == nil)
        for (args, env) in [
            (["--mqtt-url", "http://x:y@h"], [String: String]()), (["--mqtt-url", "mqtt://host-without-user"], [:]),
            (["--wristband-port", "70000"], [:]), ([], ["ZHILI_MQTT_CONNECTIONS": "0"]),
            ([], ["ZHILI_MQTT_TOPIC_ROOT": "Has/Slash"]),
        ] {
            #expect(throws: ConfigError.self) { try ConfigLoader(arguments: args, environment: env).load() }
        }
    }
}
