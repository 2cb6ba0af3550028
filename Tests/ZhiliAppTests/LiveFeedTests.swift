import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Live push: one WebSocket, filtered by audience, nothing missed after a reconnect", .timeLimit(.minutes(20)))
struct LiveFeedTests {
    private func notice(_ app: Application, to user: String, title: String = "测试消息") async throws {
        let id = try await app.userID(user)
        try await Notifier(db: app.sql, channels: app.zhili.config.notifications).notify(
            [id], Notice(kind: "test.live", title: title, body: "正文", link: "/notifications", outbound: false))
    }

    private func staffEvent(_ app: Application, node: String, marker: String) async throws {
        try await LiveFeed.store(
            LiveItem(kind: "test-alarm", to: .staff(node: node), json: #"{"m":"\#(marker)"}"#), on: app.sql)
    }

    @Test func aMessageReachesItsRecipientsScreenAndNobodyElses() async throws {
        try await withTestApp { app in
            try await withServer(app) {
                let resident = try await LiveClient.connect(app, headers: try await app.bearer("resident"))
                let grid = try await LiveClient.connect(app, headers: try await app.bearer("grid001"))
                try await notice(app, to: "resident", title: "您的诉求已受理")
                let frame = try await resident.next { $0.kind == "notice" }
                #expect(frame.data["title"] == "您的诉求已受理")
                #expect(frame.data["kind"] == "test.live")
                #expect((frame.seq ?? 0) > 0)
                #expect(try await grid.settle { $0.kind == "notice" }.isEmpty)
                // Marking it read tells the person's other screens to count again.
                let headers = try await app.bearer("resident")
                try await app.testing().test(.POST, "/api/v1/notifications/read-all", headers: headers) { res in
                    #expect(res.status == .ok)
                }
                try await resident.next { $0.kind == "notice-read" }
                await resident.close()
                await grid.close()
            }
        }
    }

    @Test func staffEventsFollowTheHierarchy() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            try await withServer(app) {
                var screens: [String: LiveClient] = [:]
                for user in ["admin", "community", "grid001", "grid004", "resident", "volunteer"] {
                    screens[user] = try await LiveClient.connect(app, headers: try await app.bearer(user))
                }
                try await staffEvent(app, node: grids[0], marker: "first-grid")
                for user in ["admin", "community", "grid001"] {
                    let f = try await #require(screens[user]).next { $0.kind == "test-alarm" }
                    #expect(f.data["m"] == "first-grid", "\(user)")
                }
                for user in ["grid004", "resident", "volunteer"] {
                    let got = try await #require(screens[user]).settle { $0.kind == "test-alarm" }
                    #expect(got.isEmpty, "\(user) must not receive another grid's alarm")
                }
                for s in screens.values { await s.close() }
            }
        }
    }

    @Test func aScreenThatComesBackGetsWhatItMissedOnce() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            try await withServer(app) {
                let headers = try await app.bearer("grid001")
                let first = try await LiveClient.connect(app, headers: headers)
                try await staffEvent(app, node: grids[0], marker: "before")
                let before = try await first.next { $0.kind == "test-alarm" }
                let cursor = try #require(before.seq)
                await first.close()
                // While away: two for this grid, one for another.
                try await staffEvent(app, node: grids[0], marker: "away-1")
                try await staffEvent(app, node: grids[3], marker: "elsewhere")
                try await staffEvent(app, node: grids[0], marker: "away-2")
                let back = try await LiveClient.connect(app, headers: headers, since: cursor)
                try await back.next { $0.data["m"] == "away-2" }
                try await staffEvent(app, node: grids[0], marker: "after")
                try await back.next { $0.data["m"] == "after" }
                // What the tab saw over both sockets, each event once (as live.js keeps it): the
                // first socket may still have heard an event while it was closing, and on
                // PostgreSQL the replay repeats a few before the cursor.
                var seen = Set<Int64>()
                let marks = (first.received + back.received).filter { $0.kind == "test-alarm" }
                    .filter { seen.insert($0.seq ?? -1).inserted }.compactMap { $0.data["m"] }
                #expect(marks == ["before", "away-1", "away-2", "after"])
                let backSeqs = back.received.filter { $0.kind == "test-alarm" }.compactMap(\.seq)
                #expect(backSeqs.count == Set(backSeqs).count, "one socket never gets an event twice")
                await back.close()

                // The same through the plain API.
                try await app.testing().test(.GET, "/api/v1/live/events?since=\(cursor)", headers: headers) { res in
                    #expect(res.status == .ok)
                    let text = res.body.string
                    #expect(text.contains("away-1") && text.contains("away-2") && !text.contains("elsewhere"))
                    #expect(text.contains(#""reset":false"#))
                }
                // A cursor from the future (another database, a restored backup) asks for a reload.
                let lost = try await LiveClient.connect(app, headers: headers, since: 9_999_999)
                try await lost.next { $0.kind == "reset" }
                await lost.close()
            }
        }
    }

    @Test func tooMuchMissedOrTooOldMeansReload() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let headers = try await app.bearer("grid001")
            try await staffEvent(app, node: grids[0], marker: "old")
            let head = try await app.zhili.live.head()
            // More than the limit (1,000 for screens; 5 here) since the cursor: a reset.
            try await LiveFeed.store(
                (0...5).map { _ in LiveItem(kind: "test-alarm", to: .staff(node: grids[0]), json: "{}") }, on: app.sql)
            let grid = LiveListener(try await Self.principal(app, "grid001"), sessionID: nil)
            #expect(try await app.zhili.live.missed(since: head, for: grid, limit: 5) == .reset)
            guard case .events(let replayed) = try await app.zhili.live.missed(since: head, for: grid, limit: 100)
            else {
                Issue.record("six events within a limit of 100 are replayed")
                return
            }
            // (PostgreSQL also repeats a few before the cursor.)
            #expect(replayed.filter { $0.seq > head }.count == 6)
            // Kept a day: after the purge, a cursor older than what is left cannot be replayed.
            try await app.zhili.live.purge(now: Date().addingTimeInterval(LiveFeed.retention + 60))
            #expect(try await app.count("live_events") == 0)
            try await staffEvent(app, node: grids[0], marker: "new")
            try await app.testing().test(.GET, "/api/v1/live/events?since=\(head)", headers: headers) { res in
                #expect(res.body.string.contains(#""reset":true"#))
            }
            try await app.testing().test(.GET, "/api/v1/live/events?since=-3", headers: headers) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "since")
            }
        }
    }

    static func principal(_ app: Application, _ username: String) async throws -> Principal {
        struct U: Decodable {
            let id: UUID
            let role: String
            let node_code: String?
        }
        let u = try #require(
            try await app.sql.select().columns("id", "role", "node_code").from("users").where(
                "username", .equal, username
            )
            .first(decoding: U.self))
        return Principal(
            userID: u.id, username: username, displayName: username, role: Role(rawValue: u.role) ?? .resident,
            department: nil, nodeCode: u.node_code, residentID: nil)
    }

    @Test func theSocketAsksForAUpgradeASignInAndThisSite() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/live") { res in
                #expect(res.status == .unauthorized)
            }
            let headers = try await app.bearer("grid001")
            try await app.testing().test(.GET, "/api/v1/live", headers: headers) { res in
                #expect(res.status == .badRequest)
                #expect(errorCode(res) == "websocket_required")
            }
            let cookie = try await WebFixture.cookie(app, as: "grid001")
            let upgrade: HTTPHeaders = [
                "Cookie": cookie, "Upgrade": "websocket", "Connection": "Upgrade", "Origin": "https://evil.example",
                "Host": "zhili.example", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            ]
            try await app.testing().test(.GET, "/api/v1/live", headers: upgrade) { res in
                #expect(res.status == .forbidden)
                #expect(errorCode(res) == "origin_refused")
            }
        }
    }

    @Test func anEventWrittenByOneInstanceReachesTheScreensOfAnother() async throws {
        let secrets = Secrets.generate()
        try await withTestApp(secrets: secrets) { app in
            let grids = try await app.gridCodes()
            try await withPeer(app, secrets: secrets) { peer in
                let screen = try await LiveClient.connect(peer, headers: try await peer.bearer("grid001"))
                // Written through the first instance's database handle, in a transaction.
                try await app.db.transaction { tx in
                    try await LiveFeed.store(
                        LiveItem(kind: "test-alarm", to: .staff(node: grids[0]), json: #"{"m":"from-a"}"#), on: tx.sql)
                }
                try await screen.next { $0.data["m"] == "from-a" }
                await screen.close()
            }
        }
    }

    @Test func signingOutClosesTheSessionsScreens() async throws {
        try await withTestApp { app in
            try await withServer(app) {
                let headers = try await app.bearer("community")
                let screen = try await LiveClient.connect(app, headers: headers)
                try await app.testing().test(.POST, "/api/v1/auth/logout", headers: headers) { res in
                    #expect(res.status == .noContent)
                }
                #expect(try await screen.waitClosed())
            }
        }
    }

    @Test func aScreenClosesWhenItsTokenExpires() async throws {
        try await withTestApp { app in
            try await withServer(app) {
                let account = try #require(
                    try await UserAccount.query(on: app.db).filter(\.$username == "grid001").first())
                let token = try SessionToken(account: account, lifetime: 4)
                let sid = try #require(token.sid)
                try await SessionStore.open(
                    sid, userID: try account.requireID(), expiresAt: token.exp.value, on: app.sql)
                let signed = try await app.jwt.keys.sign(token)
                let screen = try await LiveClient.connect(app, headers: ["Authorization": "Bearer \(signed)"])
                let opened = Date()
                #expect(!(try await screen.waitClosed(within: 0.5)), "closed before the token expired")
                #expect(try await screen.waitClosed(within: 30))
                #expect(Date().timeIntervalSince(opened) < 30)
            }
        }
    }
}
