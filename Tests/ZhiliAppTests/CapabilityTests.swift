import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

/// A capability as small as one can be: a table, one API operation, a page entry in the
/// navigation, a script. It exists only in this file and in the list passed to the app.
struct TestNoticeBoardCapability: Capability {
    let name = "notice-board-test"

    struct CreateNoticeBoard: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("test_notice_board").id().field("title", .string, .required).create()
        }
        func revert(on database: any Database) async throws { try await database.schema("test_notice_board").delete() }
    }

    struct Count: Content { let notices: Int }

    var migrations: [any Migration] { [CreateNoticeBoard()] }

    func routes(_ app: Application) throws {
        app.get("api", "v1", "test-notices") { req async throws -> Count in
            _ = try req.requirePrincipal()
            struct Row: Decodable { let n: Int }
            let n =
                try await req.sql.raw("SELECT COUNT(*) AS n FROM test_notice_board").first(decoding: Row.self)?.n ?? -1
            return Count(notices: n)
        }
    }

    var operations: [APIOperation] {
        [
            APIOperation(
                method: "get", path: "/api/v1/test-notices", tag: "测试 Test", summary: "Notices (测试)",
                success: (200, Schema.object([("notices", Schema.integer)], required: ["notices"]), "application/json"))
        ]
    }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        [NavigationEntry(key: "test-notices", label: "notice-board-test.nav", url: "/test-notices", order: 45)]
    }

    var assets: [Asset] { [Asset(name: "test-notices.js", bytes: Array("// notices\n".utf8))] }

    var messages: [MessageFile] {
        [
            MessageFile(lang: .zh, bytes: Array(#"{"notice-board-test.nav": "测试公告"}"#.utf8)),
            MessageFile(lang: .en, bytes: Array(#"{"notice-board-test.nav": "Test notices"}"#.utf8)),
        ]
    }
}

@Suite("Capabilities: one list, no collisions")
struct CapabilityTests {
    @Test func aCapabilityAddedToTheListHasItsTableRouteDocumentNavigationAndAsset() async throws {
        try await withTestApp(capabilities: Capabilities.all + [TestNoticeBoardCapability()]) { app in
            let headers = try await app.bearer("community")
            try await app.testing().test(.GET, "/api/v1/test-notices", headers: headers) { res in
                #expect(res.status == .ok)
                #expect(
                    (try? res.content.decode(TestNoticeBoardCapability.Count.self))?.notices == 0,
                    "its migration made the table")
            }
            try await app.testing().test(.GET, "/openapi.json") { res in
                #expect(res.body.string.contains("\"/api/v1/test-notices\""))
            }
            try await app.testing().test(.GET, "/assets/test-notices.js") { res in
                #expect(res.status == .ok)
                #expect(res.body.string == "// notices\n")
                #expect(res.headers.contentType?.subType == "javascript")
            }
            let home = try await WebFixture.page(app, "/", as: "community")
            #expect(home.contains("href=\"/test-notices\""))
            #expect(home.contains(">测试公告<"), "its navigation label comes from its own messages")
            // Its entry sits by its order: after 接诉即办 (40), before 居民检索 (50).
            let complaints = try #require(home.range(of: "href=\"/complaints\""))
            let notices = try #require(home.range(of: "href=\"/test-notices\""))
            let residents = try #require(home.range(of: "href=\"/residents\""))
            #expect(complaints.lowerBound < notices.lowerBound && notices.lowerBound < residents.lowerBound)
        }
    }

    @Test func withoutTheCapabilityItsAssetIsNotServed() async throws {
        try await withTestApp(seed: false) { app in
            try await app.testing().test(.GET, "/assets/test-notices.js") { res in #expect(res.status == .notFound) }
            struct Row: Decodable { let n: Int }
            let tables = try await app.sql.raw(
                "SELECT COUNT(*) AS n FROM \(unsafeRaw: TestDatabase.isPostgres ? "information_schema.tables WHERE table_schema = current_schema() AND" : "sqlite_master WHERE type = 'table' AND") \(unsafeRaw: TestDatabase.isPostgres ? "table_name" : "name") = 'test_notice_board'"
            ).first(decoding: Row.self)?.n
            #expect(tables == 0)
        }
    }

    @Test func namesAssetsCommandsAndLiveEventsAreUnique() {
        let all = Capabilities.all
        let lists: [(String, [String])] = [
            ("capability names", all.map(\.name)),
            ("assets", all.flatMap(\.assets).map(\.name)),
            ("message files", all.flatMap { c in c.messages.map { "\(c.name).\($0.lang.rawValue)" } }),
            ("commands", all.flatMap(\.commands).map(\.name)),
            ("live events", all.flatMap(\.liveEvents)),
            ("migrations", all.flatMap(\.migrations).map(\.name)),
            ("documented operations", all.flatMap(\.operations).map { "\($0.method) \($0.path)" }),
            ("schemas", all.flatMap(\.schemas).map(\.0)),
        ]
        for (what, values) in lists {
            #expect(Set(values).count == values.count, "duplicate \(what): \(values)")
        }
    }

    @Test(arguments: Role.allCases)
    func everyRoleSeesEachNavigationEntryOnce(role: Role) {
        let p = Principal(
            userID: UUID(), username: "x", displayName: "x", role: role, department: nil,
            nodeCode: role == .resident ? "620982001001001001001001001" : "620982", residentID: nil)
        let keys = NavigationMenu.entries(for: p, capabilities: Capabilities.all).map(\.key)
        #expect(Set(keys).count == keys.count, "\(role): \(keys)")
        #expect(keys.first == "home")
        // The API document is offered to staff, last; never to residents or partners.
        #expect(keys.contains("api") == role.isStaff)
        if role.isStaff { #expect(keys.last == "api") }
    }
}
