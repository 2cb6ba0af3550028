import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Sensing figures per area and month")
struct SensingFiguresTests {
    static func figures(_ app: Application, as user: String, query: String, expect status: HTTPStatus = .ok)
        async throws -> SensingFigures.Report?
    {
        var out: SensingFigures.Report?
        try await app.testing().test(
            .GET, "/api/v1/alarm-figures?\(query)", headers: try await app.bearer(user)
        ) { res in
            #expect(res.status == status, "\(res.body.string)")
            out = try? res.content.decode(SensingFigures.Report.self)
        }
        return out
    }

    @Test func anAnsweredSOSCountsInItsGridAndCommunityAndOtherAreasDoNotSeeIt() async throws {
        try await withTestApp { app in
            let grid = try await app.gridCodes()[0]
            let community = String(grid.dropLast(3))
            let month = SensingFigures.month(of: Date())
            let before = try #require(
                try await Self.figures(app, as: "community", query: "under=\(community)&month=\(month)"))
            let device = try await SensingFixture.register(app)
            let r = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos")])
            let id = try #require(r.receipt?.alarms.first)
            try await SensingFixture.act(app, id, as: "grid001", ["action": "acknowledge"])
            try await SensingFixture.act(app, id, as: "grid001", ["action": "false", "note": "误触"])
            let after = try #require(
                try await Self.figures(app, as: "community", query: "under=\(community)&month=\(month)"))
            #expect(after.figures.total == before.figures.total + 1)
            #expect(after.figures.byRule["sos"] == (before.figures.byRule["sos"] ?? 0) + 1)
            #expect(after.figures.bySeverity["critical"] == (before.figures.bySeverity["critical"] ?? 0) + 1)
            // Answered at once: within a minute; closed as false.
            #expect(after.figures.acknowledgedWithin60s != nil && after.figures.falseShare != nil)
            let line = try #require(after.children.first { $0.code == grid })
            let lineBefore = before.children.first { $0.code == grid }?.figures.total ?? 0
            #expect(line.figures.total == lineBefore + 1)
            #expect(after.devicesTotal == before.devicesTotal + 1)
            // Another grid's worker may not read this grid's figures; nor a resident any.
            _ = try await Self.figures(app, as: "grid004", query: "under=\(grid)", expect: .forbidden)
            _ = try await Self.figures(app, as: "resident", query: "under=\(grid)", expect: .forbidden)
            _ = try await Self.figures(
                app, as: "community", query: "under=\(grid)&month=2026-13", expect: .unprocessableEntity)
            // A month with nothing: zeros, no made-up rates.
            let empty = try #require(try await Self.figures(app, as: "community", query: "under=\(grid)&month=2001-01"))
            #expect(empty.figures.total == 0 && empty.figures.acknowledgedWithin60s == nil)
        }
    }

    @Test func theFiguresPageShowsTheMonthInChinese() async throws {
        try await withTestApp { app in
            let (cookie, _) = try await NotificationFixture.webSession(app, "community", page: "/alarms")
            try await app.testing().test(.GET, "/alarm-figures", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("告警统计") && res.body.string.contains("一分钟内响应率"))
            }
        }
    }
}
