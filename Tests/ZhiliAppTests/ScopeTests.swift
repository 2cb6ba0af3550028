import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Roles and data scope")
struct ScopeTests {
    @Test func gridWorkerReadsResidentOfOwnGridAndTheReadIsAudited() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let id = try await app.residentID(under: grids[0])
            let headers = try await app.bearer("grid001")
            try await app.testing().test(.GET, "/api/v1/residents/\(id)", headers: headers) { res in
                #expect(res.status == .ok)
                let dto = try res.content.decode(ResidentDTO.self)
                #expect(dto.idNumberMasked.contains("********"))
            }
            let reads = try await app.auditEntries(action: "read", entityID: id.uuidString)
            #expect(reads.count == 1)
            #expect(reads.first?.actorName == "grid001")
        }
    }

    @Test func gridWorkerCannotReadResidentOfAnotherGridAndTheAttemptIsAudited() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let other = try await app.residentID(under: grids[1])
            let headers = try await app.bearer("grid001")
            // Refused exactly as a resident who does not exist: the answer tells nothing.
            var unknown: ErrorBody?
            try await app.testing().test(.GET, "/api/v1/residents/\(UUID())", headers: headers) { res in
                unknown = try? res.content.decode(ErrorBody.self)
            }
            try await app.testing().test(.GET, "/api/v1/residents/\(other)", headers: headers) { res in
                #expect(res.status == .notFound)
                #expect(errorCode(res) == "not_found")
                let refused = try? res.content.decode(ErrorBody.self)
                #expect(
                    refused?.error.messageZh == unknown?.error.messageZh
                        && refused?.error.messageEn == unknown?.error.messageEn)
            }
            let denied = try await app.auditEntries(action: "read_denied", entityID: other.uuidString)
            #expect(denied.count == 1)
            #expect(denied.first?.outcome == "denied")
            #expect(denied.first?.actorName == "grid001")
        }
    }

    @Test func residentListIsLimitedToTheWorkersGrid() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let headers = try await app.bearer("grid002")
            try await app.testing().test(.GET, "/api/v1/residents?limit=200", headers: headers) { res in
                #expect(res.status == .ok)
                let page = try res.content.decode(PeopleRoutes.ResidentPage.self)
                #expect(!page.items.isEmpty)
                #expect(page.items.allSatisfy { $0.householdCode.hasPrefix(grids[1]) })
            }
            try await app.testing().test(.GET, "/api/v1/residents?under=\(grids[0])", headers: headers) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func communityStaffSeeTheirCommunityButNotTheNeighbouringOne() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let communities = Set(grids.map { String($0.prefix(12)) }).sorted()
            let ownResident = try await app.residentID(under: communities[0])
            let otherResident = try await app.residentID(under: communities[1])
            let headers = try await app.bearer("community")
            try await app.testing().test(.GET, "/api/v1/residents/\(ownResident)", headers: headers) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/residents/\(otherResident)", headers: headers) { res in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func residentSeesOwnHouseholdOnly() async throws {
        try await withTestApp { app in
            let headers = try await app.bearer("resident")
            var household = ""
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { res in
                household = try res.content.decode(MeDTO.self).nodeCode ?? ""
            }
            try await app.testing().test(.GET, "/api/v1/households/\(household)", headers: headers) { res in
                #expect(res.status == .ok)
            }
            let grids = try await app.gridCodes()
            let stranger = try await app.residentID(under: grids[3])
            try await app.testing().test(.GET, "/api/v1/residents/\(stranger)", headers: headers) { res in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func merchantsAndUnitsReadNoResidents() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let id = try await app.residentID(under: grids[0])
            for user in ["merchant", "cobuild", "volunteer"] {
                let headers = try await app.bearer(user)
                try await app.testing().test(.GET, "/api/v1/residents/\(id)", headers: headers) { res in
                    #expect(res.status == .notFound, "\(user) must not read residents, nor learn that they exist")
                }
            }
        }
    }

    @Test func everyDemoRoleCanSignIn() async throws {
        try await withTestApp { app in
            for user in [
                "admin", "city", "street", "community", "grid001", "civil", "emergency", "volunteer", "merchant",
                "cobuild", "resident",
            ] {
                let headers = try await app.bearer(user)
                try await app.testing().test(.GET, "/api/v1/me", headers: headers) { res in
                    #expect(res.status == .ok, "\(user)")
                    let actual10 = try res.content.decode(MeDTO.self).username
                    #expect(actual10 == user)
                }
            }
        }
    }

    @Test func scopeRangeCoversExactlyTheSubtree() throws {
        let scope = DataScope.subtree(try .init(validating: "620982001001"))
        #expect(scope.allows(code: "620982001001001001001010001"))
        #expect(!scope.allows(code: "620982001002001"))
        #expect(scope.allowsBrowsing(code: "620982"))
        #expect(!DataScope.nothing.allows(code: "620982"))
        #expect(DataScope.household("620982001001001001001010001").allows(code: "620982001001001001001010001"))
    }
}
