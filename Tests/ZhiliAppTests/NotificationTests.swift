import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Notifications: in-app messages, SMS and WeChat")
struct NotificationTests {
    @Test func residentsAndHandlersHearOfEachStepInTheApp() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            // The moment it is stored: a receipt with its number for the resident, and the
            // community's staff hear that it waits for review.
            let receipt = try #require(try await NotificationFixture.messages(app, "resident").items.first)
            #expect(receipt.kind == "complaint.received")
            #expect(receipt.title.contains(c.number) && receipt.body.contains(c.number))
            #expect(try await NotificationFixture.kinds(app, "community") == ["complaint.submitted"])
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            let resident = try await NotificationFixture.messages(app, "resident")
            #expect(resident.items.map(\.kind) == ["complaint.accepted", "complaint.received"])
            #expect(resident.unread == 2)
            let accepted = try #require(resident.items.first)
            #expect(accepted.body.contains(c.number))
            #expect(accepted.link == "/complaints/\(c.id.uuidString)")
            // The grid worker of the place was dispatched the work and told so.
            #expect(try await NotificationFixture.kinds(app, "grid001") == ["complaint.assigned"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "resolve", "note": "已联系环卫清运"])
            let after = try await NotificationFixture.messages(app, "resident")
            #expect(after.items.map(\.kind) == ["complaint.resolved", "complaint.accepted", "complaint.received"])
            #expect(after.items.first?.body.contains("已联系环卫清运") == true)
            #expect(after.unread == 3)
            // A low rating asks the community for a return visit.
            try await ComplaintFixture.act(
                app, c.id, as: "resident", ["action": "rate", "score": 2, "comment": "清运不彻底"])
            #expect(try await NotificationFixture.kinds(app, "community").contains("complaint.low_rating"))

            // Reading: one, then all; someone else's message is not there for them.
            let resHeaders = try await app.bearer("resident")
            try await app.testing().test(
                .POST, "/api/v1/notifications/\(accepted.id)/read", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.POST, "/api/v1/notifications/\(accepted.id)/read", headers: resHeaders) {
                res in
                #expect(res.status == .ok)
                let decoded = try res.content.decode(NotificationInbox.Item.self)
                #expect(decoded.readAt != nil)
            }
            try await app.testing().test(.GET, "/api/v1/notifications/unread", headers: resHeaders) { res in
                let decoded = try res.content.decode(NotificationInbox.Unread.self)
                #expect(decoded.unread == 2)
            }
            try await app.testing().test(.POST, "/api/v1/notifications/read-all", headers: resHeaders) { res in
                let decoded = try res.content.decode(NotificationInbox.Updated.self)
                #expect(decoded.updated == 2)
            }
            #expect(try await NotificationFixture.messages(app, "resident", unread: true).items.isEmpty)
            // No channel is set up here: nothing is queued for gateways that do not exist.
            #expect(try await app.count("notification_deliveries") == 0)
        }
    }

    @Test func rejectionMergeExtensionAndSendBackReachTheRightPeople() async throws {
        try await withTestApp { app in
            let mine = try await ComplaintFixture.submit(app, text: "楼下垃圾桶满了没人清")
            let other = try await ComplaintFixture.submit(app, as: "community", text: "同一处垃圾桶满溢，多人反映")
            try await ComplaintFixture.act(
                app, mine.id, as: "community", ["action": "merge", "into": other.id.uuidString])
            #expect(try await NotificationFixture.kinds(app, "resident") == ["complaint.merged", "complaint.received"])
            // Merged in, the resident now waits on the surviving complaint and reads it.
            try await app.testing().test(
                .GET, "/api/v1/complaints/\(other.id)", headers: try await app.bearer("resident")
            ) { res in
                #expect(res.status == .ok)
            }
            try await ComplaintFixture.act(app, other.id, as: "community", ["action": "accept"])
            try await ComplaintFixture.act(app, other.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(
                app, other.id, as: "grid001", ["action": "request_extension", "hours": 48, "reason": "需协调环卫车辆"])
            #expect(try await NotificationFixture.kinds(app, "community").contains("complaint.extension_requested"))
            try await ComplaintFixture.act(
                app, other.id, as: "community", ["action": "decide_extension", "approved": true])
            let kinds = try await NotificationFixture.kinds(app, "resident")
            #expect(kinds.first == "complaint.extended")
            #expect(kinds.contains("complaint.accepted"))
            #expect(try await NotificationFixture.kinds(app, "grid001").first == "complaint.extension_decided")
            try await ComplaintFixture.act(app, other.id, as: "grid001", ["action": "send_back", "reason": "不属于本网格"])
            #expect(try await NotificationFixture.kinds(app, "community").first == "complaint.sent_back")

            let third = try await ComplaintFixture.submit(app, text: "想反映一下邻居家装修的问题")
            try await ComplaintFixture.act(app, third.id, as: "community", ["action": "reject", "reason": "请与物业协商"])
            let rejected = try await NotificationFixture.messages(app, "resident").items.first
            #expect(rejected?.kind == "complaint.rejected")
            #expect(rejected?.body.contains("请与物业协商") == true)
        }
    }

    @Test func escalationTellsTheLevelAboveAndAutoCloseTellsTheResident() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            let escalation = ComplaintEscalation(db: try app.sql, channels: app.zhili.config.notifications)
            // Far past every deadline of the tier: the complaint climbs to the city.
            _ = try await escalation.run(now: Date().addingTimeInterval(40 * 86400))
            let city = try await NotificationFixture.messages(app, "city")
            #expect(city.items.contains { $0.kind == "complaint.escalated" && $0.title.contains("市级") })
            #expect(try await NotificationFixture.kinds(app, "grid001").contains("complaint.escalated"))

            let d = try await ComplaintFixture.submit(app, text: "小区路灯坏了好几盏")
            try await ComplaintFixture.act(app, d.id, as: "community", ["action": "accept"])
            try await ComplaintFixture.act(app, d.id, as: "grid001", ["action": "sign"])
            try await ComplaintFixture.act(app, d.id, as: "grid001", ["action": "resolve", "note": "已更换灯泡"])
            _ = try await escalation.run(now: Date().addingTimeInterval(8 * 86400))
            let latest = try await NotificationFixture.messages(app, "resident").items.first
            #expect(latest?.title == "诉求已自动关闭")
            #expect(latest?.link == "/complaints/\(d.id.uuidString)")
        }
    }

    @Test func settingsAreCheckedAndThePagesWork() async throws {
        try await withTestApp { app in
            let resident = try await app.bearer("resident")
            try await app.testing().test(
                .PUT, "/api/v1/notifications/settings", headers: resident.merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["smsPhone": "1380013800x"])
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "smsPhone")
            }
            #expect(try await app.count("notification_settings") == 0)
            try await app.testing().test(.GET, "/api/v1/notifications/settings", headers: resident) { res in
                let s = try res.content.decode(NotificationInbox.Settings.self)
                // Residents get SMS unless they say no; the platform here has no gateway.
                #expect(s.sms && !s.smsAvailable && !s.wechatAvailable && !s.wechatBound)
            }
            try await app.testing().test(
                .GET, "/api/v1/notifications/settings", headers: try await app.bearer("grid001")
            ) { res in
                let decoded = try res.content.decode(NotificationInbox.Settings.self)
                #expect(decoded.sms == false)
            }
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            let session = try await NotificationFixture.webSession(app, "resident")
            try await app.testing().test(.GET, "/notifications", headers: ["Cookie": session.cookie]) { res in
                let html = res.body.string
                #expect(html.contains("诉求已受理"))
                #expect(html.contains("2 条未读"), "the receipt and the acceptance")
                #expect(html.contains("本平台尚未开通短信通道"))
            }
            let item = try #require(try await NotificationFixture.messages(app, "resident").items.first)
            try await app.testing().test(
                .POST, "/notifications/\(item.id)/open", headers: ["Cookie": session.cookie],
                beforeRequest: { req in
                    try req.content.encode(["_csrf": session.csrf], as: .urlEncodedForm)
                }
            ) { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/complaints/\(c.id.uuidString)")
            }
            #expect(try await NotificationFixture.messages(app, "resident").unread == 1, "the receipt is still unread")
            try await app.testing().test(
                .POST, "/notifications/settings", headers: ["Cookie": session.cookie],
                beforeRequest: { req in
                    try req.content.encode(["_csrf": session.csrf, "smsPhone": "abc"], as: .urlEncodedForm)
                }
            ) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("手机号“abc”无效"))
            }
            try await app.testing().test(
                .POST, "/notifications/settings", headers: ["Cookie": session.cookie],
                beforeRequest: { req in
                    try req.content.encode(["_csrf": session.csrf, "wechat": "on"], as: .urlEncodedForm)
                }
            ) { res in
                #expect(res.body.string.contains("已保存"))
            }
            try await app.testing().test(.GET, "/api/v1/notifications/settings", headers: resident) { res in
                let s = try res.content.decode(NotificationInbox.Settings.self)
                #expect(!s.sms && s.wechat)
            }
            let audit = try await app.auditEntries(
                action: "notification_settings", entityID: try #require(try await userID(app, "resident")).uuidString)
            #expect(audit.count == 1)
        }
    }

    @Test func channelSettingsAndMessageShapes() throws {
        func load(_ env: [String: String]) throws -> AppConfig {
            try ConfigLoader(arguments: [], environment: env).load()
        }
        #expect(throws: ConfigError.self) { try load(["ZHILI_WECHAT_APPID": "wx1"]) }
        #expect(throws: ConfigError.self) { try load(["ZHILI_SMS_URL": "ftp://sms"]) }
        #expect(throws: ConfigError.self) {
            try load([
                "ZHILI_WECHAT_APPID": "a", "ZHILI_WECHAT_SECRET": "b", "ZHILI_WECHAT_TEMPLATE": "c",
                "ZHILI_WECHAT_FIELDS": "thing1=name",
            ])
        }
        #expect(throws: ConfigError.self) { try load(["ZHILI_PUBLIC_URL": "zhili.example.cn"]) }
        let ok = try load([
            "ZHILI_SMS_URL": "log", "ZHILI_WECHAT_APPID": "a", "ZHILI_WECHAT_SECRET": "b", "ZHILI_WECHAT_TEMPLATE": "c",
            "ZHILI_PUBLIC_URL": "https://zhili.example.cn/",
        ])
        #expect(ok.notifications.smsEnabled && ok.notifications.wechatEnabled)
        #expect(ok.publicURL == "https://zhili.example.cn")
        #expect(ok.secureCookies)
        #expect(!(try load([:])).notifications.smsEnabled)

        let long = OutgoingMessage(
            title: "诉求已办结，请评价", body: String(repeating: "很长的办理说明", count: 60),
            link: "https://zhili.example.cn/complaints/x", createdAt: Date())
        let text = SMSGateway.text(long, signature: "敦煌智理")
        #expect(text.count <= 200)
        #expect(text.hasPrefix("【敦煌智理】诉求已办结，请评价："))
        #expect(text.hasSuffix(" https://zhili.example.cn/complaints/x"))
        let fields = try #require(WeChatTemplate.parseFields("thing1=title, thing2=body,time3=time"))
        let data = WeChatTemplate.data(long, fields: fields)
        #expect(data["thing2"]?["value"]?.count == 20)
        #expect(data["time3"]?["value"]?.count == 16)
        #expect(WeChatTemplate.parseFields("thing1=title,=body") == nil)
        #expect(WeChatTemplate.parseFields("thing 1=title") == nil)
    }
}

private func userID(_ app: Application, _ username: String) async throws -> UUID? {
    struct Row: Decodable { let id: UUID }
    return try await app.sql.select().column("id").from("users").where("username", .equal, username).first(
        decoding: Row.self)?.id
}
