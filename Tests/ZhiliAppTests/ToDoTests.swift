import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// The to-do centre: every count on the dashboard equals the length of the list it links
/// to, for every demo role; the API gives the same lines; the indicators and the map count
/// what the lists count.
@Suite struct ToDoTests {
    static let users = [
        "admin", "city", "street", "community", "grid001", "civil", "emergency", "resident", "volunteer", "merchant",
        "cobuild",
    ]

    /// Rows of the list a to-do line opens: table rows (complaints, visits), review cards, messages.
    static func listLength(_ html: String, url: String) -> Int {
        if url.hasPrefix("/reviews") { return html.components(separatedBy: "class=\"card review\"").count - 1 }
        if url.hasPrefix("/notifications") { return html.components(separatedBy: "<li class=\"message").count - 1 }
        guard let body = html.range(of: "<tbody>"),
            let end = html.range(of: "</tbody>", range: body.upperBound..<html.endIndex)
        else { return 0 }
        return html[body.upperBound..<end.lowerBound].components(separatedBy: "<tr").count - 1
    }

    @Test func everyCountOnTheDashboardEqualsTheListItOpensForEveryRole() async throws {
        try await withTestApp { app in
            var lines = 0
            var nonZero = 0
            for user in Self.users {
                let headers = try await app.bearer(user)
                var answer: ToDoCentre.Answer?
                try await app.testing().test(.GET, "/api/v1/me/todo", headers: headers) { res in
                    #expect(res.status == .ok, "\(user)")
                    answer = try? res.content.decode(ToDoCentre.Answer.self)
                }
                let items = try #require(answer, "\(user)").items
                let home = try await WebFixture.page(app, "/", as: user)
                for item in items {
                    lines += 1
                    if item.count > 0 { nonZero += 1 }
                    // The dashboard shows the same figure, linking to the same list.
                    #expect(
                        home.contains("href=\"\(item.url.replacingOccurrences(of: "&", with: "&amp;"))\""),
                        "\(user): the dashboard links to \(item.url)")
                    let list = try await WebFixture.page(app, item.url, as: user)
                    let rows = Self.listLength(list, url: item.url)
                    if item.count <= 100 {
                        #expect(
                            rows == item.count, "\(user): \(item.key) says \(item.count), \(item.url) lists \(rows)")
                    } else {
                        #expect(list.contains("\(item.count)"), "\(user): \(item.url) names the total \(item.count)")
                    }
                }
            }
            #expect(lines > 20)
            #expect(nonZero > 5, "the demo town gives the to-do centre something to count")
        }
    }

    @Test func partnersAndResidentsSeeNoStaffCountsButTheirMessages() async throws {
        try await withTestApp { app in
            for user in ["resident", "volunteer", "merchant", "cobuild"] {
                let headers = try await app.bearer(user)
                try await app.testing().test(.GET, "/api/v1/me/todo", headers: headers) { res in
                    let keys = (try? res.content.decode(ToDoCentre.Answer.self))?.items.map(\.key) ?? []
                    #expect(keys == ["notifications.unread"], "\(user): \(keys)")
                }
                let home = try await WebFixture.page(app, "/", as: user)
                #expect(home.contains("即将上线"), "\(user) is told what is coming, not left with a bare page")
                #expect(!home.contains("href=\"/api-docs\""), "\(user) is not offered the API document")
            }
        }
    }

    @Test func overdueIsOneDefinitionForTheTabTheMapAndTheDomain() async throws {
        try await withTestApp { app in
            for user in ["city", "street", "community", "grid001", "civil"] {
                let headers = try await app.bearer(user)
                let p = try #require(try await Self.principal(app, user))
                let now = Date()
                let count = try await ComplaintStore.count(.overdue, for: p, on: app.sql, now: now)
                // The domain's rule over every open complaint the person may list.
                let open = try await ComplaintStore.visible(to: p, on: app.sql)
                    .where("status", .in, ["dispatched", "signed", "in_progress"]).all(decoding: ComplaintRow.self)
                let late = open.filter { r in
                    r.deadlines.map { !ComplaintClocks.overdue(status: r.status, deadlines: $0, now: now).isEmpty }
                        ?? false
                }
                #expect(count == late.count, "\(user): SQL \(count), domain \(late.count)")
                try await app.testing().test(.GET, "/api/v1/complaints/map.geojson", headers: headers) { res in
                    let points = res.body.string.components(separatedBy: "\"overdue\":true").count - 1
                    #expect(points == count, "\(user): the map marks \(points) late, the tab counts \(count)")
                }
            }
        }
    }

    @Test func careIndicatorsAddUpToTheVisitsList() async throws {
        try await withTestApp { app in
            for user in ["city", "street", "community"] {
                let headers = try await app.bearer(user)
                let p = try #require(try await Self.principal(app, user))
                let overdue = try await CarePlans(db: app.sql).count(scope: p.scope, viewer: p, due: .overdue)
                try await app.testing().test(.GET, "/api/v1/care/indicators", headers: headers) { res in
                    #expect(res.status == .ok)
                    let rows = (try? res.content.decode([CarePlans.Indicator].self)) ?? []
                    #expect(rows.reduce(0) { $0 + $1.overdue } == overdue, "\(user)")
                }
                try await app.testing().test(.GET, "/api/v1/care/todo?due=overdue", headers: headers) { res in
                    let rows = (try? res.content.decode([CarePlans.TodoItem].self)) ?? []
                    #expect(rows.count == min(overdue, 200), "\(user)")
                    #expect(rows.allSatisfy { $0.overdueDays > 0 })
                }
            }
            let headers = try await app.bearer("community")
            try await app.testing().test(.GET, "/api/v1/care/todo?due=later", headers: headers) { res in
                #expect(res.status == .unprocessableEntity)
            }
        }
    }

    static func principal(_ app: Application, _ username: String) async throws -> Principal? {
        guard let user = try await UserAccount.query(on: app.db).filter(\.$username == username).first() else {
            return nil
        }
        return Principal(
            userID: try user.requireID(), username: user.username, displayName: user.displayName,
            role: Role(rawValue: user.role) ?? .resident,
            department: user.department.flatMap(Department.init(rawValue:)),
            nodeCode: user.nodeCode, residentID: user.residentID)
    }
}
