import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Open311 GeoReport v2")
struct Open311Tests {
    static func form(_ fields: [String: String]) -> ByteBuffer {
        var c = URLComponents()
        c.queryItems = fields.map { URLQueryItem(name: $0.key, value: $0.value) }
        return .init(string: c.percentEncodedQuery ?? "")
    }

    @Test func servicesAreTheCategoriesInJSONAndXML() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/open311/v2/services.json") { res in
                #expect(res.status == .ok)
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                #expect(list?.contains { $0["service_code"] as? String == "environment.garbage" } == true)
            }
            try await app.testing().test(.GET, "/open311/v2/services.xml") { res in
                #expect(res.body.string.hasPrefix("<?xml"))
                #expect(res.body.string.contains("<service_code>environment.garbage</service_code>"))
            }
            try await app.testing().test(.GET, "/open311/v2/services/no.such.json") { res in
                #expect(res.status == .notFound)
                let errors =
                    try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                #expect(errors?.first?["code"] as? Int == 404)
            }
            try await app.testing().test(.GET, "/open311/v2/discovery.json") { res in #expect(res.status == .ok) }
        }
    }

    @Test func postingNeedsAKeyAndCreatesAComplaintReadableAfterwards() async throws {
        try await withTestApp { app in
            let p = try await ComplaintFixture.point(app)
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let fields = [
                "service_code": "facilities", "lat": "\(p.lat)", "long": "\(p.lon)", "description": "路灯不亮已经一周",
                "first_name": "三", "last_name": "张",
            ]
            try await app.testing().test(.POST, "/open311/v2/requests.json", headers: headers, body: Self.form(fields))
            { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(
                .POST, "/open311/v2/requests.json", headers: headers,
                body: Self.form(fields.merging(["api_key": "wrong"]) { a, _ in a })
            ) { res in
                #expect(res.status == .forbidden)
            }
            let before = try await app.count("complaints")
            var id = ""
            try await app.testing().test(
                .POST, "/open311/v2/requests.json", headers: headers,
                body: Self.form(fields.merging(["api_key": Open311Keys.demoKey, "attribute[x]": "1"]) { a, _ in a })
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                id = list?.first?["service_request_id"] as? String ?? ""
            }
            let after = try await app.count("complaints")
            #expect(after == before + 1)
            try await app.testing().test(.GET, "/open311/v2/requests/\(id).xml") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("<status>open</status>"))
                #expect(!res.body.string.contains("张三"), "no personal data in the public interface")
            }
            try await app.testing().test(.GET, "/open311/v2/requests.json?status=open&service_code=facilities") { res in
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                #expect(list?.contains { $0["service_request_id"] as? String == id } == true)
                #expect((list?.count ?? 0) <= 1000)
            }
        }
    }

    @Test func malformedPostsAndQueriesAreSpecErrorsAndStoreNothing() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let cases: [([String: String], Int)] = [
                (["api_key": Open311Keys.demoKey, "lat": "40.1", "long": "94.6", "description": "缺少服务代码的请求"], 400),
                (["api_key": Open311Keys.demoKey, "service_code": "facilities", "description": "没有坐标的请求"], 400),
                (
                    [
                        "api_key": Open311Keys.demoKey, "service_code": "nope", "lat": "40.1", "long": "94.6",
                        "description": "未知服务",
                    ], 404
                ),
                (
                    [
                        "api_key": Open311Keys.demoKey, "service_code": "facilities", "lat": "39.9", "long": "116.4",
                        "description": "不在网格内的请求",
                    ], 422
                ),
            ]
            for (fields, status) in cases {
                try await app.testing().test(
                    .POST, "/open311/v2/requests.json", headers: headers, body: Self.form(fields)
                ) { res in
                    #expect(Int(res.status.code) == status, "\(fields) → \(res.body.string)")
                    let errors =
                        try? JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                    #expect(errors?.first?["description"] != nil)
                }
            }
            try await app.testing().test(
                .POST, "/open311/v2/requests.json", headers: ["Content-Type": "application/json"],
                body: .init(string: "{}")
            ) { res in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(
                .GET, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
            ) { res in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.GET, "/open311/v2/requests.txt") { res in #expect(res.status == .badRequest) }
            let after = try await app.count("complaints")
            #expect(after == before)
        }
    }
}
