import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("接诉即办: same problem? follow it instead")
struct ComplaintFollowTests {
    @Test func aResidentFollowsAnOpenComplaintAndSeesItAsTheirs() async throws {
        try await withTestApp { app in
            // Taken by phone on another resident's behalf: our resident did not submit it.
            let c = try await ComplaintFixture.submit(app, as: "community", text: "小区东门路灯不亮一周了")
            let resident = try await app.bearer("resident").merging(["Content-Type": "application/json"])
            let here = try RegistryFixture.json(["lat": c.lat + 0.001, "lon": c.lon])  // about 110 m away
            try await app.testing().test(.GET, "/api/v1/complaints/\(c.id)", headers: resident) { res in
                #expect(res.status == .notFound)
            }
            for _ in 0..<2 {
                try await app.testing().test(.POST, "/api/v1/complaints/\(c.id)/follow", headers: resident, body: here)
                { res in
                    #expect(res.status == .ok, "\(res.body.string)")
                    let dto = try res.content.decode(ComplaintDTO.self)
                    #expect(dto.followers == 1)
                }
            }
            try await app.testing().test(.GET, "/api/v1/complaints", headers: resident) { res in
                let page = try res.content.decode(ComplaintRoutes.Page.self)
                #expect(page.items.contains { $0.id == c.id })
            }
            var timeline: [ComplaintDTO.Event] = []
            try await app.testing().test(.GET, "/api/v1/complaints/\(c.id)", headers: resident) { res in
                #expect(res.status == .ok)
                timeline = try res.content.decode(ComplaintDTO.self).timeline ?? []
            }
            #expect(timeline.filter { $0.action == "follow" }.count == 1)
            // Staff do not follow; closed complaints cannot be followed.
            try await app.testing().test(
                .POST, "/api/v1/complaints/\(c.id)/follow",
                headers: try await app.bearer("community").merging(["Content-Type": "application/json"]), body: here
            ) { res in
                #expect(res.status == .forbidden)
            }
            let own = try await ComplaintFixture.submit(app)
            try await app.testing().test(.POST, "/api/v1/complaints/\(own.id)/follow", headers: resident, body: here) {
                res in
                #expect(errorCode(res) == "own_complaint")
            }
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "reject", "reason": "已由市政统一维修"])
            let other = try await ComplaintFixture.submit(app, as: "community", text: "楼道灯坏了")
            try await ComplaintFixture.act(app, other.id, as: "community", ["action": "reject", "reason": "重复"])
            try await app.testing().test(.POST, "/api/v1/complaints/\(other.id)/follow", headers: resident, body: here)
            { res in
                #expect(res.status == .conflict)
                #expect(errorCode(res) == "not_open")
            }
        }
    }
}
