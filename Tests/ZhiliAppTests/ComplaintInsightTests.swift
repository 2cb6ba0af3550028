import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("接诉即办: themes, trends, hot spots, statistics and the map")
struct ComplaintInsightTests {
    struct Trends: Decodable {
        struct Theme: Decodable {
            let code: String
            let count: Int
        }
        struct Month: Decodable {
            let month: String
            let complaints: Int
            let themes: [String: Int]
        }
        struct Hot: Decodable {
            let code: String
            let thisMonth: Int
            let topTheme: String?
        }
        let themes: [Theme]
        let months: [Month]
        let hotSpots: [Hot]
    }

    static func trends(_ app: Application, as user: String = "city", query: String = "") async throws -> Trends {
        var out: Trends?
        try await app.testing().test(.GET, "/api/v1/complaints/trends\(query)", headers: try await app.bearer(user)) {
            res in
            #expect(res.status == .ok, "\(res.body.string)")
            out = try res.content.decode(Trends.self)
        }
        return try #require(out)
    }

    @Test func submissionsAreCountedUnderTheirThemesAndGrid() async throws {
        try await withTestApp { app in
            let before = try await Self.trends(app)
            let noiseBefore = before.themes.first { $0.code == "noise" }?.count ?? 0
            _ = try await ComplaintFixture.submit(app, category: "disputes", grid: 1, text: "楼上装修电钻噪音，多次反映没人管")
            _ = try await ComplaintFixture.submit(app, category: "disputes", grid: 1, text: "夜里广场舞音响太吵")
            let after = try await Self.trends(app)
            #expect(after.themes.first { $0.code == "noise" }?.count == noiseBefore + 2)
            let month = ComplaintRateCells.month(of: Date())
            #expect(after.months.last?.month == month)
            #expect(after.months.count == 12)
            #expect(after.months.last?.themes["noise"] == (before.months.last?.themes["noise"] ?? 0) + 2)
            #expect(after.months.last?.complaints == (before.months.last?.complaints ?? 0) + 2)
            // The counts equal a recount from every complaint's text.
            try await ComplaintThemes(db: app.sql).recount()
            let recounted = try await Self.trends(app)
            #expect(recounted.themes.map(\.count) == after.themes.map(\.count))
            let grid = try await app.gridCodes()[1]
            #expect(after.hotSpots.contains { $0.code == grid && $0.thisMonth >= 2 })
        }
    }

    @Test func administratorsEditADictionaryAndEverythingIsRecounted() async throws {
        try await withTestApp { app in
            _ = try await ComplaintFixture.submit(app, text: "工地扬尘很大，窗户都不敢开")
            var headers = try await app.bearer("admin")
            headers.contentType = .json
            try await app.testing().test(
                .PUT, "/api/v1/complaints/themes/dust", headers: headers,
                body: try RegistryFixture.json(["nameZh": "扬尘", "nameEn": "Dust", "keywords": ["扬尘", "沙尘"]])
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            let trends = try await Self.trends(app)
            #expect(trends.themes.first { $0.code == "dust" }?.count == 1)
            // Only administrators; bad input is a clear error.
            var staff = try await app.bearer("community")
            staff.contentType = .json
            try await app.testing().test(
                .PUT, "/api/v1/complaints/themes/dust", headers: staff,
                body: try RegistryFixture.json(["nameZh": "扬尘", "keywords": ["扬尘"]])
            ) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(
                .PUT, "/api/v1/complaints/themes/dust", headers: headers,
                body: try RegistryFixture.json(["nameZh": "扬尘", "keywords": [] as [String]])
            ) { res in
                #expect(res.status == .badRequest || res.status == .unprocessableEntity)
                #expect(errorField(res) == "keywords")
            }
            try await app.testing().test(
                .PUT, "/api/v1/complaints/themes/bad%20code", headers: headers,
                body: try RegistryFixture.json(["nameZh": "扬尘", "keywords": ["扬尘"]])
            ) { res in
                #expect(errorField(res) == "code")
            }
        }
    }

    @Test func residentsSeeNoStatisticsAndTheMapShowsOnlyOpenComplaintsInScope() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/complaints/trends", headers: try await app.bearer("resident")) {
                res in
                #expect(res.status == .forbidden)
            }
            let open = try await ComplaintFixture.submit(app)
            struct FC: Decodable {
                struct F: Decodable {
                    struct P: Decodable {
                        let id: String
                        let status: String
                    }
                    let properties: P
                }
                let features: [F]
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/map.geojson", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .ok)
                let fc = try JSONDecoder().decode(FC.self, from: Data(buffer: res.body))
                #expect(fc.features.contains { $0.properties.id == open.id.uuidString })
                #expect(
                    fc.features.allSatisfy {
                        ["submitted", "dispatched", "signed", "in_progress"].contains($0.properties.status)
                    })
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/map.geojson", headers: try await app.bearer("resident")
            ) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func theStatisticsPageShowsRatesRankingThemesAndHotSpots() async throws {
        try await withTestApp { app in
            var cookie = ""
            try await app.postLogin(["username": "city", "password": DemoCity.password]) { res in
                cookie =
                    "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
            }
            try await app.testing().test(.GET, "/complaints/stats", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                let html = res.body.string
                for text in ["响应率", "解决率", "满意率", "下级排名", "按承办部门", "热点网格", "<svg class=\"chart\""] {
                    #expect(html.contains(text), "missing \(text)")
                }
            }
            try await app.testing().test(.GET, "/complaints/stats?fromMonth=2026-99", headers: ["Cookie": cookie]) {
                res in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.GET, "/complaints/map", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("complaint-map.js"))
            }
        }
    }
}
