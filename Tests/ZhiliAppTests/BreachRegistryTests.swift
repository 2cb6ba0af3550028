import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain
import ZhiliSheets

@testable import ZhiliApp

/// Side doors into residents' records found by probing as an attacker would (issue 10):
/// imports across scope, tag filters that reveal hidden tags, writes beyond a role.
@Suite("Breaches: the register")
struct BreachRegistryTests {
    static func importCSV(_ app: Application, as user: String, rows: [[String]], dryRun: Bool) async throws
        -> ImportReport
    {
        let headers = try await app.bearer(user).merging(["Content-Type": "text/csv"])
        var report: ImportReport?
        try await app.testing().test(
            .POST, "/api/v1/exchange/residents/import?dryRun=\(dryRun)&filename=people.csv", headers: headers,
            body: ByteBuffer(bytes: ExchangeTests.csv(rows))
        ) { res in
            #expect(res.status == .ok, "\(res.body.string)")
            report = try? res.content.decode(ImportReport.self)
        }
        return try #require(report)
    }

    struct Person: Decodable {
        let id: UUID
        let name: String
        let household_code: String
    }

    static func person(_ app: Application, _ id: UUID) async throws -> Person {
        try #require(
            try await app.sql.select().columns("id", "name", "household_code").from("residents").where("id", .equal, id)
                .first(decoding: Person.self))
    }

    static func idNumber(_ app: Application, _ id: UUID) async throws -> String {
        try #require(try await ResidentService(db: app.sql, cipher: app.zhili.cipher).load(id)).valid.idNumber
    }

    @Test func anImportMatchesOnlyPeopleInsideTheImportersAreaAndSaysNothingOfOthers() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let stranger = try await app.residentID(under: grids[3])
            let before = try await Self.person(app, stranger)
            let household = try await RegistryFixture.firstHousehold(app, grid: 0)
            let row = ExchangeTests.row("改了名字", try await Self.idNumber(app, stranger), household)
            // The dry run answers as for an unknown ID number: one new person, nobody updated.
            let unknown = ExchangeTests.row("新来的人", RegistryFixture.idNumber(year: 1977, sequence: 91), household)
            let dry = try await Self.importCSV(app, as: "grid001", rows: [row], dryRun: true)
            let dryUnknown = try await Self.importCSV(app, as: "grid001", rows: [unknown], dryRun: true)
            #expect(dry.created == 1 && dry.updated == 0)
            #expect(
                dry.created == dryUnknown.created && dry.updated == dryUnknown.updated
                    && dry.pending.count == dryUnknown.pending.count)
            // The real run moves nobody: it sends a move-in to review.
            let real = try await Self.importCSV(app, as: "grid001", rows: [row], dryRun: false)
            #expect(real.committed && real.updated == 0 && real.created == 0 && real.pending.count == 1)
            let after = try await Self.person(app, stranger)
            #expect(after.name == before.name && after.household_code == before.household_code)
            // grid001 still cannot see or reveal the person; their own grid worker still can.
            let reveal = try RegistryFixture.json(["field": "idNumber", "reason": "核对身份信息"])
            try await app.testing().test(
                .POST, "/api/v1/residents/\(stranger)/reveal",
                headers: try await app.bearer("grid001").merging(["Content-Type": "application/json"]), body: reveal
            ) { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(
                .GET, "/api/v1/residents/\(stranger)", headers: try await app.bearer("grid004")
            ) { res in
                #expect(res.status == .ok)
            }
            // Importing again asks nothing new; the community approves and the person moves.
            _ = try await Self.importCSV(app, as: "grid001", rows: [row], dryRun: false)
            struct Request: Decodable {
                let id: UUID
                let kind: String
            }
            let requests = try await app.sql.select().columns("id", "kind").from("change_requests").where(
                "entity_id", .equal, stranger.uuidString
            )
            .all(decoding: Request.self)
            #expect(requests.map(\.kind) == ["move_in"])
            let community = try await app.bearer("community")
            try await app.testing().test(
                .POST, "/api/v1/reviews/\(try #require(requests.first).id)/approve", headers: community
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            let moved = try await Self.person(app, stranger)
            #expect(moved.household_code == household && moved.name == "改了名字")
        }
    }

    @Test func registeringSomeoneOfAnotherAreaIsAMoveInForReviewNotAChange() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let stranger = try await app.residentID(under: grids[3])
            let before = try await Self.person(app, stranger)
            let household = try await RegistryFixture.firstHousehold(app, grid: 0)
            let headers = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            let body = try RegistryFixture.json([
                "name": "冒名顶替", "idNumber": try await Self.idNumber(app, stranger), "householdCode": household,
                "relation": "户主",
            ])
            try await app.testing().test(.POST, "/api/v1/residents", headers: headers, body: body) { res in
                #expect(res.status == .accepted)
                #expect((try? res.content.decode(ResidentService.Outcome.self))?.pendingReview != nil)
            }
            let after = try await Self.person(app, stranger)
            #expect(after.name == before.name && after.household_code == before.household_code)
        }
    }

    @Test func aGridWorkersImportSendsIdentityAndTagChangesToReviewAsEditsDo() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app, grid: 0)
            let idNumber = RegistryFixture.idNumber(year: 1949, sequence: 77)
            let id = try await RegistryFixture.register(
                app, as: "community", name: "原来的名字", idNumber: idNumber, household: household)
            var row = ExchangeTests.row("导入改名", idNumber, household, tags: "孤寡老人")
            row[13] = "导入改了备注"  // notes apply at once
            let report = try await Self.importCSV(app, as: "grid001", rows: [row], dryRun: false)
            #expect(report.committed && report.updated == 1 && report.pending.count == 1)
            #expect(try await Self.person(app, id).name == "原来的名字")
            struct Tag: Decodable { let tag: String }
            #expect(
                try await app.sql.select().column("tag").from("resident_tags").where("resident_id", .equal, id).all(
                    decoding: Tag.self
                ).isEmpty)
            struct Notes: Decodable { let notes: String? }
            #expect(
                try await app.sql.select().column("notes").from("residents").where("id", .equal, id).first(
                    decoding: Notes.self)?.notes == "导入改了备注")
            struct Request: Decodable {
                let kind: String
                let status: String
            }
            let held = try await app.sql.select().columns("kind", "status").from("change_requests").where(
                "entity_id", .equal, id.uuidString
            ).all(decoding: Request.self)
            #expect(held.count == 1 && held.first?.kind == "update" && held.first?.status == "pending")
        }
    }

    @Test func onlyThoseWhoKeepTheRegisterImportPeople() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app, grid: 0)
            for user in ["city", "emergency"] {
                let headers = try await app.bearer(user).merging(["Content-Type": "text/csv"])
                try await app.testing().test(
                    .POST, "/api/v1/exchange/residents/import?dryRun=true&filename=p.csv", headers: headers,
                    body: ByteBuffer(
                        bytes: ExchangeTests.csv([
                            ExchangeTests.row("某人", RegistryFixture.idNumber(sequence: 5), household)
                        ]))
                ) { res in
                    #expect(res.status == .forbidden, "\(user)")
                }
            }
        }
    }

    @Test func filteringByATagTheRoleMayNotSeeIsRefusedAsAnUnknownTag() async throws {
        try await withTestApp { app in
            for user in ["city", "street", "emergency"] {
                let headers = try await app.bearer(user)
                var unknown: ErrorBody?
                try await app.testing().test(.GET, "/api/v1/residents/search?tag=no_such_tag", headers: headers) {
                    res in
                    #expect(res.status == .unprocessableEntity)
                    unknown = try? res.content.decode(ErrorBody.self)
                }
                for hidden in ["critically_ill", "left_behind_child"] {
                    try await app.testing().test(.GET, "/api/v1/residents/search?tag=\(hidden)", headers: headers) {
                        res in
                        #expect(res.status == .unprocessableEntity, "\(user) \(hidden)")
                        #expect((try? res.content.decode(ErrorBody.self))?.error.code == unknown?.error.code)
                    }
                }
                try await app.testing().test(
                    .GET, "/residents?tag=critically_ill", headers: headers.merging(["Accept": "text/html"])
                ) { res in
                    #expect(res.status == .unprocessableEntity, "\(user) page")
                }
            }
            // Roles that see the tag still filter by it.
            for user in ["civil", "community"] {
                try await app.testing().test(
                    .GET, "/api/v1/residents/search?tag=critically_ill", headers: try await app.bearer(user)
                ) { res in
                    #expect(res.status == .ok, "\(user)")
                }
            }
        }
    }

    @Test func officialsAndDepartmentsReadTheRegisterButDoNotEditItOrRecordVisits() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let id = try await app.residentID(under: grids[0])
            for user in ["city", "emergency"] {
                let headers = try await app.bearer(user).merging(["Content-Type": "application/json"])
                try await app.testing().test(
                    .PATCH, "/api/v1/residents/\(id)", headers: headers,
                    body: try RegistryFixture.json(["notes": "改备注"])
                ) { res in
                    #expect(res.status == .forbidden, "\(user) edit")
                }
                try await app.testing().test(
                    .POST, "/api/v1/residents/\(id)/visits", headers: headers,
                    body: try RegistryFixture.json(["notes": "走访"])
                ) { res in
                    #expect(res.status == .forbidden, "\(user) visit")
                }
            }
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/visits",
                headers: try await app.bearer("civil").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["notes": "民政走访"])
            ) { res in
                #expect(res.status == .created)
            }
        }
    }

    @Test func aVisitFarOutsideTheCityAndAnEssayOfAReasonAreRefused() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let id = try await app.residentID(under: grids[0])
            let headers = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/visits", headers: headers,
                body: try RegistryFixture.json(["notes": "走访", "lat": -1.0, "lon": 94.66])
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "lat")
            }
            let p = try await ComplaintFixture.point(app)
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/visits", headers: headers,
                body: try RegistryFixture.json(["notes": "走访", "lat": p.lat, "lon": p.lon])
            ) { res in
                #expect(res.status == .created)
            }
            let essay = String(repeating: "原", count: 1_000_000)
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: headers,
                body: try RegistryFixture.json(["field": "phone", "reason": essay])
            ) { res in
                #expect(res.status == .unprocessableEntity || res.status == .payloadTooLarge)
            }
            let long = String(repeating: "原", count: 201)
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: headers,
                body: try RegistryFixture.json(["field": "phone", "reason": long])
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "reason")
            }
        }
    }

    @Test func namesAndNotesLoseControlAndDirectionOverrideCharacters() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app, grid: 0)
            let id = try await RegistryFixture.register(
                app, name: "王\u{202E}五\u{0}", idNumber: RegistryFixture.idNumber(sequence: 33), household: household)
            #expect(try await Self.person(app, id).name == "王五")
        }
    }

    @Test func householdsOutsideOnesOwnAnswerAsHouseholdsThatDoNotExist() async throws {
        try await withTestApp { app in
            let other = try await RegistryFixture.firstHousehold(app, grid: 3)
            for user in ["resident", "volunteer", "grid001"] {
                let headers = try await app.bearer(user)
                var unknown: ErrorBody?
                try await app.testing().test(.GET, "/api/v1/households/620982001001001001001019999", headers: headers) {
                    res in
                    #expect(res.status == .notFound)
                    unknown = try? res.content.decode(ErrorBody.self)
                }
                try await app.testing().test(.GET, "/api/v1/households/\(other)", headers: headers) { res in
                    #expect(res.status == .notFound, "\(user)")
                    #expect((try? res.content.decode(ErrorBody.self))?.error.messageZh == unknown?.error.messageZh)
                }
            }
        }
    }
}
