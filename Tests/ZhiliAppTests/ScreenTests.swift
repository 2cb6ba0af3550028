import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

/// The screens people work in: the phone's tab bar, larger text, the resident's own home,
/// a handling page that offers only what is valid now, visits recorded on a page.
@Suite struct ScreenTests {
    @Test func aPhoneGetsATabBarOfAtMostFourEntriesAndMoreForTheRest() async throws {
        try await withTestApp { app in
            for user in ["resident", "grid001", "community", "admin", "merchant"] {
                let home = try await WebFixture.page(app, "/", as: user)
                let bar = try #require(home.range(of: "class=\"tabbar\""), "\(user) has a tab bar")
                let end = try #require(home.range(of: "</nav>", range: bar.upperBound..<home.endIndex))
                let tabbar = String(home[bar.upperBound..<end.lowerBound])
                let tabs = tabbar.components(separatedBy: "class=\"tab-label\"").count - 1
                #expect(tabs >= 2 && tabs <= TabBar.maxTabs + 1, "\(user): \(tabs) tab labels")
                #expect(tabbar.contains("href=\"/\""), "\(user): home is a tab")
            }
            // A grid worker's tabs are the work: alarms to answer within a minute and complaints;
            // visits and the hierarchy are under 更多.
            let grid = try await WebFixture.page(app, "/", as: "grid001")
            let start = try #require(grid.range(of: "class=\"tabbar\"")).lowerBound
            let bar = String(grid[start...])
            let tabs = String(bar[..<(try #require(bar.range(of: "<details"))).lowerBound])
            #expect(tabs.contains("href=\"/complaints\"") && tabs.contains("href=\"/alarms\""))
            #expect(!tabs.contains("href=\"/hierarchy\""), "the hierarchy is under 更多")
        }
    }

    @Test func largerTextIsRememberedAndMarksThePage() async throws {
        try await withTestApp { app in
            let cookie = try await WebFixture.cookie(app, as: "resident")
            var set = ""
            try await app.testing().test(.GET, "/text-size/large?back=/complaints", headers: ["Cookie": cookie]) {
                res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/complaints")
                set = res.headers.setCookie?[PageShell.textSizeCookie]?.string ?? ""
            }
            #expect(set == "large")
            try await app.testing().test(
                .GET, "/", headers: ["Cookie": "\(cookie); \(PageShell.textSizeCookie)=large", "Accept": "text/html"]
            ) { res in
                #expect(res.body.string.prefix(300).contains("class=\"large-text\""))
            }
            let plain = try await WebFixture.page(app, "/", as: "resident")
            #expect(!plain.prefix(300).contains("large-text"))
            // Only local paths are followed back.
            try await app.testing().test(.GET, "/text-size/large?back=//evil.example", headers: ["Cookie": cookie]) {
                res in
                #expect(res.headers.first(name: .location) == "/")
            }
        }
    }

    @Test func theResidentsHomeIsTheirsNotAStaffDashboard() async throws {
        try await withTestApp { app in
            let home = try await WebFixture.page(app, "/", as: "resident")
            #expect(home.contains("<title>首页 · 智理</title>"))
            #expect(!home.contains("全部辖区") && !home.contains("工作台"))
            #expect(home.contains("href=\"/tell\""), "reporting a problem is one tap away")
            #expect(home.contains("生活缴费") && home.contains("即将上线"))
            let staff = try await WebFixture.page(app, "/", as: "community")
            #expect(staff.contains("我的待办") && staff.contains("href=\"/complaints?tab=submitted\""))
        }
    }

    @Test func anExtensionIsAskedForByTheHandlerAndDecidedBySomeoneElse() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
            // The reviewer may not ask for time on work that is not theirs …
            try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "request_extension", "hours": 24, "reason": "替网格员申请"],
                expect: .forbidden)
            try await ComplaintFixture.act(
                app, c.id, as: "grid001", ["action": "request_extension", "hours": 24, "reason": "需等待配件"])
            // … and the handler may not grant it to themself.
            try await ComplaintFixture.act(
                app, c.id, as: "grid001", ["action": "decide_extension", "approved": true], expect: .forbidden)
            try await ComplaintFixture.act(
                app, c.id, as: "community", ["action": "decide_extension", "approved": true])
        }
    }

    @Test func theHandlingPageOffersOnlyWhatIsValidNowWithAChoiceOfHandler() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            let review = try await WebFixture.page(app, "/complaints/\(c.id.uuidString)", as: "community")
            #expect(review.contains("value=\"accept\""))
            #expect(review.contains("推荐："), "the suggested handler is named with its reason")
            #expect(review.contains("name=\"handlerId\""))
            #expect(!review.contains("value=\"sign\"") && !review.contains("value=\"resolve\""))
            #expect(!review.contains("value=\"request_extension\""), "nothing to extend before dispatch")
            let mine = try await WebFixture.page(app, "/complaints/\(c.id.uuidString)", as: "resident")
            #expect(!mine.contains("value=\"accept\""))
            #expect(mine.contains("现在没有需要您操作的步骤"))
        }
    }

    @Test func aVisitIsRecordedFromAPageAndMovesTheDueDate() async throws {
        try await withTestApp { app in
            let p = try #require(try await ToDoTests.principal(app, "community"))
            let due = try await CarePlans(db: app.sql).todo(scope: p.scope, viewer: p)
            let person = try #require(due.first, "the demo town has someone to visit")
            let cookie = try await WebFixture.cookie(app, as: "community")
            var form = ""
            try await app.testing().test(
                .GET, "/residents/\(person.residentId.uuidString)/visit",
                headers: ["Cookie": cookie, "Accept": "text/html"]
            ) { res in form = res.body.string }
            #expect(form.contains("name=\"notes\"") && form.contains("capture=\"environment\""))
            let csrf = try #require(form.firstMatch(of: /name="_csrf" value="([^"]+)"/)).1
            try await app.testing().test(
                .POST, "/residents/\(person.residentId.uuidString)/visit",
                headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "_csrf=\(csrf)&tag=\(person.tag)&notes=%E8%BA%AB%E4%BD%93%E8%89%AF%E5%A5%BD")
            ) { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location)?.hasSuffix("?visited=1") == true)
            }
            let after = try await CarePlans(db: app.sql).todo(scope: p.scope, viewer: p)
            #expect(!after.contains { $0.residentId == person.residentId && $0.tag == person.tag })
            // Without notes nothing is written.
            try await app.testing().test(
                .POST, "/residents/\(person.residentId.uuidString)/visit",
                headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "_csrf=\(csrf)&lat=91&lon=200")
            ) { res in
                #expect(res.status.code >= 400)
            }
        }
    }
}

@Suite struct FormTests {
    /// An option meant to send nothing must carry an empty value: without the attribute the
    /// browser sends its label ("请选择"), which passes `required` and names no category.
    @Test func emptyChoicesSendAnEmptyValue() async throws {
        try await withTestApp { app in
            let tell = try await WebFixture.page(app, "/tell?mode=snap", as: "resident")
            // Plot writes an empty attribute as `value`: the browser reads it as "".
            #expect(tell.contains("<option value>请选择</option>"))
            #expect(!tell.contains("<option>"))
            let search = try await WebFixture.page(app, "/residents", as: "community")
            #expect(!search.contains("<option>"))
            let care = try await WebFixture.page(app, "/care", as: "community")
            #expect(!care.contains("<option>"))
        }
    }
}

@Suite struct CallTests {
    /// The call button's page shows the full number only to those who may see it, and the
    /// reveal is audited either way.
    @Test func theFullNumberIsForThoseWhoMayRevealItAndEveryAskIsAudited() async throws {
        try await withTestApp { app in
            struct Person: Decodable { let id: UUID }
            // An adult of the community with a phone on record.
            let person = try #require(
                try await app.sql.select().column("id").from("residents")
                    .where("household_code", .greaterThanOrEqual, "620982001001").where(
                        "household_code", .lessThan, "620982001001:"
                    )
                    .where("phone_enc", .isNot, SQLLiteral.null).where("birth_date", .lessThan, "1990-01-01")
                    .first(decoding: Person.self))
            func call(_ user: String) async throws -> (HTTPStatus, String) {
                let cookie = try await WebFixture.cookie(app, as: user)
                var csrf = ""
                try await app.testing().test(.GET, "/notifications", headers: ["Cookie": cookie]) { res in
                    csrf =
                        res.body.string.firstMatch(of: /name="csrf-token" content="([^"]+)"/).map { String($0.1) } ?? ""
                }
                var answer: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(
                    .POST, "/residents/\(person.id.uuidString)/call",
                    headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "_csrf=\(csrf)")
                ) { res in answer = (res.status, res.body.string) }
                return answer
            }
            let (ok, page) = try await call("community")
            #expect(ok == .ok)
            #expect(page.contains("href=\"tel:"))
            let (refused, _) = try await call("city")
            #expect(refused == .forbidden)
            struct Row: Decodable { let action: String }
            let actions = try await app.sql.select().column("action").from("audit_log")
                .where("entity_id", .equal, person.id.uuidString).all(decoding: Row.self).map(\.action)
            #expect(actions.contains("reveal") && actions.contains("reveal_denied"))
        }
    }
}
