import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// Side doors into complaints (issue 10): anonymous names, follows from afar, shared
/// idempotency keys, public Open311 reads, merges that loop, photos and dispatch beyond a role.
@Suite("Breaches: complaints")
struct BreachComplaintTests {
    struct Answer {
        let status: HTTPStatus
        let code: String?
        let dto: ComplaintDTO?
    }

    static func send(_ app: Application, as user: String, _ body: [String: Any], key: String? = nil) async throws
        -> Answer
    {
        var headers = try await app.bearer(user).merging(["Content-Type": "application/json"])
        if let key { headers.replaceOrAdd(name: "Idempotency-Key", value: key) }
        var answer = Answer(status: .internalServerError, code: nil, dto: nil)
        try await app.testing().test(
            .POST, "/api/v1/complaints", headers: headers, body: try RegistryFixture.json(body)
        ) { res in
            answer = Answer(status: res.status, code: errorCode(res), dto: try? res.content.decode(ComplaintDTO.self))
        }
        return answer
    }

    static func post(_ app: Application, as user: String, _ body: [String: Any], key: String? = nil) async throws
        -> ComplaintDTO?
    {
        try await send(app, as: user, body, key: key).dto
    }

    static func get(_ app: Application, _ id: UUID, as user: String) async throws -> ComplaintDTO? {
        var dto: ComplaintDTO?
        try await app.testing().test(.GET, "/api/v1/complaints/\(id)", headers: try await app.bearer(user)) { res in
            dto = try? res.content.decode(ComplaintDTO.self)
        }
        return dto
    }

    /// A second resident of the tiny town, with an account of their own.
    static func neighbour(_ app: Application, grid: Int = 0) async throws -> String {
        let household = try await RegistryFixture.firstHousehold(app, grid: grid)
        _ = try await AccountService.create(
            username: "neighbour\(grid)", displayName: "邻居\(grid)", password: DemoCity.password, role: .resident,
            department: nil, nodeCode: household, on: app.db, hasher: { try await app.password.async.hash($0) })
        return "neighbour\(grid)"
    }

    @Test func anAnonymousSubmittersNameAppearsNowhereButToThemAndAnAuditedReveal() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let c = try #require(
                try await Self.post(
                    app, as: "resident",
                    [
                        "categoryCode": "environment.garbage", "text": "垃圾桶满了没人清理",
                        "lat": p.lat, "lon": p.lon, "anonymous": true,
                    ]))
            for user in ["community", "grid001", "admin", "street"] {
                let seen = try #require(try await Self.get(app, c.id, as: user), "\(user)")
                #expect(seen.submitterName == nil, "\(user)")
                #expect(
                    seen.timeline?.allSatisfy {
                        $0.actorName == nil || !$0.actorName!.contains(try! #require(c.submitterName))
                    } == true, "\(user)")
                #expect(seen.timeline?.first?.actorName == nil, "\(user)")
            }
            let own = try #require(try await Self.get(app, c.id, as: "resident"))
            #expect(own.submitterName != nil && own.timeline?.first?.actorName == own.submitterName)
            // Only an administrator, with a reason, audited.
            let reason = try RegistryFixture.json(["reason": "核实恶意投诉线索"])
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/reveal",
                headers: try await app.bearer("community").merging(["Content-Type": "application/json"]), body: reason
            ) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/reveal",
                headers: try await app.bearer("admin").merging(["Content-Type": "application/json"]), body: reason
            ) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains(own.submitterName ?? "?"))
            }
            #expect(try await app.auditEntries(action: "reveal", entityID: c.id.uuidString).count == 1)
            // The handling page shows no name either.
            let html = try await WebFixture.page(app, "/complaints/\(c.id)", as: "community")
            #expect(!html.contains(own.submitterName ?? "?"))
        }
    }

    @Test func aFollowerIsACountToOthersAndSeesOnlyThePublicView() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let c = try #require(
                try await Self.post(
                    app, as: "resident",
                    [
                        "categoryCode": "facilities", "text": "井盖丢了，我叫刘德明，电话13912345678",
                        "lat": p.lat, "lon": p.lon, "address": "阳关路 8 号门口",
                    ]))
            let neighbour = try await Self.neighbour(app)
            let headers = try await app.bearer(neighbour).merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/follow", headers: headers,
                body: try RegistryFixture.json(["lat": p.lat, "lon": p.lon])
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            let seen = try #require(try await Self.get(app, c.id, as: neighbour))
            #expect(!seen.full && seen.address == nil && seen.submitterName == nil && seen.photos?.isEmpty == true)
            #expect(!seen.text.contains("13912345678") && !seen.text.contains("刘德明"))
            #expect(abs(seen.lat - p.lat) < 0.001 && seen.lat == PublicText.coarse(p.lat))
            #expect(seen.timeline?.allSatisfy { $0.actorName == nil } == true)
            // The submitter sees that someone followed, not who.
            let own = try #require(try await Self.get(app, c.id, as: "resident"))
            let follow = try #require(own.timeline?.first { $0.action == "follow" })
            #expect(follow.actorName == nil && own.followers == 1)
        }
    }

    @Test func followingFromAfarAnswersAsAComplaintThatDoesNotExist() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let c = try #require(
                try await Self.post(
                    app, as: "resident", ["categoryCode": "facilities", "text": "路灯坏了好几天", "lat": p.lat, "lon": p.lon]))
            let neighbour = try await Self.neighbour(app, grid: 3)
            let headers = try await app.bearer(neighbour).merging(["Content-Type": "application/json"])
            var unknown: ErrorBody?
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(UUID())/follow", headers: headers,
                body: try RegistryFixture.json(["lat": p.lat + 0.05, "lon": p.lon])
            ) { res in
                unknown = try? res.content.decode(ErrorBody.self)
            }
            // 5.5 km away.
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/follow", headers: headers,
                body: try RegistryFixture.json(["lat": p.lat + 0.05, "lon": p.lon])
            ) { res in
                #expect(res.status == .notFound)
                #expect((try? res.content.decode(ErrorBody.self))?.error.messageZh == unknown?.error.messageZh)
            }
            #expect(try await app.count("complaint_followers") == 0)
            #expect(try await Self.get(app, c.id, as: neighbour) == nil)
        }
    }

    @Test func anIdempotencyKeyBelongsToOneAccountAndOneBody() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let body: [String: Any] = [
                "categoryCode": "facilities", "text": "健身器材坏了，我的电话 13800001111", "lat": p.lat, "lon": p.lon,
            ]
            let first = try #require(try await Self.post(app, as: "resident", body, key: "k-1"))
            let neighbour = try await Self.neighbour(app)
            var other = body
            other["text"] = "健身器材坏了，邻居也来反映"
            let second = try await Self.send(app, as: neighbour, other, key: "k-1")
            #expect(second.status == .created)
            #expect(second.dto?.id != first.id && second.dto?.text.contains("13800001111") == false)
            let again = try await Self.send(app, as: "resident", body, key: "k-1")
            #expect(again.status == .ok && again.dto?.id == first.id)
            var changed = body
            changed["text"] = "换了内容的同一个键"
            let reused = try await Self.send(app, as: "resident", changed, key: "k-1")
            #expect(reused.status == .unprocessableEntity && reused.code == "idempotency_key_reused")
            let huge = try await Self.send(app, as: "resident", body, key: String(repeating: "k", count: 10_000))
            #expect(huge.status == .badRequest && huge.code == "invalid_idempotency_key")
        }
    }

    @Test func publicOpen311ReadsShowWhatATrackerShowsAndNoWelfareMatters() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let c = try #require(
                try await Self.post(
                    app, as: "resident",
                    [
                        "categoryCode": "facilities", "text": "路灯不亮，联系我 13712345678",
                        "lat": p.lat + 0.000_123, "lon": p.lon, "address": "幸福小区 3 号楼 2 单元",
                    ]))
            try await app.testing().test(.GET, "/open311/v2/requests/\(c.id).json") { res in
                #expect(res.status == .ok)
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                let r = try #require(list?.first)
                #expect((r["description"] as? String)?.contains("13712345678") == false)
                #expect(r["address"] is NSNull)
                #expect(r["lat"] as? Double == PublicText.coarse(p.lat + 0.000_123))
            }
            let welfare = try #require(
                try await Self.post(
                    app, as: "resident", ["categoryCode": "welfare", "text": "申请低保，家里困难", "lat": p.lat, "lon": p.lon]))
            try await app.testing().test(.GET, "/open311/v2/requests/\(welfare.id).json") { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/open311/v2/tokens/\(welfare.id).json") { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/open311/v2/requests.json") { res in
                #expect(res.body.string.contains(c.id.uuidString) && !res.body.string.contains(welfare.id.uuidString))
            }
            // Nearby: residents and staff only, without personal data.
            let q = "/api/v1/complaints/nearby?category=facilities&lat=\(p.lat)&lon=\(p.lon)"
            try await app.testing().test(.GET, q, headers: try await app.bearer("merchant")) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.GET, q, headers: try await app.bearer("resident")) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains(c.id.uuidString) && !res.body.string.contains("13712345678"))
            }
        }
    }

    @Test func aMergeTargetsOneOpenComplaintInsideTheReviewersArea() async throws {
        try await withTestApp { app in
            let a = try await ComplaintFixture.submit(app, text: "楼下垃圾堆了一周，第一件")
            let b = try await ComplaintFixture.submit(app, text: "楼下垃圾堆了一周，第二件")
            try await ComplaintFixture.act(app, a.id, as: "community", ["action": "merge", "into": b.id.uuidString])
            // B cannot go into A, which is merged already.
            try await ComplaintFixture.act(
                app, b.id, as: "community", ["action": "merge", "into": a.id.uuidString], expect: .unprocessableEntity)
            // Nor into a rejected one, one of another area, or one that does not exist (all the same answer).
            let rejected = try await ComplaintFixture.submit(app, text: "重复反映的垃圾问题")
            try await ComplaintFixture.act(app, rejected.id, as: "community", ["action": "reject", "reason": "重复"])
            let elsewhere = try await ComplaintFixture.submit(app, grid: 3, text: "另一个社区的垃圾问题")
            var answers: [String] = []
            for target in [rejected.id, elsewhere.id, UUID()] {
                let dto = try await ComplaintFixture.act(
                    app, b.id, as: "community", ["action": "merge", "into": target.uuidString],
                    expect: .unprocessableEntity)
                #expect(dto == nil)
                try await app.testing().test(
                    .POST, "/api/v1/complaints/\(b.id)/actions",
                    headers: try await app.bearer("community").merging(["Content-Type": "application/json"]),
                    body: try RegistryFixture.json(["action": "merge", "into": target.uuidString])
                ) { res in answers.append(res.body.string) }
            }
            #expect(Set(answers.map { $0.count }).count == 1)
        }
    }

    @Test func twoMergesAtOnceNeverPointAtEachOther() async throws {
        try await withTestApp { app in
            // A real server, so the two requests run at once on their own connections.
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let headers = try await app.bearer("community").merging(["Content-Type": "application/json"])
            for round in 0..<6 {
                let a = try await ComplaintFixture.submit(app, text: "并发合并测试 A\(round)")
                let b = try await ComplaintFixture.submit(app, text: "并发合并测试 B\(round)")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (x, y) in [(a.id, b.id), (b.id, a.id)] {
                        group.addTask {
                            _ = try await app.client.post(
                                URI(string: "http://127.0.0.1:\(port)/api/v1/complaints/\(x)/actions"), headers: headers
                            ) { req in
                                try req.content.encode(["action": "merge", "into": y.uuidString], as: .json)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                struct Row: Decodable { let status: String }
                let statuses = try await app.sql.select().column("status").from("complaints").where(
                    "id", .in, [a.id, b.id]
                ).all(decoding: Row.self).map(\.status)
                #expect(statuses.filter { $0 == "merged" }.count == 1, "round \(round): \(statuses)")
            }
            await app.server.shutdown()
        }
    }

    @Test func photosComeFromTheHandlerAndTheCommunityNotFromOfficialsAbove() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            for user in ["city", "street", "emergency"] {
                let body = TestImages.multipart(
                    fields: ["stage": "progress"], files: [("a.png", TestImages.png(width: 64, height: 64))])
                let headers = try await app.bearer(user).merging([
                    "Content-Type": "multipart/form-data; boundary=zhili-test-boundary"
                ])
                try await app.testing().test(.POST, "/api/v1/complaints/\(c.id)/photos", headers: headers, body: body) {
                    res in
                    #expect(res.status == .forbidden || res.status == .notFound, "\(user): \(res.status)")
                }
            }
            let body = TestImages.multipart(
                fields: ["stage": "progress"], files: [("a.png", TestImages.png(width: 64, height: 64))])
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/photos",
                headers: try await app.bearer("grid001").merging([
                    "Content-Type": "multipart/form-data; boundary=zhili-test-boundary"
                ]), body: body
            ) { res in
                #expect(res.status == .ok)
            }
            // A named but empty file is refused, not dropped.
            let empty = TestImages.multipart(
                fields: ["stage": "progress"],
                files: [("a.png", TestImages.png(width: 64, height: 64)), ("b.png", Data())])
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/photos",
                headers: try await app.bearer("grid001").merging([
                    "Content-Type": "multipart/form-data; boundary=zhili-test-boundary"
                ]), body: empty
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorCode(res) == "empty_photo")
            }
        }
    }

    @Test func aReviewerDispatchesOnlyToEnabledStaffOfTheirArea() async throws {
        try await withTestApp { app in
            struct User: Decodable { let id: UUID }
            func user(_ name: String) async throws -> UUID {
                try #require(
                    try await app.sql.select().column("id").from("users").where("username", .equal, name).first(
                        decoding: User.self)
                ).id
            }
            let c = try await ComplaintFixture.submit(app)
            // grid004 works in the other community.
            try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "accept", "handlerId": try await user("grid004").uuidString],
                expect: .unprocessableEntity)
            try await app.sql.update("users").set("disabled", to: true).where("username", .equal, "grid002").run()
            try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "accept", "handlerId": try await user("grid002").uuidString],
                expect: .unprocessableEntity)
            let ok = try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "accept", "handlerId": try await user("grid001").uuidString])
            #expect(ok?.status == "dispatched")
        }
    }
}
