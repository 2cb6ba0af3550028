import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Volunteers: the service catalogue and who to send")
struct VolunteerTests {
    static func household(_ app: Application, in grid: String) async throws -> String {
        struct H: Decodable { let household_code: String }
        return try #require(
            try await app.sql.select().column("household_code").from("residents")
                .where("household_code", .greaterThan, grid).where("household_code", .lessThan, grid + ":")
                .first(decoding: H.self)
        ).household_code
    }

    @Test func theCatalogueIsServedToEveryoneSignedIn() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/service-items", headers: try await app.bearer("resident")) {
                res in
                #expect(res.status == .ok)
                let c = try res.content.decode(VolunteerRoutes.Catalogue.self)
                #expect(c.items.count == ServiceCatalogue.items.count && c.items.count >= 130)
                #expect(c.categories.count == 12)
            }
            try await app.testing().test(.GET, "/api/v1/service-items") { res in #expect(res.status == .unauthorized) }
        }
    }

    @Test func theSuggestionRanksTheViewersVolunteersOnlyAndExplainsEachScore() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let household = try await Self.household(app, in: grids[0])
            let community = String(grids[0].prefix(NodeLevel.community.codeLength))
            for (user, inside) in [("community", community), ("grid001", grids[0])] {
                try await app.testing().test(
                    .GET, "/api/v1/volunteers/suggest?item=repair.04&household=\(household)&limit=50",
                    headers: try await app.bearer(user)
                ) { res in
                    #expect(res.status == .ok, "\(res.body.string)")
                    let s = try res.content.decode(VolunteerRoutes.Suggestion.self)
                    #expect(s.item.skill == "管道疏通")
                    #expect(s.considered > 0 && !s.candidates.isEmpty)
                    // Another community's (or grid's) volunteers are not even weighed.
                    #expect(s.candidates.allSatisfy { $0.grid.hasPrefix(inside) }, "\(user)")
                    for c in s.candidates {
                        #expect(abs(c.factors.reduce(0) { $0 + $1.points } - c.score) < 1e-9)
                        #expect(c.factors.map(\.factor) == DispatchFactor.allCases.map(\.rawValue))
                    }
                    #expect(zip(s.candidates, s.candidates.dropFirst()).allSatisfy { $0.score >= $1.score })
                }
            }
            #expect(try await app.auditEntries(action: "read_volunteers", entityID: household).count == 2)
        }
    }

    @Test func badQuestionsAreRefusedWithTheFieldNamed() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let household = try await Self.household(app, in: grids[0])
            let cases: [(String, HTTPStatus, String?)] = [
                ("item=nothing.01&household=\(household)", .unprocessableEntity, "item"),
                ("item=repair.04&household=\(grids[0])", .unprocessableEntity, "household"),
                ("item=repair.04", .unprocessableEntity, "household"),
                ("item=repair.04&household=\(household)&limit=0", .unprocessableEntity, "limit"),
                ("item=repair.04&household=\(household)&at=tomorrow", .unprocessableEntity, "at"),
            ]
            for (query, status, field) in cases {
                try await app.testing().test(
                    .GET, "/api/v1/volunteers/suggest?\(query)", headers: try await app.bearer("community")
                ) { res in
                    #expect(res.status == status, "\(query): \(res.body.string)")
                    #expect(errorField(res) == field, "\(query)")
                }
            }
            // Staff of another grid; a resident.
            for user in ["grid004", "resident"] {
                try await app.testing().test(
                    .GET, "/api/v1/volunteers/suggest?item=repair.04&household=\(household)",
                    headers: try await app.bearer(user)
                ) { res in #expect(res.status == .forbidden, "\(user)") }
            }
        }
    }

    @Test func theDemosVolunteersHaveAvailabilityAndSomeARecord() async throws {
        try await withTestApp { app in
            struct V: Decodable {
                let skills: String
                let availability: Int
                let rating_count: Int
                let rating_sum: Int
            }
            let rows = try await app.sql.select().columns("skills", "availability", "rating_count", "rating_sum").from(
                "volunteers"
            )
            .all(decoding: V.self)
            #expect(rows.count >= 20)
            #expect(rows.filter { $0.availability != 0 }.count >= rows.count * 3 / 4)
            #expect(rows.contains { $0.rating_count > 0 })
            #expect(
                rows.allSatisfy { r in
                    !r.skills.isEmpty
                        && r.skills.split(separator: ",").allSatisfy { ServiceCatalogue.skills.contains(String($0)) }
                })
            #expect(rows.allSatisfy { $0.rating_sum >= $0.rating_count && $0.rating_sum <= 5 * $0.rating_count })
        }
    }

    @Test func thePageRanksForStaffInScopeAndNamesNobodyOutside() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let household = try await Self.household(app, in: grids[0])
            let empty = try await WebFixture.page(app, "/volunteers/suggest", as: "community")
            #expect(empty.contains("name=\"household\"") && !empty.contains("各项得分"))
            let page = try await WebFixture.page(
                app, "/volunteers/suggest?item=repair.04&household=\(household)", as: "community")
            #expect(page.contains("各项得分") && page.contains("技能"))
            let outside = try await WebFixture.page(
                app, "/volunteers/suggest?item=repair.04&household=\(household)", as: "grid004")
            #expect(outside.contains("请选择服务项目") && !outside.contains("各项得分"))
            #expect(try await app.auditEntries(action: "read_volunteers", entityID: household).count == 1)
        }
    }
}
