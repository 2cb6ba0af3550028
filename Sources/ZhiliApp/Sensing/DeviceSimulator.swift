import Foundation
import NIOCore
import NIOPosix
import SQLKit
import Synchronization
import Vapor
import ZhiliDomain

/// Drives the demo city's devices over the platform's HTTP door (and, with a broker, some of
/// them over MQTT: each signs in to the broker as itself and publishes to its own topic), as
/// the devices themselves would: each sends a heartbeat with its battery every minute, wristbands their heart rate
/// (and now and then a position), door sensors the comings and goings of the day; rarely an
/// SOS, a fall or a camera's event. `serve --demo` runs it against itself; `zhili simulate`
/// runs it against any instance serving a demo city. It signs in as each device with the
/// demo's derivable key (`SensingDemo.key`): devices given other keys are left alone.
final class DeviceSimulator: Sendable {
    struct Device: Sendable, Decodable {
        let code: String
        let kind: String
        let lat: Double?
        let lon: Double?
    }

    struct Settings: Sendable {
        var baseURL: String
        var seed: UInt64 = DemoCity.defaultSeed
        /// Seconds between a device's heartbeats.
        var heartbeat: Double = 60
        /// Chance per device and heartbeat of a rare event (SOS, fall, camera alert).
        var incidents: Double = 0.0015
        /// The broker and topics for the devices in `overMQTT`.
        var broker: MQTTEndpoint?
        var topics: MQTTTopics?
        var overMQTT: Set<String> = []
        /// The wristband port, for the wristbands in `overWatch` (they speak the watch protocol).
        var wristbandPort: Int?
        var overWatch: Set<String> = []
    }

    /// The wristbands that speak the watch protocol in the demo, at most `limit`.
    static func watchSpeakers(_ devices: [Device], limit: Int = 12) -> [Device] {
        Array(devices.filter { $0.kind == DeviceKind.wristband.rawValue }.prefix(limit))
    }

    /// The SOS buttons and smoke detectors that send over MQTT in the demo (cellular devices of
    /// this kind usually speak it), at most `limit`: each is a connection of its own.
    static func mqttSpeakers(_ devices: [Device], limit: Int = 24) -> [Device] {
        Array(
            devices.filter { $0.kind == DeviceKind.sos.rawValue || $0.kind == DeviceKind.smoke.rawValue }.prefix(limit))
    }

    private let settings: Settings
    private let client: any Client
    private let logger: Logger
    let sent = Mutex<(events: Int, failed: Int)>((0, 0))
    private let connections = Mutex<[String: MQTTClient]>([:])

    init(settings: Settings, client: any Client, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    static func devices(on db: any SQLDatabase) async throws -> [Device] {
        try await db.select().columns("code", "kind", "lat", "lon").from("devices").where("status", .equal, "active")
            .orderBy("code").all(decoding: Device.self)
    }

    /// Sends until cancelled: the devices spread over the heartbeat period, so the load is even.
    func run(_ devices: [Device]) async {
        guard !devices.isEmpty else { return }
        var rng = SeededGenerator(seed: settings.seed ^ UInt64(Date().timeIntervalSince1970))
        var battery = Dictionary(devices.map { ($0.code, Double(rng.int(40...100))) }, uniquingKeysWith: { a, _ in a })
        var refused = Set<String>()
        var serial = 0
        let gap = settings.heartbeat / Double(devices.count)
        defer {
            for c in connections.withLock({ Array($0.values) }) { c.stop() }
        }
        while !Task.isCancelled {
            for d in devices where !refused.contains(d.code) {
                if Task.isCancelled { return }
                serial += 1
                battery[d.code] = max(5, (battery[d.code] ?? 80) - rng.unitInterval() * 0.05)
                let events = self.events(for: d, battery: Int(battery[d.code] ?? 80), serial: serial, rng: &rng)
                let status =
                    if settings.overMQTT.contains(d.code) {
                        publish(d, events)
                    } else if settings.overWatch.contains(d.code) {
                        await sendAsWatch(d, events)
                    } else if d.kind == DeviceKind.camera.rawValue {
                        await sendAsCamera(d, events)
                    } else {
                        await send(d, events)
                    }
                if status == .unauthorized {
                    refused.insert(d.code)
                    logger.info("simulator: \(d.code) has a key of its own; leaving it alone")
                }
                try? await Task.sleep(for: .milliseconds(Int(gap * 1000)))
            }
        }
    }

    private func events(for d: Device, battery: Int, serial: Int, rng: inout SeededGenerator) -> [[String: Any]] {
        let id = "sim-\(UInt64(Date().timeIntervalSince1970 * 1000))-\(serial)"
        var out: [[String: Any]] = [["id": id, "kind": "heartbeat", "battery": battery]]
        let hour =
            Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Shanghai")!, from: Date())
            .hour ?? 12
        switch d.kind {
        case "wristband":
            let calm = Double(rng.int(62...92))
            out.append(["id": id + "-hr", "kind": "heart_rate", "value": calm])
            if rng.chance(0.1), let lat = d.lat, let lon = d.lon {
                out.append([
                    "id": id + "-loc", "kind": "location", "lat": lat + (rng.unitInterval() - 0.5) * 0.002,
                    "lon": lon + (rng.unitInterval() - 0.5) * 0.002,
                ])
            }
            if rng.chance(settings.incidents) { out.append(["id": id + "-fall", "kind": "fall"]) }
        case "door":
            if (7...21).contains(hour), rng.chance(0.25) { out.append(["id": id + "-act", "kind": "activity"]) }
        case "sos":
            if rng.chance(settings.incidents) { out.append(["id": id + "-sos", "kind": "sos"]) }
        case "camera":
            if rng.chance(settings.incidents * 2) {
                let kind = ["fire_lane", "crowd", "intrusion"][rng.int(0...2)]
                var e: [String: Any] = ["id": id + "-cam", "kind": kind, "detail": "通道 1"]
                if kind == "crowd" { e["value"] = Double(rng.int(52...90)) }
                out.append(e)
            }
        default: break
        }
        return out
    }

    /// Over MQTT: the device's own connection (signed in with its code and key), QoS 1.
    private func publish(_ d: Device, _ events: [[String: Any]]) -> HTTPStatus? {
        guard let broker = settings.broker, let topics = settings.topics else { return nil }
        let client = connections.withLock { c -> MQTTClient? in
            if let existing = c[d.code] { return existing }
            let key = SensingDemo.key(code: d.code, seed: settings.seed)
            let made = MQTTClient(
                clientID: d.code, cleanSession: true,
                endpoint: MQTTEndpoint(host: broker.host, port: broker.port, username: d.code, password: key),
                subscriptions: [], logger: logger
            ) { _, _ in }
            guard (try? made.start()) != nil else { return nil }
            c[d.code] = made
            return made
        }
        guard let client, client.isConnected,
            let body = try? JSONSerialization.data(withJSONObject: ["events": events]),
            (try? client.publish(topics.events(d.code), Array(body), qos: 1)) != nil
        else {
            sent.withLock { $0.failed += 1 }
            return nil
        }
        sent.withLock { $0.events += events.count }
        return .ok
    }

    /// As a watch: one connection per round, frames in the watch protocol, the answers awaited.
    private func sendAsWatch(_ d: Device, _ events: [[String: Any]]) async -> HTTPStatus? {
        guard let port = settings.wristbandPort else { return nil }
        var frames: [String] = []
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "ddMMyy,HHmmss"
        let stamp = f.string(from: Date())
        for e in events {
            let battery = e["battery"] as? Int ?? 80
            switch e["kind"] as? String {
            case "heartbeat": frames.append("LK,0,0,\(battery)")
            case "heart_rate": frames.append("heart,\(Int(e["value"] as? Double ?? 75))")
            case "location":
                let lat = e["lat"] as? Double ?? 0
                let lon = e["lon"] as? Double ?? 0
                frames.append(
                    String(format: "UD,%@,A,%.6f,N,%.6f,E,0,0,1100,6,80,%d,0,0,00000000", stamp, lat, lon, 80))
            case "fall": frames.append("AL,\(stamp),V,0,N,0,E,0,0,0,0,80,80,0,0,00200000")
            default: break
            }
        }
        let text = frames.map { c in "[3G*\(d.code)*\(String(format: "%04X", c.utf8.count))*\(c)]" }.joined()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let expected = frames.filter { $0.hasPrefix("LK") || $0.hasPrefix("AL") }.count
            let answered = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: text))
                var seen = 0
                var iterator = inbound.makeAsyncIterator()
                while seen < expected, let chunk = try await iterator.next() {
                    seen += chunk.readableBytesView.filter { $0 == UInt8(ascii: "]") }.count
                }
                return seen >= expected
            }
            sent.withLock {
                if answered { $0.events += events.count } else { $0.failed += 1 }
            }
            return answered ? .ok : .unauthorized
        } catch {
            sent.withLock { $0.failed += 1 }
            return nil
        }
    }

    /// As an IP camera: each event its own EventNotificationAlert document (XML), the
    /// heartbeat an inactive one.
    private func sendAsCamera(_ d: Device, _ events: [[String: Any]]) async -> HTTPStatus? {
        let key = SensingDemo.key(code: d.code, seed: settings.seed)
        var last: HTTPStatus?
        for e in events {
            let (type, state, extra): (String, String, String) =
                switch e["kind"] as? String {
                case "intrusion": ("fielddetection", "active", "")
                case "fire_lane": ("illegalParking", "active", "")
                case "crowd": ("peopleDensity", "active", "<peopleNum>\(Int(e["value"] as? Double ?? 60))</peopleNum>")
                default: ("videoloss", "inactive", "")
                }
            let body = """
                <?xml version="1.0" encoding="UTF-8"?>
                <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
                <channelID>1</channelID><dateTime>\(Date().formatted(.iso8601))</dateTime><activePostCount>1</activePostCount>
                <eventType>\(type)</eventType><eventState>\(state)</eventState><channelName>通道 1</channelName>\(extra)
                </EventNotificationAlert>
                """
            // An active event comes with the camera's snapshot, as cameras send it (multipart).
            let picture = state == "active" ? Self.snapshot(seed: d.code.hashValue) : nil
            do {
                let response = try await client.post(URI(string: settings.baseURL + "/api/v1/ingest/camera")) { req in
                    req.headers.basicAuthorization = BasicAuthorization(username: d.code, password: key)
                    if let picture {
                        let boundary = "zhili-camera-\(UUID().uuidString)"
                        var buffer = ByteBuffer()
                        buffer.writeString(
                            "--\(boundary)\r\nContent-Disposition: form-data; name=\"event\"; filename=\"event.xml\"\r\n"
                                + "Content-Type: application/xml\r\n\r\n\(body)\r\n--\(boundary)\r\n"
                                + "Content-Disposition: form-data; name=\"picture\"; filename=\"snapshot.jpg\"\r\n"
                                + "Content-Type: image/jpeg\r\n\r\n")
                        buffer.writeBytes(picture)
                        buffer.writeString("\r\n--\(boundary)--\r\n")
                        req.headers.replaceOrAdd(
                            name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                        req.body = buffer
                    } else {
                        req.headers.contentType = .xml
                        req.body = ByteBuffer(string: body)
                    }
                }
                sent.withLock {
                    if response.status == .ok { $0.events += 1 } else { $0.failed += 1 }
                }
                last = response.status
                if response.status == .unauthorized { return last }
            } catch {
                sent.withLock { $0.failed += 1 }
                return nil
            }
        }
        return last
    }

    private func send(_ d: Device, _ events: [[String: Any]]) async -> HTTPStatus? {
        let key = SensingDemo.key(code: d.code, seed: settings.seed)
        do {
            let body = try JSONSerialization.data(withJSONObject: ["events": events])
            let response = try await client.post(URI(string: settings.baseURL + "/api/v1/ingest/batch")) { req in
                req.headers.replaceOrAdd(name: "X-Device-Key", value: key)
                req.headers.contentType = .json
                req.body = ByteBuffer(data: body)
            }
            sent.withLock {
                if response.status == .ok { $0.events += events.count } else { $0.failed += 1 }
            }
            return response.status
        } catch {
            sent.withLock { $0.failed += 1 }
            return nil
        }
    }
}

/// `serve --demo`: the simulator runs beside the server, against the server itself.
final class DemoSimulatorService: LifecycleHandler, Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func didBootAsync(_ application: Application) async throws {
        let app = application
        let host = app.http.server.configuration.hostname
        let port = app.http.server.configuration.port
        let base = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        let t = Task {
            // Wait for the server to listen.
            for _ in 0..<120 {
                if Task.isCancelled { return }
                if let r = try? await app.client.get(URI(string: base + "/healthz")), r.status == .ok { break }
                try? await Task.sleep(for: .milliseconds(500))
            }
            guard let devices = try? await DeviceSimulator.devices(on: app.db.sql) else { return }
            var settings = DeviceSimulator.Settings(baseURL: base)
            if let broker = app.sensing.broker, let door = app.sensing.door, let endpoint = app.zhili.config.mqtt {
                // The demo's keys are derivable: give the broker those of the devices that speak MQTT.
                let speakers = DeviceSimulator.mqttSpeakers(devices)
                do {
                    for d in speakers {
                        try await broker.provision(
                            code: d.code, key: SensingDemo.key(code: d.code, seed: settings.seed), on: app.db.sql)
                    }
                    try await door.applyAccounts(app)
                    settings.broker = endpoint
                    settings.topics = broker.topics
                    settings.overMQTT = Set(speakers.map(\.code))
                } catch {
                    app.logger.warning("device simulator: no MQTT devices (\(String(describing: error)))")
                }
            }
            if let port = app.zhili.config.wristbandPort, port > 0 {
                settings.wristbandPort = port
                settings.overWatch = Set(DeviceSimulator.watchSpeakers(devices).map(\.code))
            }
            app.logger.notice(
                "device simulator: \(devices.count) demo devices sending to \(base), \(settings.overMQTT.count) of them over MQTT, \(settings.overWatch.count) over the wristband port"
            )
            let sim = DeviceSimulator(settings: settings, client: app.client, logger: app.logger)
            await sim.run(devices)
        }
        task.withLock { $0 = t }
    }

    func shutdownAsync(_ application: Application) async {
        let t = task.withLock { $0 }
        t?.cancel()
        await t?.value
    }
}
