import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Duty roster: who answers for a place, and when")
struct DutyRosterTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let grid = "620982001001001"
    let community = "620982001001"
    let street = "620982001"

    func shift(_ user: UUID, _ node: String, from: Double, to: Double) -> DutyShift {
        DutyShift(
            id: UUID(), userID: user, nodeCode: node, startsAt: now.addingTimeInterval(from * 3600),
            endsAt: now.addingTimeInterval(to * 3600))
    }

    @Test func theNearestNodeComesFirstAndOnlyShiftsRunningNowCount() {
        let (a, b, c, d, e) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let shifts = [
            shift(a, street, from: -1, to: 1),
            shift(b, community, from: -1, to: 1),
            shift(c, grid, from: -1, to: 1),
            shift(d, grid, from: 1, to: 3),  // not yet
            shift(e, "620982001001002", from: -1, to: 1),  // another grid
            shift(e, grid, from: -3, to: 0),  // ended exactly now
        ]
        let household = grid + "0101001"
        #expect(DutyRoster.onDuty(for: household, at: now, among: shifts).map(\.userID) == [c, b, a])
        #expect(DutyRoster.onDuty(for: community, at: now, among: shifts).map(\.userID) == [b, a])
        #expect(DutyRoster.onDuty(for: "620982002", at: now, among: shifts).isEmpty)
    }

    @Test func tiesGoToTheLongestStillToRunThenTheInputOrderAndAPersonAppearsOnce() {
        let (a, b, c) = (UUID(), UUID(), UUID())
        let shifts = [
            shift(a, grid, from: -1, to: 2),
            shift(b, grid, from: -1, to: 4),
            shift(c, grid, from: -2, to: 2),
            shift(b, community, from: -1, to: 8),
        ]
        #expect(DutyRoster.onDuty(for: grid, at: now, among: shifts).map(\.userID) == [b, a, c])
        // The input order settles what nothing else does, whichever way round it comes.
        #expect(DutyRoster.onDuty(for: grid, at: now, among: [shifts[2], shifts[0]]).map(\.userID) == [c, a])
    }

    @Test func aShiftEndsAfterItStartsAndLastsAWeekAtMost() {
        #expect(DutyRoster.check(startsAt: now, endsAt: now) == .endsBeforeItStarts)
        #expect(DutyRoster.check(startsAt: now, endsAt: now.addingTimeInterval(-60)) == .endsBeforeItStarts)
        #expect(DutyRoster.check(startsAt: now, endsAt: now.addingTimeInterval(7 * 86400 + 1)) == .tooLong)
        #expect(DutyRoster.check(startsAt: now, endsAt: now.addingTimeInterval(7 * 86400)) == nil)
    }

    static func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }

    static func userID(_ app: Application, _ username: String) async throws -> UUID {
        struct ID: Decodable { let id: UUID }
        return try #require(
            try await app.sql.select().column("id").from("users").where("username", .equal, username)
                .first(decoding: ID.self)
        ).id
    }

    @Test func communityStaffPutAGridWorkerOnDutyAndTheAlarmPageNamesThemFirst() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let worker = try await Self.userID(app, "grid001")
            // The demo's own roster is cleared so that the shift below is the only one.
            try await app.sql.delete(from: "duty_shifts").run()
            let body: [String: Any] = [
                "userID": worker.uuidString, "nodeCode": grids[0],
                "startsAt": Self.iso(Date().addingTimeInterval(-600)),
                "endsAt": Self.iso(Date().addingTimeInterval(3600)), "note": "夜间值守",
            ]
            var created: DutyShifts.View?
            try await app.testing().test(
                .POST, "/api/v1/duty-shifts",
                headers: try await app.bearer("community").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(body)
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                created = try? res.content.decode(DutyShifts.View.self)
            }
            let shift = try #require(created)
            #expect(shift.userID == worker && shift.nodeCode == grids[0] && shift.note == "夜间值守")
            let household = try #require(
                try await app.sql.select().column("household_code").from("residents")
                    .where("household_code", .greaterThan, grids[0]).where("household_code", .lessThan, grids[0] + ":")
                    .first(decoding: [String: String].self)?["household_code"])
            try await app.testing().test(
                .GET, "/api/v1/duty-shifts/on-duty?node=\(household)", headers: try await app.bearer("grid001")
            ) { res in
                #expect(res.status == .ok)
                let answer = try res.content.decode(DutyRoutes.OnDuty.self)
                #expect(answer.onDuty.map(\.id) == [shift.id])
            }
            // Staff of another grid neither list it nor ask about the grid.
            try await app.testing().test(.GET, "/api/v1/duty-shifts", headers: try await app.bearer("grid004")) {
                res in
                #expect(res.status == .ok)
                let listed = try res.content.decode(DutyRoutes.Shifts.self)
                #expect(listed.shifts.isEmpty)
            }
            try await app.testing().test(
                .GET, "/api/v1/duty-shifts/on-duty?node=\(grids[0])", headers: try await app.bearer("grid004")
            ) { res in #expect(res.status == .forbidden) }
            // An SOS in the grid: its page names the worker on duty.
            let device = try await SensingFixture.register(app)
            let sent = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos")])
            let alarm = try #require(sent.receipt?.alarms.first)
            let page = try await WebFixture.page(app, "/alarms/\(alarm)", as: "grid001")
            #expect(page.contains("当前值班（就近）"))
            #expect(page.contains(shift.displayName))
            // Removed, it is gone from the answer.
            try await app.testing().test(
                .DELETE, "/api/v1/duty-shifts/\(shift.id)", headers: try await app.bearer("community")
            ) { res in #expect(res.status == .noContent) }
            try await app.testing().test(
                .GET, "/api/v1/duty-shifts/on-duty?node=\(grids[0])", headers: try await app.bearer("grid001")
            ) { res in
                let answer = try res.content.decode(DutyRoutes.OnDuty.self)
                #expect(answer.onDuty.isEmpty)
            }
            #expect(try await app.auditEntries(action: "duty_shift_delete", entityID: shift.id.uuidString).count == 1)
        }
    }

    @Test func badShiftsAreRefusedWithTheFieldNamedAndNothingWritten() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let worker = try await Self.userID(app, "grid001")
            let resident = try await Self.userID(app, "resident")
            let start = Date()
            func body(_ change: [String: Any]) -> [String: Any] {
                var b: [String: Any] = [
                    "userID": worker.uuidString, "nodeCode": grids[0], "startsAt": Self.iso(start),
                    "endsAt": Self.iso(start.addingTimeInterval(3600)),
                ]
                for (k, v) in change { b[k] = v }
                return b
            }
            let community = String(grids[0].prefix(NodeLevel.community.codeLength))
            let sibling = try #require(grids.first { $0 != grids[0] && $0.hasPrefix(community) })
            let elsewhere = try #require(grids.first { !$0.hasPrefix(community) })
            let before = try await app.count("duty_shifts")
            let cases: [([String: Any], HTTPStatus, String)] = [
                (body(["endsAt": Self.iso(start)]), .unprocessableEntity, "endsAt"),
                (body(["endsAt": Self.iso(start.addingTimeInterval(8 * 86400))]), .unprocessableEntity, "endsAt"),
                (body(["startsAt": "yesterday"]), .unprocessableEntity, "startsAt"),
                (body(["nodeCode": "6209"]), .unprocessableEntity, "nodeCode"),
                (body(["nodeCode": grids[0] + "99"]), .unprocessableEntity, "nodeCode"),
                (body(["userID": resident.uuidString]), .unprocessableEntity, "userID"),
                (body(["userID": UUID().uuidString]), .unprocessableEntity, "userID"),
                // grid001's own area does not hold another grid.
                (body(["nodeCode": sibling]), .unprocessableEntity, "userID"),
                // Nor may the community's staff plan another community's.
                (body(["nodeCode": elsewhere]), .forbidden, "nodeCode"),
                (body(["note": String(repeating: "长", count: 201)]), .unprocessableEntity, "note"),
            ]
            for (b, status, field) in cases {
                try await app.testing().test(
                    .POST, "/api/v1/duty-shifts",
                    headers: try await app.bearer("community").merging(["Content-Type": "application/json"]),
                    body: try RegistryFixture.json(b)
                ) { res in
                    #expect(res.status == status, "\(b): \(res.body.string)")
                    #expect(errorField(res) == field, "\(b)")
                }
            }
            // A grid worker keeps no roster.
            try await app.testing().test(
                .POST, "/api/v1/duty-shifts",
                headers: try await app.bearer("grid001").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(body([:]))
            ) { res in #expect(res.status == .forbidden) }
            #expect(try await app.count("duty_shifts") == before)
        }
    }

    @Test func theDemoRosterHasSomeoneOnDutyForEveryGridAtAnyHour() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = BeijingMonth.zone
            let today = calendar.startOfDay(for: Date())
            for hour in [3, 8, 13, 19, 20, 23] {
                let moment = today.addingTimeInterval(Double(hour) * 3600 + 60)
                for grid in grids {
                    let on = try await DutyShifts.onDuty(for: grid, at: moment, on: app.sql)
                    #expect(!on.isEmpty, "nobody on duty for \(grid) at \(hour):01")
                    if (8..<20).contains(hour) { #expect(on.first?.role == Role.gridWorker.rawValue) }
                }
            }
        }
    }

    @Test func theRosterPageShowsWhoIsOnDutyAndKeepersAddAShiftInBeijingTime() async throws {
        try await withTestApp { app in
            let grids = try await app.gridCodes()
            let worker = try await Self.userID(app, "grid001")
            let workerPage = try await WebFixture.page(app, "/duty", as: "grid001")
            #expect(workerPage.contains("当前值班") && !workerPage.contains("name=\"startsAt\""))
            let cookie = try await WebFixture.cookie(app, as: "community")
            var csrf = ""
            try await app.testing().test(.GET, "/duty", headers: ["Cookie": cookie, "Accept": "text/html"]) { res in
                #expect(res.status == .ok)
                let html = res.body.string
                #expect(html.contains("name=\"startsAt\"") && html.contains("当前值班"))
                if let r = html.range(of: "name=\"_csrf\" value=\"") { csrf = String(html[r.upperBound...].prefix(32)) }
            }
            // 2030-01-02 09:00 in Beijing is 01:00 UTC.
            let form =
                "_csrf=\(csrf)&userID=\(worker.uuidString)&nodeCode=\(grids[0])&startsAt=2030-01-02T09:00&endsAt=2030-01-02T18:00&note=%E5%B7%A1%E6%9F%A5"
            try await app.testing().test(
                .POST, "/duty", headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                body: .init(string: form)
            ) { res in #expect(res.status == .seeOther, "\(res.body.string)") }
            let expected = try #require(ISO8601DateFormatter().date(from: "2030-01-02T01:00:00Z"))
            let on = try await DutyShifts.onDuty(for: grids[0], at: expected.addingTimeInterval(60), on: app.sql)
            #expect(on.contains { $0.user_id == worker && $0.starts_at == expected && $0.note == "巡查" })
            let day = try await WebFixture.page(app, "/duty?day=2030-01-02", as: "community")
            #expect(day.contains("2030-01-02 09:00 – 2030-01-02 18:00"))
        }
    }
}
