import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Alarms turned into 接诉即办 work orders")
struct AlarmWorkOrderTests {
    @Test func aDispatchToAWorkOrderTakesAComplaintInAndTheAlarmKeepsTheLink() async throws {
        try await withTestApp { app in
            let point = try await ComplaintFixture.point(app)
            let camera = try await SensingFixture.register(
                app, kind: "camera", extra: ["lat": point.lat, "lon": point.lon, "place": "东门消防通道"])
            let r = try await SensingFixture.send(app, key: camera.key, [SensingFixture.event("fire_lane")])
            let id = try #require(r.receipt?.alarms.first)
            let complaints = try await app.count("complaints")
            try await SensingFixture.act(
                app, id, as: "grid001",
                ["action": "dispatch", "to": "work_order", "category": "other.general", "note": "车辆占用消防通道"])
            let alarm = try await SensingFixture.alarm(app, id)
            #expect(alarm.status == "dispatched" && alarm.dispatch_kind == "work_order")
            let complaintID = try #require(alarm.complaint_id)
            let complaint = try await ComplaintStore.load(complaintID, on: app.db.sql)
            #expect(complaint.channel == "sensing" && complaint.category_code == "other.general")
            #expect(complaint.text.contains("消防通道") && complaint.text.contains("车辆占用消防通道"))
            #expect(alarm.dispatched_to == complaint.number)
            #expect(try await app.count("complaints") == complaints + 1)
            // The alarm moved on: a second dispatch is refused and takes nothing in.
            try await SensingFixture.act(
                app, id, as: "grid001", ["action": "dispatch", "to": "work_order"], expect: .conflict)
            #expect(try await app.count("complaints") == complaints + 1)
            // An unknown category is refused before anything is written.
            let second = try await SensingFixture.send(app, key: camera.key, [SensingFixture.event("intrusion")])
            let other = try #require(second.receipt?.alarms.first)
            try await SensingFixture.act(
                app, other, as: "grid001", ["action": "dispatch", "to": "work_order", "category": "nope"],
                expect: .unprocessableEntity)
            #expect(try await SensingFixture.alarm(app, other).status == "raised")
        }
    }
}
