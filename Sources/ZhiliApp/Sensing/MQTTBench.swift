import Foundation
import SQLKit
import Vapor

/// `zhili bench-mqtt`: MQTT ingestion through the broker as a city would see it. N devices
/// (codes and keys from a file, already registered with a serving instance that has a broker)
/// sign in to the broker, each as itself, and publish M single-event messages between them at
/// QoS 1 as fast as the broker takes them; the run ends when the database holds all M events.
/// Prints messages per second from the first publish to the last event stored.
enum MQTTBench {
    static func run(_ loader: ConfigLoader) async throws {
        guard let raw = loader.flags["broker"], let broker = MQTTEndpoint(url: raw) else {
            throw ConfigError(
                "bench-mqtt needs --broker mqtt://any:any@HOST:PORT (devices sign in as themselves) / 请用 --broker 指定代理地址"
            )
        }
        guard let file = loader.flags["devices"], let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError("bench-mqtt needs --devices FILE (lines: CODE KEY) / 请用 --devices 指定设备文件")
        }
        let devices = text.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: " ")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        guard !devices.isEmpty else { throw ConfigError("no devices in \(file) / 设备文件为空") }
        let messages = try loader.int("messages", default: 20_000, range: 1...10_000_000)
        let root = loader.flags["topic-root"] ?? "zhili"
        try await ZhiliCLI.withApp(loader) { app in
            let db = try app.db.sql
            let clients = devices.map { code, key in
                MQTTClient(
                    clientID: code, cleanSession: true,
                    endpoint: MQTTEndpoint(host: broker.host, port: broker.port, username: code, password: key),
                    subscriptions: [], logger: app.logger
                ) { _, _ in }
            }
            for c in clients { try c.start() }
            for c in clients { try await c.waitConnected(timeout: .seconds(30)) }
            let before = try await count(db)
            let run = UUID().uuidString.prefix(8)
            let started = ContinuousClock.now
            // Round-robin over the devices; libmosquitto keeps 20 messages in flight per device.
            await withTaskGroup(of: Void.self) { group in
                for (i, client) in clients.enumerated() {
                    group.addTask {
                        var n = i
                        while n < messages {
                            let body = #"{"id":"b\#(run)-\#(n)","kind":"heartbeat","battery":80}"#
                            while (try? client.publish(
                                "\(root)/devices/\(client.clientID)/events", Array(body.utf8), qos: 1)) == nil
                            {
                                try? await Task.sleep(for: .milliseconds(1))
                            }
                            n += clients.count
                            if n % 64 == 0 { await Task.yield() }
                        }
                    }
                }
            }
            let published = ContinuousClock.now - started
            var stored = 0
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline {
                stored = try await count(db) - before
                if stored >= messages { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let elapsed = ContinuousClock.now - started
            for c in clients { c.stop() }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(stored) / max(seconds, 1e-9)
            print(
                String(
                    format:
                        #"{"devices":%d,"messages":%d,"stored":%d,"seconds":%.2f,"published_in_s":%.2f,"messages_per_s":%.0f}"#,
                    devices.count, messages, stored, seconds,
                    Double(published.components.seconds) + Double(published.components.attoseconds) / 1e18, rate))
        }
    }

    private static func count(_ db: any SQLDatabase) async throws -> Int {
        struct N: Decodable { let n: Int }
        return try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("device_events")
            .first(decoding: N.self)?.n ?? 0
    }
}
