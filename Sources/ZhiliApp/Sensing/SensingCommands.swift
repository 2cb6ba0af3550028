import Foundation
import SQLKit
import Vapor

/// Operator commands of sensing: `zhili simulate` and `zhili device-key`.
enum SensingCommands {
    static func simulate(_ loader: ConfigLoader) async throws {
        guard let base = loader.flags["base-url"], base.hasPrefix("http") else {
            throw ConfigError("simulate needs --base-url http://HOST:PORT / 请用 --base-url 指定平台地址")
        }
        let heartbeat = try loader.int("heartbeat", default: 60, range: 1...3600)
        try await ZhiliCLI.withApp(loader) { app in
            let devices = try await DeviceSimulator.devices(on: app.db.sql)
            print(
                "simulating \(devices.count) demo devices against \(base) (a heartbeat every \(heartbeat) s; Ctrl-C stops)"
            )
            var settings = DeviceSimulator.Settings(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base)
            settings.heartbeat = Double(heartbeat)
            await DeviceSimulator(settings: settings, client: app.client, logger: app.logger).run(devices)
        }
    }

    /// Issues a new key for a device (the old one stops working), printed once: for setting up
    /// a real device by hand.
    static func deviceKey(_ loader: ConfigLoader) async throws {
        guard let code = loader.flags["code"], !code.isEmpty else {
            throw ConfigError("device-key needs --code DEVICE_CODE / 请用 --code 指定设备编号")
        }
        try await ZhiliCLI.withApp(loader) { app in
            struct R: Decodable { let id: UUID }
            guard
                let found = try await app.db.sql.select().column("id").from("devices").where("code", .equal, code)
                    .first(decoding: R.self), let row = try await DeviceRegistry.find(found.id, on: app.db.sql)
            else {
                throw ConfigError("no device has the code \(code) / 没有编号为 \(code) 的设备")
            }
            // With a broker configured, a serving instance gives the broker the new key within seconds.
            let (events, broker) = (app.zhili.events, app.sensing.broker)
            let issued = try await app.db.sql.transactionally { db in
                try await DeviceRegistry.rotate(row, on: db, events: events, broker: broker)
            }
            try await CLIAudit.record(
                app, action: "device_key_rotate", entity: "device", id: row.id.uuidString, detail: code)
            print("key for \(code) (shown once; the previous key no longer works):\n\(issued.key)")
        }
    }
}
