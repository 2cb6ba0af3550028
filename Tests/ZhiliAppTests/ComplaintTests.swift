import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("接诉即办: the complaint loop")
struct ComplaintTests {
    @Test func fullLoopFromSubmissionToRatingWithTimeline() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            #expect(c.status == "submitted")
            let accepted = try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            #expect(accepted?.status == "dispatched")
            #expect(accepted?.dispatchReason?.contains("网格") == true)
            #expect(accepted?.signBy != nil && accepted?.resolveBy != nil)
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "contact", "note": "已电话联系诉求人"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "progress", "note": "已通知物业"])
            let resolved = try await ComplaintFixture.act(
                app, c.id, as: "grid001", ["action": "resolve", "note": "垃圾已清运"])
            #expect(resolved?.status == "resolved")
            let rated = try await ComplaintFixture.act(
                app, c.id, as: "resident", ["action": "rate", "score": 5, "comment": "很及时"])
            #expect(rated?.status == "closed")
            #expect(rated?.rating == 5)
            let labels = rated?.timeline?.map(\.labelZh) ?? []
            #expect(labels.count == 7)
            #expect(labels.first == "提交诉求")
        }
    }

    @Test func retriedSubmissionWithTheSameKeyCreatesOneComplaint() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            let a = try await ComplaintFixture.submit(app, key: "retry-123")
            let b = try await ComplaintFixture.submit(app, key: "retry-123")
            #expect(a.id == b.id)
            let actual301 = try await app.count("complaints")
            #expect(actual301 == before + 1)
        }
    }

    @Test func badSubmissionsAreClearErrorsAndStoreNothing() async throws {
        try await withTestApp { app in
            let headers = try await app.bearer("resident").merging(["Content-Type": "application/json"])
            let p = try await ComplaintFixture.point(app)
            let before = try await app.count("complaints")
            let cases: [([String: Any], HTTPStatus, String)] = [
                (["categoryCode": "environment.garbage", "text": "没有位置的诉求内容"], .unprocessableEntity, "lat"),
                (
                    ["categoryCode": "environment.garbage", "text": "北京的诉求内容", "lat": 39.9, "lon": 116.4],
                    .unprocessableEntity, "lat"
                ),
                (
                    ["categoryCode": "no.such", "text": "未知分类的诉求", "lat": p.lat, "lon": p.lon], .unprocessableEntity,
                    "categoryCode"
                ),
                (
                    ["categoryCode": "environment.garbage", "text": "短", "lat": p.lat, "lon": p.lon],
                    .unprocessableEntity, "text"
                ),
            ]
            for (body, status, field) in cases {
                try await app.testing().test(
                    .POST, "/api/v1/complaints", headers: headers, body: try RegistryFixture.json(body)
                ) { res in
                    #expect(res.status == status, "\(body)")
                    #expect(errorField(res) == field, "\(body): \(res.body.string)")
                }
            }
            let actual302 = try await app.count("complaints")
            #expect(actual302 == before)
        }
    }

    @Test func rejectNeedsAReasonAndMergeAndRecategorizeWork() async throws {
        try await withTestApp { app in
            let a = try await ComplaintFixture.submit(app)
            let b = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(
                app, a.id, as: "community", ["action": "reject", "reason": "  "], expect: .conflict)
            let rejected = try await ComplaintFixture.act(
                app, a.id, as: "community", ["action": "reject", "reason": "不属于本社区受理范围"])
            #expect(rejected?.status == "rejected")
            try await ComplaintFixture.act(app, a.id, as: "community", ["action": "accept"], expect: .conflict)
            let c = try await ComplaintFixture.submit(app)
            let merged = try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "merge", "into": b.id.uuidString])
            #expect(merged?.status == "merged")
            let recat = try await ComplaintFixture.act(
                app, b.id, as: "community", ["action": "recategorize", "categoryCode": "utilities.power"])
            #expect(recat?.categoryCode == "utilities.power")
            #expect(recat?.tier == "2h")
            let accepted = try await ComplaintFixture.act(app, b.id, as: "community", ["action": "accept"])
            #expect(accepted?.handlerName == "应急管理局", "power goes to the department")
            let emergency = try await ComplaintFixture.act(app, b.id, as: "emergency", ["action": "sign"])
            #expect(emergency?.status == "signed")
        }
    }

    @Test func onlyTheAssignedHandlerSignsAndOnlyTheSubmitterRates() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            // Out of their area: answered as a complaint that does not exist.
            try await ComplaintFixture.act(app, c.id, as: "grid002", ["action": "sign"], expect: .notFound)
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "accept"], expect: .forbidden)
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "resolve"])
            try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "rate", "score": 5], expect: .forbidden)
            try await ComplaintFixture.act(
                app, c.id, as: "resident", ["action": "rate", "score": 9], expect: .conflict)
        }
    }

    @Test func extensionSendBackReassignAndReopen() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            let accepted = try #require(
                try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"]))
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(
                app, c.id, as: "grid001", ["action": "request_extension", "hours": 48, "reason": "需等待物业采购配件"])
            let decided = try #require(
                try await ComplaintFixture.act(
                    app, c.id, as: "community", ["action": "decide_extension", "approved": true]))
            let before = try #require(accepted.resolveBy)
            let moved = try #require(decided.resolveBy?.timeIntervalSince(before))
            #expect(abs(moved - 48 * 3600) < 1)
            let back = try await ComplaintFixture.act(
                app, c.id, as: "grid001", ["action": "send_back", "reason": "不属于本网格"])
            #expect(back?.status == "submitted")
            #expect(back?.handlerName == nil)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            struct U: Decodable { let id: UUID }
            let other = try #require(
                try await app.sql.select().column("id").from("users").where("username", .equal, "grid002").first(
                    decoding: U.self))
            let reassigned = try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "reassign", "handlerId": other.id.uuidString])
            #expect(reassigned?.status == "dispatched")
            try await ComplaintFixture.act(app, c.id, as: "grid002", ["action": "sign"])
            try await ComplaintFixture.act(app, c.id, as: "grid002", ["action": "resolve"])
            let reopened = try await ComplaintFixture.act(
                app, c.id, as: "resident", ["action": "reopen", "reason": "问题又出现了"])
            #expect(reopened?.status == "dispatched")
            #expect(reopened?.reopened == 1)
        }
    }

    @Test func overdueComplaintEscalatesWhenTheClockPassesTheLimit() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app, category: "safety.fire_lane")  // 2-hour tier
            let accepted = try #require(
                try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"]))
            let escalation = ComplaintEscalation(db: try app.sql, channels: app.zhili.config.notifications)
            _ = try await escalation.run(now: Date())  // the demo history's own overdue complaints
            struct L: Decodable { let escalation_level: Int }
            func level() async throws -> Int {
                try #require(
                    try await app.sql.select().column("escalation_level").from("complaints").where("id", .equal, c.id)
                        .first(decoding: L.self)
                ).escalation_level
            }
            #expect(try await level() == EscalationLevel.grid.rawValue)
            let later = try #require(accepted.resolveBy).addingTimeInterval(60)
            #expect(try await escalation.run(now: later).escalated >= 1)
            #expect(try await level() > EscalationLevel.grid.rawValue)
            #expect(try await escalation.run(now: later).escalated == 0, "idempotent")
            let headers = try await app.bearer("community")
            try await app.testing().test(.GET, "/api/v1/complaints/\(c.id)", headers: headers) { res in
                let dto = try res.content.decode(ComplaintDTO.self)
                #expect(dto.escalationLevel != EscalationLevel.grid.nameZh)
                #expect(dto.timeline?.last?.action == "escalate")
            }
            let much = later.addingTimeInterval(3 * 24 * 3600)
            _ = try await escalation.run(now: much)
            #expect(try await level() == EscalationLevel.city.rawValue)
        }
    }

    @Test func escalationPassesRunningAtOnceChangeEachComplaintOnce() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app, category: "safety.fire_lane")  // 2-hour tier
            let accepted = try #require(
                try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"]))
            let channels = app.zhili.config.notifications
            _ = try await ComplaintEscalation(db: app.sql, channels: channels).run(now: Date())
            let later = try #require(accepted.resolveBy).addingTimeInterval(60)
            // Two instances' schedulers passing at the same moment.
            async let first = ComplaintEscalation(db: app.sql, channels: channels).run(now: later)
            async let second = ComplaintEscalation(db: app.sql, channels: channels).run(now: later)
            let (a, b) = try await (first, second)
            #expect(a.escalated + b.escalated >= 1)
            struct E: Decodable { let action: String }
            let entries = try await app.sql.select().column("action").from("complaint_events")
                .where("complaint_id", .equal, c.id).where("action", .equal, "escalate").all(decoding: E.self)
            #expect(entries.count == 1, "one timeline entry, not one per pass")
        }
    }

    @Test func residentsSeeOnlyTheirOwnAndAnonymityHidesTheName() async throws {
        try await withTestApp { app in
            let headers = try await app.bearer("resident").merging(["Content-Type": "application/json"])
            let p = try await ComplaintFixture.point(app)
            var id = UUID()
            try await app.testing().test(
                .POST, "/api/v1/complaints", headers: headers,
                body: try RegistryFixture.json(
                    ["categoryCode": "disputes", "text": "邻居装修噪音影响休息", "lat": p.lat, "lon": p.lon, "anonymous": true])
            ) { res in
                id = (try? res.content.decode(ComplaintDTO.self).id) ?? id
            }
            try await ComplaintFixture.act(app, id, as: "community", ["action": "accept"])
            try await app.testing().test(.GET, "/api/v1/complaints/\(id)", headers: try await app.bearer("grid001")) {
                res in
                #expect(res.status == .ok)
                #expect((try? res.content.decode(ComplaintDTO.self).submitterName) == nil)
            }
            try await app.testing().test(.GET, "/api/v1/complaints/\(id)", headers: try await app.bearer("grid002")) {
                res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/complaints", headers: headers) { res in
                let page = try res.content.decode(ComplaintRoutes.Page.self)
                #expect(page.items.map(\.id) == [id])
            }
        }
    }

    @Test func threeRatesOnAKnownSet() async throws {
        try await withTestApp { app in
            // Four complaints: two handled in time and rated 5 and 2, one still waiting to be signed, one rejected.
            // The window starts now, leaving the demo town's history out.
            let from = Date()
            var ids: [UUID] = []
            for _ in 0..<4 { ids.append(try await ComplaintFixture.submit(app).id) }
            for id in ids.prefix(3) { try await ComplaintFixture.act(app, id, as: "community", ["action": "accept"]) }
            try await ComplaintFixture.act(app, ids[3], as: "community", ["action": "reject", "reason": "重复反映"])
            for (id, score) in [(ids[0], 5), (ids[1], 2)] {
                try await ComplaintFixture.act(app, id, as: "grid001", ["action": "sign"])
                try await ComplaintFixture.act(app, id, as: "grid001", ["action": "resolve"])
                try await ComplaintFixture.act(app, id, as: "resident", ["action": "rate", "score": score])
            }
            let grid = try await app.gridCodes()[0]
            let community = String(grid.prefix(12))
            try await app.testing().test(
                .GET,
                "/api/v1/complaints/rates?under=\(community)&from=\(ISO8601DateFormatter().string(from: from.addingTimeInterval(-1)))",
                headers: try await app.bearer("community")
            ) { res in
                let report = try res.content.decode(ComplaintRates.Report.self)
                #expect(report.total.dispatched == 3)
                #expect(report.total.respondedInTime == 2)
                #expect(report.total.rated == 2)
                #expect(report.total.satisfied == 1)
                #expect(report.total.satisfactionRate == 0.5)
                #expect(report.children.map(\.code) == [grid])
            }
        }
    }

    /// The pre-counted cells (by month) must always agree with counting the complaints themselves,
    /// after writes that mark cells dirty, on every dimension.
    @Test func monthCellsAgreeWithCountingEveryComplaint() async throws {
        try await withTestApp { app in
            var ids: [UUID] = []
            for i in 0..<5 { ids.append(try await ComplaintFixture.submit(app, grid: i % 2).id) }
            try await ComplaintFixture.act(app, ids[0], as: "community", ["action": "accept"])
            try await ComplaintFixture.act(app, ids[1], as: "community", ["action": "accept"])
            try await ComplaintFixture.act(app, ids[2], as: "community", ["action": "reject", "reason": "不属于受理范围"])
            try await ComplaintFixture.act(app, ids[0], as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(app, ids[0], as: "grid001", ["action": "resolve"])
            try await ComplaintFixture.act(app, ids[0], as: "resident", ["action": "rate", "score": 4])
            let city = String(try await app.gridCodes()[0].prefix(6))
            let headers = try await app.bearer("city")
            var cells: ComplaintRates.Report?
            var exact: ComplaintRates.Report?
            try await app.testing().test(.GET, "/api/v1/complaints/rates?under=\(city)", headers: headers) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                cells = try res.content.decode(ComplaintRates.Report.self)
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/rates?under=\(city)&from=2000-01-01T00:00:00Z", headers: headers
            ) { res in
                exact = try res.content.decode(ComplaintRates.Report.self)
            }
            let a = try #require(cells)
            let b = try #require(exact)
            #expect(a.total == b.total)
            #expect(a.complaints == b.complaints)
            #expect(a.children.map(\.rates) == b.children.map(\.rates))
            #expect(a.departments.map(\.rates) == b.departments.map(\.rates))
            #expect(a.months.map(\.code) == b.months.map(\.code))
            #expect(a.months.map(\.rates) == b.months.map(\.rates))
            // The history of the tiny town plus the five new ones.
            let stored = try await app.count("complaints")
            #expect(a.complaints == stored)
            // Nothing left dirty after a report.
            let dirty = try await app.count("complaint_rate_dirty")
            #expect(dirty == 0)
            // A month filter keeps only that month.
            let month = ComplaintRateCells.month(of: Date())
            try await app.testing().test(
                .GET, "/api/v1/complaints/rates?under=\(city)&fromMonth=\(month)&toMonth=\(month)", headers: headers
            ) { res in
                let r = try res.content.decode(ComplaintRates.Report.self)
                #expect(r.months.map(\.code) == [month])
                #expect(r.total.dispatched >= 2)
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/rates?under=\(city)&fromMonth=2026-13", headers: headers
            ) { res in
                #expect(res.status == .badRequest)
                #expect(errorField(res) == "fromMonth")
            }
        }
    }

    /// Submissions arriving together are written in one batch: each is acknowledged with its
    /// own complaint, the same key always yields one complaint, and each creation is audited.
    @Test func concurrentSubmissionsShareABatchButKeepTheirOwnResults() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            let results = try await withThrowingTaskGroup(of: ComplaintDTO.self) { group in
                for i in 0..<16 {
                    // The same key is a retry of the same request (a different body under one key is refused).
                    group.addTask {
                        try await ComplaintFixture.submit(
                            app, key: i < 8 ? "same-key" : "key-\(i)", text: "并发提交的诉求第 \(i < 8 ? 0 : i) 件，路灯不亮")
                    }
                }
                var all: [ComplaintDTO] = []
                for try await dto in group { all.append(dto) }
                return all
            }
            let after = try await app.count("complaints")
            #expect(after == before + 9)
            #expect(Set(results.map(\.id)).count == 9)
            let shared = results.filter { $0.text.hasPrefix("并发提交的诉求第") }
            #expect(shared.count == 16)
            for dto in Set(results.map(\.id)) {
                let audited = try await app.auditEntries(action: "create", entityID: dto.uuidString)
                #expect(audited.count == 1)
            }
        }
    }

    @Test func theTellFormSubmitsOnceAndLandsOnTheComplaint() async throws {
        try await withTestApp { app in
            var cookie = ""
            try await app.postLogin(["username": "resident", "password": DemoCity.password]) { res in
                cookie =
                    "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
            }
            var csrf = ""
            try await app.testing().test(.GET, "/tell", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                let html = res.body.string
                if let r = html.range(of: "name=\"_csrf\" value=\"") { csrf = String(html[r.upperBound...].prefix(32)) }
            }
            let p = try await ComplaintFixture.point(app)
            let before = try await app.count("complaints")
            var locations: [String] = []
            for _ in 0..<2 {
                try await app.testing().test(
                    .POST, "/tell", headers: ["Cookie": cookie],
                    beforeRequest: { req in
                        try req.content.encode(
                            [
                                "_csrf": csrf, "key": "same-form", "categoryCode": "facilities", "text": "路灯不亮，夜间出行不便",
                                "lat": "\(p.lat)", "lon": "\(p.lon)",
                            ], as: .urlEncodedForm)
                    }
                ) { res in
                    #expect(res.status == .seeOther, "\(res.body.string)")
                    locations.append(res.headers.first(name: .location) ?? "")
                }
            }
            #expect(locations[0].hasPrefix("/complaints/"))
            #expect(locations[0] == locations[1])
            let after = try await app.count("complaints")
            #expect(after == before + 1)
        }
    }
}
