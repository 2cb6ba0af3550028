import Foundation
import NIOCore
import Synchronization
import Vapor

/// `zhili bench-live`: SOS-to-screen latency as a city would see it. N screens (WebSocket
/// clients on this process's event loops, signed in as one staff account) hold the live push
/// open; an SOS button is pressed M times over HTTP; each screen's receipt of that press's
/// alarm frame is timed from the moment the request was sent. Prints p50/p90/p99/max over all
/// N × M receipts and how many were missed. (A client in another language parsing every frame
/// measures itself more than the platform; this one only looks for the press's count.)
enum LiveLatencyBench {
    static func run(_ loader: ConfigLoader) async throws {
        guard let base = loader.flags["base-url"], base.hasPrefix("http") else {
            throw ConfigError("bench-live needs --base-url http://HOST:PORT / 请用 --base-url 指定平台地址")
        }
        guard let key = loader.flags["key"], !key.isEmpty else {
            throw ConfigError(
                "bench-live needs --key DEVICE_KEY (an SOS button in the screens' area) / 请用 --key 指定设备凭证")
        }
        let username = loader.flags["username"] ?? "grid001"
        let password = loader.flags["password"] ?? DemoCity.password
        let screens = try loader.int("screens", default: 1000, range: 1...20000)
        let presses = try loader.int("presses", default: 30, range: 1...10000)
        let app = try await Application.make(Environment(name: "production", arguments: ["zhili"]))
        do {
            try await measure(
                app, base: base, key: key, username: username, password: password, screens: screens, presses: presses)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    private final class Receipts: Sendable {
        /// Press number → arrival times (ns, monotonic).
        let arrived = Mutex<[Int: [UInt64]]>([:])
        let opened = Mutex(0)
        let sockets = Mutex<[WebSocket]>([])

        private static let kind = Array(#""kind":"alarm""#.utf8)
        private static let count = Array(#""count":"#.utf8)

        /// Looks at the frame's bytes only as far as it must: the kind near the start, then the
        /// alarm's count (a string search over every frame would time the client, not the push).
        func take(_ text: String, at now: UInt64) {
            var text = text
            let n: Int? = text.withUTF8 { bytes in
                guard let k = Self.find(Self.kind, in: bytes, from: 0, limit: 64),
                    let c = Self.find(Self.count, in: bytes, from: k, limit: bytes.count)
                else { return nil }
                var value = 0
                var i = c + Self.count.count
                var digits = 0
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                    value = value * 10 + Int(bytes[i] - 48)
                    i += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            guard let n else { return }
            arrived.withLock { $0[n, default: []].append(now) }
        }

        private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int, limit: Int)
            -> Int?
        {
            let end = min(limit, bytes.count) - needle.count
            guard from <= end else { return nil }
            for start in from...end where bytes[start] == needle[0] {
                var j = 1
                while j < needle.count, bytes[start + j] == needle[j] { j += 1 }
                if j == needle.count { return start }
            }
            return nil
        }
    }

    private static func measure(
        _ app: Application, base: String, key: String, username: String, password: String, screens: Int, presses: Int
    ) async throws {
        struct Token: Decodable { let token: String }
        let signIn = try await app.client.post(URI(string: base + "/api/v1/auth/token")) { req in
            try req.content.encode(["username": username, "password": password], as: .json)
        }
        guard signIn.status == .ok else { throw ConfigError("sign-in as \(username) failed: \(signIn.status)") }
        let token = try signIn.content.decode(Token.self).token
        let receipts = Receipts()
        let wsURL = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/live"
        let group = app.eventLoopGroup
        for chunk in stride(from: 0, to: screens, by: 100) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for _ in chunk..<min(chunk + 100, screens) {
                    // Each screen on the next loop in turn: left to the group, a connection
                    // made from a loop's thread stays on that loop, and one loop ends up
                    // reading every screen.
                    let loop = group.next()
                    tasks.addTask {
                        try await WebSocket.connect(
                            to: wsURL, headers: ["Authorization": "Bearer \(token)"], on: loop
                        ) { @Sendable (ws: WebSocket) in
                            ws.onText { _, text in
                                if text.hasPrefix("{\"kind\":\"hello\"") {
                                    receipts.opened.withLock { $0 += 1 }
                                    return
                                }
                                receipts.take(text, at: DispatchTime.now().uptimeNanoseconds)
                            }
                            receipts.sockets.withLock { $0.append(ws) }
                        }.get()
                    }
                }
                try await tasks.waitForAll()
            }
        }
        let sockets = receipts.sockets.withLock { $0 }
        let deadline = Date().addingTimeInterval(30)
        while receipts.opened.withLock({ $0 }) < screens, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        print("\(receipts.opened.withLock { $0 }) screens open")
        // The alarm's count before this run: presses add to it.
        var first: Int?
        var samples: [Double] = []
        var firsts: [Double] = []
        var missed = 0
        for n in 0..<presses {
            let sent = DispatchTime.now().uptimeNanoseconds
            let res = try await app.client.post(URI(string: base + "/api/v1/ingest/events")) { req in
                req.headers.replaceOrAdd(name: "X-Device-Key", value: key)
                try req.content.encode(["id": "bench-live-\(UUID().uuidString)", "kind": "sos"], as: .json)
            }
            guard res.status == .ok else {
                throw ConfigError("ingestion answered \(res.status): \(res.body.map { String(buffer: $0) } ?? "")")
            }
            struct Receipt: Decodable { let alarms: [UUID] }
            guard let alarm = try res.content.decode(Receipt.self).alarms.first else {
                throw ConfigError("the SOS raised no alarm")
            }
            if first == nil {
                // The count the first press reached, read from the alarm itself.
                struct A: Decodable { let alarm: C }
                struct C: Decodable { let count: Int }
                let detail = try await app.client.get(URI(string: base + "/api/v1/alarms/\(alarm.uuidString)")) { req in
                    req.headers.bearerAuthorization = .init(token: token)
                }
                first = try detail.content.decode(A.self).alarm.count - n
            }
            let count = (first ?? 1) + n
            let wait = Date().addingTimeInterval(5)
            while (receipts.arrived.withLock { $0[count]?.count ?? 0 }) < screens, Date() < wait {
                try await Task.sleep(for: .milliseconds(2))
            }
            let got = receipts.arrived.withLock { $0[count] ?? [] }
            missed += screens - got.count
            samples.append(contentsOf: got.map { Double($0 &- sent) / 1_000_000 })
            if let first = got.min() { firsts.append(Double(first &- sent) / 1_000_000) }
            try await Task.sleep(for: .milliseconds(200))
        }
        for ws in sockets { try? await ws.close() }
        samples.sort()
        firsts.sort()
        func pct(_ p: Double, of samples: [Double]) -> Double {
            samples.isEmpty ? .nan : samples[min(samples.count - 1, Int(Double(samples.count) * p / 100))]
        }
        func pct(_ p: Double) -> Double { pct(p, of: samples) }
        print(
            String(
                format:
                    "{\"screens\": %d, \"presses\": %d, \"receipts\": %d, \"missed\": %d, \"first_screen_p50_ms\": %.2f, \"p50_ms\": %.2f, \"p90_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}",
                screens, presses, samples.count, missed, pct(50, of: firsts), pct(50), pct(90), pct(99),
                samples.last ?? .nan))
    }
}
