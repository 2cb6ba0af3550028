import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Notifications: SMS and WeChat through the outbox")
struct NotificationChannelTests {
    @Test func smsAndWeChatGoOutThroughTheOutboxWithRetries() async throws {
        let gateway = try await FakeGateway.start()
        do {
            try await withTestApp(settings: gateway.settings) { app in
                let session = try await NotificationFixture.webSession(app, "resident")
                // Bind WeChat: the callback must carry this session's state, then the code becomes an openid.
                try await app.testing().test(.GET, "/notifications/wechat/bind", headers: ["Cookie": session.cookie]) {
                    res in
                    #expect(res.status == .seeOther)
                    let location = res.headers.first(name: .location) ?? ""
                    #expect(location.contains("scope=snsapi_base"))
                    #expect(location.contains("appid=wx-test-app"))
                    #expect(
                        location.contains(
                            "redirect_uri=https%3A%2F%2Fzhili.example.cn%2Fnotifications%2Fwechat%2Fcallback"))
                }
                try await app.testing().test(
                    .GET, "/notifications/wechat/callback?code=good-code&state=forged",
                    headers: ["Cookie": session.cookie]
                ) { res in
                    #expect(res.status == .forbidden)
                }
                try await app.testing().test(
                    .GET, "/notifications/wechat/callback?code=bad-code&state=\(session.csrf)",
                    headers: ["Cookie": session.cookie]
                ) { res in
                    #expect(res.status == .badRequest)
                }
                try await app.testing().test(
                    .GET, "/notifications/wechat/callback?code=good-code&state=\(session.csrf)",
                    headers: ["Cookie": session.cookie]
                ) { res in
                    #expect(res.status == .seeOther)
                }
                let resident = try await app.bearer("resident")
                try await app.testing().test(
                    .PUT, "/api/v1/notifications/settings",
                    headers: resident.merging(["Content-Type": "application/json"]),
                    body: try RegistryFixture.json(["smsPhone": "138 0013 8000"])
                ) { res in
                    #expect(res.status == .ok, "\(res.body.string)")
                    let s = try res.content.decode(NotificationInbox.Settings.self)
                    #expect(s.sms && s.wechat && s.wechatBound && s.smsAvailable && s.wechatAvailable)
                    #expect(s.smsPhone == "138****8000")
                    #expect(s.smsPhoneSource == "own")
                }
                await gateway.log.failNextSMS(1)

                let c = try await ComplaintFixture.submit(app)
                try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
                let queued = try await NotificationFixture.deliveries(app)
                // The resident chose both channels; the grid worker (staff) has SMS off by default and no WeChat.
                #expect(queued.map(\.channel).sorted() == ["sms", "wechat"])
                let outbox = try NotificationFixture.outbox(app)
                let first = try await outbox.deliverDue()
                #expect(first == .init(sent: 1, retried: 1, failed: 0, skipped: 0))
                let wechat = await gateway.log.wechat
                #expect(wechat.count == 1)
                #expect(wechat.first?.touser == "o-resident-openid-1")
                #expect(wechat.first?.template_id == "TEMPLATE-1")
                #expect(wechat.first?.url == "https://zhili.example.cn/complaints/\(c.id.uuidString)")
                #expect(wechat.first?.data["thing1"]?["value"] == "诉求已受理")
                #expect((wechat.first?.data["thing2"]?["value"]?.count ?? 99) <= 20)
                // The SMS met a 503: it waits 30 s, and nothing is sent twice meanwhile.
                #expect(try await outbox.deliverDue() == .init())
                let later = try await outbox.deliverDue(now: Date().addingTimeInterval(31))
                #expect(later.sent == 1)
                let sms = await gateway.log.sms
                #expect(sms.count == 1)
                #expect(sms.first?.phone == "13800138000")
                #expect(sms.first?.text.hasPrefix("【智理社区】诉求已受理：") == true)
                #expect(sms.first?.text.hasSuffix("https://zhili.example.cn/complaints/\(c.id.uuidString)") == true)
                #expect(await gateway.log.smsAuth == ["sms-token"])
                let states = try await NotificationFixture.deliveries(app)
                #expect(states.allSatisfy { $0.status == "sent" })
                #expect(states.first { $0.channel == "sms" }?.attempts == 2)
                #expect(await gateway.log.tokenRequests == 1)

                // A WeChat refusal that will not change (the user unfollowed) fails at once.
                await gateway.log.wechatAnswers(43004)
                try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "sign"])
                try await ComplaintFixture.act(app, c.id, as: "grid001", ["action": "resolve", "note": "已清运"])
                let third = try await outbox.deliverDue()
                #expect(third.sent == 1 && third.failed == 1)
                let failed = try await NotificationFixture.deliveries(app).filter { $0.status == "failed" }
                #expect(failed.count == 1)
                #expect(failed.first?.last_error?.contains("43004") == true)
                // Administrators see the outbox without addresses and may send a failed one again.
                let admin = try await app.bearer("admin")
                var failedID: UUID?
                try await app.testing().test(.GET, "/api/v1/notifications/deliveries?status=failed", headers: admin) {
                    res in
                    #expect(res.status == .ok)
                    #expect(
                        !res.body.string.contains("13800138000") && !res.body.string.contains("o-resident-openid-1"))
                    failedID = try res.content.decode([NotificationRoutes.Delivery].self).first?.id
                }
                try await app.testing().test(.GET, "/api/v1/notifications/deliveries", headers: resident) { res in
                    #expect(res.status == .forbidden)
                }
                await gateway.log.wechatAnswers(0)
                try await app.testing().test(
                    .POST, "/api/v1/notifications/deliveries/\(try #require(failedID))/retry", headers: admin
                ) { res in
                    #expect(res.status == .ok)
                }
                #expect(try await outbox.deliverDue().sent == 1)
                #expect(await gateway.log.wechat.count == 2)

                // Neither the phone nor the openid is stored readable.
                struct Raw: Decodable {
                    let sms_phone_enc: String?
                    let sms_phone_masked: String?
                    let wechat_openid_enc: String?
                }
                let raw = try #require(
                    try await app.sql.select().columns("sms_phone_enc", "sms_phone_masked", "wechat_openid_enc")
                        .from("notification_settings").first(decoding: Raw.self))
                #expect(raw.sms_phone_enc?.contains("13800138000") == false)
                #expect(raw.wechat_openid_enc?.contains("o-resident-openid-1") == false)
                #expect(raw.sms_phone_masked == "138****8000")
            }
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test func aCallTakenByStaffRepliesBySMSToTheCallersPhone() async throws {
        let gateway = try await FakeGateway.start()
        do {
            try await withTestApp(settings: gateway.settings) { app in
                let p = try await ComplaintFixture.point(app)
                let headers = try await app.bearer("community").merging(["Content-Type": "application/json"])
                let before = try await app.count("complaints")
                try await app.testing().test(
                    .POST, "/api/v1/complaints", headers: headers,
                    body: try RegistryFixture.json(
                        [
                            "categoryCode": "environment.garbage", "text": "来电：小区门口垃圾堆积", "lat": p.lat, "lon": p.lon,
                            "onBehalfOf": "刘大爷", "contactPhone": "12345",
                        ])
                ) { res in
                    #expect(res.status == .unprocessableEntity)
                    #expect(errorField(res) == "contactPhone")
                }
                #expect(try await app.count("complaints") == before)
                var id: UUID?
                try await app.testing().test(
                    .POST, "/api/v1/complaints", headers: headers,
                    body: try RegistryFixture.json(
                        [
                            "categoryCode": "environment.garbage", "text": "来电：小区门口垃圾堆积", "lat": p.lat, "lon": p.lon,
                            "onBehalfOf": "刘大爷", "contactPhone": "+86 139-0000-1111",
                        ])
                ) { res in
                    #expect(res.status == .created, "\(res.body.string)")
                    id = try res.content.decode(ComplaintDTO.self).id
                    #expect(!res.body.string.contains("13900001111"))
                }
                let complaint = try #require(id)
                try await ComplaintFixture.act(
                    app, complaint, as: "community", ["action": "reject", "reason": "已由城管统一清理"])
                // The caller has no app: the receipt with the number and the decision go by SMS.
                let queued = try await NotificationFixture.deliveries(app)
                #expect(queued.count == 2)
                #expect(queued.allSatisfy { $0.address_enc?.contains("13900001111") == false })
                #expect(try await NotificationFixture.outbox(app).deliverDue().sent == 2)
                let sms = await gateway.log.sms
                #expect(sms.count == 2 && sms.allSatisfy { $0.phone == "13900001111" })
                #expect(sms.contains { $0.text.contains("诉求已收到") })
                #expect(sms.contains { $0.text.contains("已由城管统一清理") })
            }
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }
}
