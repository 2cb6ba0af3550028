import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Hierarchy, codes and geometry")
struct HierarchyTests {
    @Test func cityCountsAddUpToEveryHouseholdAndResident() async throws {
        try await withTestApp { app in
            let city = try await app.bearer("city")
            let households = try await app.count("households")
            let residents = try await app.count("residents")
            try await app.testing().test(.GET, "/api/v1/nodes", headers: city) { res in
                let roots = try res.content.decode([NodeSummary].self)
                #expect(roots.map(\.code) == ["620982"])
                #expect(roots[0].counts.households == households)
                #expect(roots[0].counts.residents == residents)
            }
        }
    }

    @Test func childrenListingShowsOnlyThePathTowardTheAccountsNode() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let worker = try await app.bearer("grid002")
            try await app.testing().test(.GET, "/api/v1/nodes/620982001/children", headers: worker) { res in
                let children = try res.content.decode([NodeSummary].self)
                #expect(children.map(\.code) == [String(grids[1].prefix(12))])
            }
        }
    }

    @Test func createdNodeGetsTheNextCodeAndRetiredCodesAreNeverReused() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin")
            let headers = admin.merging(["Content-Type": "application/json"])
            let grid = try await app.gridCodes()[0]
            var first = ""
            try await app.testing().test(
                .POST, "/api/v1/nodes", headers: headers,
                body: .init(string: #"{"parentCode":"\#(grid)","name":"新建小区"}"#)
            ) { res in
                #expect(res.status == .created)
                first = try res.content.decode(NodeDetail.self).code
            }
            let parsed = try HierarchyCode(validating: first)
            #expect(parsed.level == .compound)
            #expect(parsed.parent?.value == grid)
            try await app.testing().test(.DELETE, "/api/v1/nodes/\(first)", headers: admin) { res in
                #expect(res.status == .noContent)
            }
            try await app.testing().test(
                .POST, "/api/v1/nodes", headers: headers,
                body: .init(string: #"{"parentCode":"\#(grid)","name":"另一个小区"}"#)
            ) { res in
                let second = try res.content.decode(NodeDetail.self).code
                #expect(second != first)
                let actual1 = try HierarchyCode(validating: second).serial
                #expect(actual1 == parsed.serial + 1)
            }
            let actual2 = try await app.auditEntries(action: "create", entityID: first).count
            #expect(actual2 == 1)
        }
    }

    @Test func nodeWithHouseholdsCannotBeRetired() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin")
            let grid = try await app.gridCodes()[0]
            try await app.testing().test(.DELETE, "/api/v1/nodes/\(grid)", headers: admin) { res in
                #expect(res.status == .conflict)
                #expect(errorCode(res) == "node_not_empty")
            }
        }
    }

    @Test func pointInsideAGridResolvesToItAndOutsideIsA404() async throws {
        try await withTestApp { app in
            struct Row: Decodable {
                let code: String
                let geometry: String
            }
            let grids = try await app.sql.select().columns("code", "geometry").from("nodes").where(
                "level", .equal, "grid"
            )
            .all(decoding: Row.self)
            let headers = try await app.bearer("resident")
            for grid in grids {
                let c = try GeoPolygon(geoJSONString: grid.geometry).centroid
                try await app.testing().test(.GET, "/api/v1/grids/locate?lat=\(c.lat)&lon=\(c.lon)", headers: headers) {
                    res in
                    #expect(res.status == .ok)
                    let actual3 = try res.content.decode(GridLocation.self).gridCode
                    #expect(actual3 == grid.code)
                }
            }
            try await app.testing().test(.GET, "/api/v1/grids/locate?lat=39.9&lon=116.4", headers: headers) { res in
                #expect(res.status == .notFound)
                #expect(errorCode(res) == "outside_all_grids")
            }
        }
    }

    @Test func gridPolygonsOfTheDemoTownDoNotOverlapAndCompoundsLieInside() async throws {
        try await withTestApp { app in
            struct Row: Decodable {
                let code: String
                let geometry: String
            }
            let rows = try await app.sql.select().columns("code", "geometry").from("nodes")
                .where("level", .in, ["grid", "compound"]).all(decoding: Row.self)
            let grids = try rows.filter { $0.code.count == 15 }.map {
                ($0.code, try GeoPolygon(geoJSONString: $0.geometry))
            }
            let compounds = rows.filter { $0.code.count == 18 }
            #expect(!compounds.isEmpty)
            for compound in compounds {
                let centre = try GeoPolygon(geoJSONString: compound.geometry).centroid
                let containing = grids.filter { $0.1.contains(centre) }.map(\.0)
                #expect(containing == [String(compound.code.prefix(15))])
            }
        }
    }

    @Test func householdQRCodeIsAnSVGForStaffInScope() async throws {
        try await withTestApp { app in
            struct Row: Decodable { let code: String }
            let grids = try await app.gridCodes()
            let household = try #require(
                try await app.sql.select().column("code").from("households")
                    .where("code", .greaterThanOrEqual, grids[0]).orderBy("code").first(decoding: Row.self)
            ).code
            let worker = try await app.bearer("grid001")
            try await app.testing().test(.GET, "/api/v1/households/\(household)/qr.svg", headers: worker) { res in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.subType == "svg+xml")
                #expect(res.body.string.hasPrefix("<svg") || res.body.string.hasPrefix("<?xml"))
            }
            let other = try await app.bearer("grid002")
            try await app.testing().test(.GET, "/api/v1/households/\(household)/qr.svg", headers: other) { res in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func demoTownHasTheRequestedShape() async throws {
        try await withTestApp { app in
            let spec = DemoSpec.tiny
            let actual4 = try await app.count("households")
            #expect(actual4 == spec.households)
            let actual5 = try await app.count("residents")
            #expect(actual5 == spec.residents)
            let actual6 = try await app.gridCodes().count
            #expect(actual6 == spec.grids)
            let actual7 = try await app.count("resident_tags")
            #expect(actual7 == spec.keyPersons.map(\.1).reduce(0, +))
            let actual8 = try await app.count("places")
            #expect(actual8 == spec.auxiliaryPlaces)
        }
    }
}
