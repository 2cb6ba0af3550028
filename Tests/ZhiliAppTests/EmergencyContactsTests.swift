import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Emergency contacts: kept encrypted, told of an alarm, shown to the responder")
struct EmergencyContactsTests {
    static func put(_ app: Application, _ resident: UUID, as user: String, _ body: String, expect: HTTPStatus)
        async throws -> String
    {
        var text = ""
        try await app.testing().test(
            .PUT, "/api/v1/residents/\(resident)/contacts",
            headers: try await app.bearer(user).merging(["Content-Type": "application/json"]),
            body: ByteBuffer(string: body)
        ) { res in
            #expect(res.status == expect, "\(res.body.string)")
            text = res.body.string
        }
        return text
    }

    @Test func contactsAreCheckedStoredEncryptedAndReadInScopeOnly() async throws {
        try await withTestApp { app in
            let grid = try await app.gridCodes()[0]
            let resident = try await app.residentID(under: grid)
            let saved = try await Self.put(
                app, resident, as: "grid001",
                #"{"contacts":[{"name":"王建国","relation":"子女","phone":"139 1234 5678"},{"name":"李秀英","relation":"邻居","phone":"13800001111"}]}"#,
                expect: .ok)
            #expect(saved.contains("139****5678") && !saved.contains("13912345678"))
            let rows = try await EmergencyContacts.list(resident, on: app.db.sql)
            #expect(rows.map(\.name) == ["王建国", "李秀英"])
            #expect(try rows.map { try app.zhili.cipher.decrypt($0.phone_enc) } == ["13912345678", "13800001111"])
            #expect(!rows[0].phone_enc.contains("13912345678"))
            // Bad input changes nothing.
            _ = try await Self.put(
                app, resident, as: "grid001", #"{"contacts":[{"name":"某","relation":"子女","phone":"12345"}]}"#,
                expect: .unprocessableEntity)
            _ = try await Self.put(
                app, resident, as: "grid001", #"{"contacts":[{"name":"某","relation":"同事","phone":"13900000000"}]}"#,
                expect: .unprocessableEntity)
            let six = Array(repeating: #"{"name":"某","relation":"亲属","phone":"13900000000"}"#, count: 6)
                .joined(separator: ",")
            _ = try await Self.put(
                app, resident, as: "grid001", #"{"contacts":[\#(six)]}"#, expect: .unprocessableEntity)
            _ = try await Self.put(app, resident, as: "grid001", "{}", expect: .unprocessableEntity)
            #expect(try await EmergencyContacts.list(resident, on: app.db.sql).count == 2)
            // Out of scope or not a keeper: refused.
            _ = try await Self.put(app, resident, as: "grid004", #"{"contacts":[]}"#, expect: .notFound)
            _ = try await Self.put(app, resident, as: "city", #"{"contacts":[]}"#, expect: .forbidden)
            try await app.testing().test(
                .GET, "/api/v1/residents/\(resident)/contacts", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("138****1111"))
            }
            try await app.testing().test(
                .GET, "/api/v1/residents/\(resident)/contacts", headers: try await app.bearer("grid004")
            ) { res in #expect(res.status == .notFound || res.status == .forbidden) }
            #expect(!(try await app.auditEntries(action: "read_contacts", entityID: resident.uuidString)).isEmpty)
        }
    }

    @Test func anSOSAboutAPersonTextsTheFamilyAndTheAlarmPageOffersTheCall() async throws {
        try await withTestApp(settings: { $0.notifications.smsURL = "log" }) { app in
            let grid = try await app.gridCodes()[0]
            let resident = try await app.residentID(under: grid)
            _ = try await Self.put(
                app, resident, as: "grid001", #"{"contacts":[{"name":"王建国","relation":"子女","phone":"13912345678"}]}"#,
                expect: .ok)
            let band = try await SensingFixture.register(app, kind: "wristband", resident: resident)
            let before = try await NotificationFixture.deliveries(app).count
            let r = try await SensingFixture.send(app, key: band.key, [SensingFixture.event("sos")])
            let id = try #require(r.receipt?.alarms.first)
            let texts = try await NotificationFixture.deliveries(app).dropFirst(before).filter { $0.channel == "sms" }
                .compactMap { $0.address_enc }.compactMap { try? app.zhili.cipher.decrypt($0) }
            #expect(texts.contains("13912345678"))
            let steps = try await AlarmDesk.timeline(id, on: app.db.sql).map(\.action)
            #expect(steps.contains("family"))
            // A minor alarm (battery) tells no one outside.
            let n = try await NotificationFixture.deliveries(app).count
            _ = try await SensingFixture.send(app, key: band.key, [SensingFixture.event("heartbeat", ["battery": 10])])
            let after = try await NotificationFixture.deliveries(app).dropFirst(n).compactMap { $0.address_enc }
                .compactMap { try? app.zhili.cipher.decrypt($0) }
            #expect(!after.contains("13912345678"))
            let (cookie, _) = try await NotificationFixture.webSession(app, "grid001", page: "/alarms")
            try await app.testing().test(.GET, "/alarms/\(id)", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                let html = res.body.string
                #expect(html.contains("紧急联系人") && html.contains("王建国") && html.contains("tel:13912345678"))
            }
        }
    }
}

@Suite("Emergency contacts on the profile page")
struct EmergencyContactsPageTests {
    @Test func aKeeperAddsAndRemovesAContactOnThePage() async throws {
        try await withTestApp { app in
            let resident = try await app.residentID(under: try await app.gridCodes()[0])
            let (cookie, csrf) = try await NotificationFixture.webSession(
                app, "grid001", page: "/residents/\(resident)")
            func post(_ form: String) async throws {
                try await app.testing().test(
                    .POST, "/residents/\(resident)/contacts",
                    headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "_csrf=\(csrf)&" + form)
                ) { res in #expect(res.status == .seeOther || res.status == .found, "\(res.body.string)") }
            }
            try await post("name=%E5%BC%A0%E4%B8%89&relation=%E5%AD%90%E5%A5%B3&phone=13987654321")
            var rows = try await EmergencyContacts.list(resident, on: app.db.sql)
            #expect(rows.count == 1 && rows.first?.phone_masked == "139****4321")
            try await app.testing().test(.GET, "/residents/\(resident)", headers: ["Cookie": cookie]) { res in
                #expect(res.body.string.contains("139****4321") && !res.body.string.contains("13987654321"))
            }
            try await post("remove=\(rows[0].position)")
            rows = try await EmergencyContacts.list(resident, on: app.db.sql)
            #expect(rows.isEmpty)
        }
    }
}
