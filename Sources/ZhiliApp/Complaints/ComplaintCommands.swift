import Foundation
import SQLKit
import Vapor

/// Operator commands of 接诉即办: `zhili demo-complaints` and `zhili open311-key`.
enum ComplaintCommands {
    static func demoComplaints(_ loader: ConfigLoader) async throws {
        let count = try loader.int("count", default: 100_000, range: 1...10_000_000)
        let seed = try loader.int("seed", default: 7, range: 0...Int(Int32.max))
        try await ZhiliCLI.withApp(loader) { app in
            let started = Date()
            let n = try await DemoComplaints.append(on: app.db.sql, count: count, seed: UInt64(seed))
            try await app.db.sql.raw("ANALYZE").run()
            print("added \(n) complaints of history in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    static func open311Key(_ loader: ConfigLoader) async throws {
        guard let name = loader.flags["name"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("open311-key needs --name INTEGRATOR / 请用 --name 指定接入方名称")
        }
        try await ZhiliCLI.withApp(loader) { app in
            let key = try await Open311Keys.issue(integrator: name, on: app.db.sql)
            try await CLIAudit.record(app, action: "create", entity: "open311_key", id: name, detail: "issued")
            print("Open311 api_key for \(name) (shown once, store it safely):\n\(key)")
        }
    }
}
