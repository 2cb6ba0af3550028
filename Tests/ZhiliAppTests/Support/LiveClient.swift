import Foundation
import NIOCore
import Synchronization
import Testing
import Vapor

@testable import ZhiliApp

/// A screen of the live push in a test: a real WebSocket client of a server started on a
/// loopback port, collecting the frames it receives.
final class LiveClient: Sendable {
    struct Frame: Sendable {
        let text: String
        let kind: String
        let seq: Int64?
        let data: [String: String]
    }

    private let frames = Mutex<[Frame]>([])
    private let socket = Mutex<WebSocket?>(nil)
    private let closedFlag = Mutex(false)

    var received: [Frame] { frames.withLock { $0 } }
    var isClosed: Bool { closedFlag.withLock { $0 } }

    private func take(_ text: String) {
        struct Head: Decodable {
            let kind: String
            let seq: Int64?
        }
        guard let head = try? JSONDecoder().decode(Head.self, from: Data(text.utf8)) else { return }
        var data: [String: String] = [:]
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let inner = object["data"] as? [String: Any]
        {
            for (k, v) in inner { data[k] = "\(v)" }
        }
        frames.withLock { $0.append(Frame(text: text, kind: head.kind, seq: head.seq, data: data)) }
    }

    /// Connects and waits for the server's hello.
    static func connect(
        _ app: Application, headers: HTTPHeaders, since: Int64? = nil
    ) async throws -> LiveClient {
        let client = LiveClient()
        let port = try #require(app.http.server.shared.localAddress?.port)
        let query = since.map { "?since=\($0)" } ?? ""
        try await WebSocket.connect(
            to: "ws://127.0.0.1:\(port)/api/v1/live\(query)", headers: headers, on: app.eventLoopGroup
        ) { @Sendable (ws: WebSocket) in
            client.socket.withLock { $0 = ws }
            ws.onText { _, text in client.take(text) }
            ws.onClose.whenComplete { _ in client.closedFlag.withLock { $0 = true } }
        }.get()
        _ = try await client.next { $0.kind == "hello" }
        return client
    }

    /// The first frame received (now or within the time limit) that matches.
    @discardableResult
    func next(within seconds: Double = 5, _ matches: (Frame) -> Bool) async throws -> Frame {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let f = frames.withLock({ $0.first(where: matches) }) { return f }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no matching live frame within \(seconds) s; received: \(received.map(\.text))")
        throw LiveClientTimeout()
    }

    /// Waits a little and returns what matched (for events that must not arrive).
    func settle(_ seconds: Double = 0.4, _ matches: (Frame) -> Bool) async throws -> [Frame] {
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return frames.withLock { $0.filter(matches) }
    }

    func waitClosed(within seconds: Double = 5) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isClosed { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    func close() async {
        if let ws = socket.withLock({ $0 }) { try? await ws.close() }
    }
}

struct LiveClientTimeout: Error {}

/// Runs `body` with the app also serving on a loopback port; the live sockets are closed
/// and the server stopped afterwards, whatever happens.
func withServer(_ app: Application, _ body: () async throws -> Void) async throws {
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    do {
        try await body()
    } catch {
        await app.zhili.live.closeAll()
        await app.server.shutdown()
        throw error
    }
    await app.zhili.live.closeAll()
    await app.server.shutdown()
}

extension Application {
    func userID(_ username: String) async throws -> UUID {
        struct Row: Decodable { let id: UUID }
        let row = try await sql.select().column("id").from("users").where("username", .equal, username)
            .first(decoding: Row.self)
        return try #require(row).id
    }
}

/// A second instance of the platform on the same database (PostgreSQL: another schema user,
/// as a city runs several stateless instances), serving on its own loopback port.
func withPeer(_ app: Application, secrets: Secrets, _ body: (Application) async throws -> Void) async throws {
    let peer = try await Application.make(.testing)
    do {
        try await configure(peer, config: app.zhili.config, secrets: secrets)
        try await peer.asyncBoot()
        let deadline = Date().addingTimeInterval(10)
        while !peer.zhili.events.ready.withLock({ $0 }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await withServer(peer) { try await body(peer) }
    } catch {
        try? await peer.asyncShutdown()
        throw error
    }
    try await peer.asyncShutdown()
}
