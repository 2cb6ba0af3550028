import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("接诉即办: category questions, reply templates, administration of categories and Open311 keys")
struct ComplaintConfigTests {
    static func post(
        _ app: Application, as user: String, _ body: [String: Any], check: (TestingHTTPResponse) throws -> Void
    ) async throws {
        let p = try await ComplaintFixture.point(app)
        var full = body
        full["lat"] = p.lat
        full["lon"] = p.lon
        var headers = try await app.bearer(user)
        headers.contentType = .json
        try await app.testing().test(
            .POST, "/api/v1/complaints", headers: headers, body: try RegistryFixture.json(full)
        ) { res in try check(res) }
    }

    @Test func answersAreCheckedAgainstTheCategoryQuestionsAndKept() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            // The lift category asks whether anyone is trapped (required, 是/否).
            try await Self.post(app, as: "resident", ["categoryCode": "property.elevator", "text": "3号楼电梯停在两层之间"]) {
                res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "answers.trapped")
            }
            try await Self.post(
                app, as: "resident",
                ["categoryCode": "property.elevator", "text": "3号楼电梯停在两层之间", "answers": ["trapped": "可能"]]
            ) { res in
                #expect(errorField(res) == "answers.trapped")
            }
            try await Self.post(
                app, as: "resident",
                [
                    "categoryCode": "property.elevator", "text": "3号楼电梯停在两层之间",
                    "answers": ["trapped": "是", "colour": "红"],
                ]
            ) { res in
                #expect(errorField(res) == "answers.colour")
            }
            let stored = try await app.count("complaints")
            #expect(stored == before)
            var id: UUID?
            try await Self.post(
                app, as: "resident",
                [
                    "categoryCode": "property.elevator", "text": "3号楼电梯停在两层之间",
                    "answers": ["trapped": "是", "building": " 3号楼2单元 "],
                ]
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                let dto = try res.content.decode(ComplaintDTO.self)
                #expect(dto.answers == ["trapped": "是", "building": "3号楼2单元"])
                id = dto.id
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/\(try #require(id))", headers: try await app.bearer("community")
            ) { res in
                let dto = try res.content.decode(ComplaintDTO.self)
                #expect(dto.answers["trapped"] == "是")
            }
            // Several choices as a JSON list.
            try await Self.post(
                app, as: "resident",
                ["categoryCode": "environment.noise", "text": "楼下商铺音响太吵", "answers": ["when": ["夜间（22 点后）", "白天"]]]
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                let dto = try res.content.decode(ComplaintDTO.self)
                #expect(dto.answers["when"] == "白天,夜间（22 点后）")
            }
        }
    }

    @Test func open311ServicesCarryTheQuestionsAsAttributes() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/open311/v2/services/property.elevator.json") { res in
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                let attributes = list?.first?["attributes"] as? [[String: Any]]
                #expect(attributes?.first?["code"] as? String == "trapped")
                #expect(attributes?.first?["datatype"] as? String == "singlevaluelist")
                #expect(attributes?.first?["required"] as? Bool == true)
                #expect((attributes?.first?["values"] as? [[String: Any]])?.map { $0["key"] as? String } == ["是", "否"])
            }
            try await app.testing().test(.GET, "/open311/v2/services.json") { res in
                let list = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [[String: Any]]
                #expect(
                    list?.first { $0["service_code"] as? String == "property.elevator" }?["metadata"] as? Bool == true)
                #expect(
                    list?.first { $0["service_code"] as? String == "property.parking" }?["metadata"] as? Bool == false)
            }
            let p = try await ComplaintFixture.point(app)
            let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let base = [
                "api_key": Open311Keys.demoKey, "service_code": "property.elevator", "lat": "\(p.lat)",
                "long": "\(p.lon)", "description": "电梯困人，请尽快处理",
            ]
            let before = try await app.count("complaints")
            try await app.testing().test(
                .POST, "/open311/v2/requests.json", headers: headers, body: Open311Tests.form(base)
            ) { res in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("trapped"))
            }
            let after = try await app.count("complaints")
            #expect(after == before)
            var fields = base
            fields["attribute[trapped]"] = "是"
            try await app.testing().test(
                .POST, "/open311/v2/requests.json", headers: headers, body: Open311Tests.form(fields)
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
        }
    }

    @Test func administratorsConfigureACategoryAndItTakesEffect() async throws {
        try await withTestApp { app in
            var admin = try await app.bearer("admin")
            admin.contentType = .json
            let body: [String: Any] = [
                "parentCode": "environment", "nameZh": "扬尘污染", "nameEn": "Dust", "handlerKind": "department",
                "department": "enforcement", "tier": "24h",
                "questions": [
                    ["code": "site", "labelZh": "工地名称", "labelEn": "Site", "kind": "text", "required": true]
                ],
                "templates": ["您反映的扬尘问题（{编号}）已转{处理人}处理。"],
            ]
            try await app.testing().test(
                .PUT, "/api/v1/complaints/categories/environment.dust", headers: admin,
                body: try RegistryFixture.json(body)
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            try await Self.post(
                app, as: "resident",
                ["categoryCode": "environment.dust", "text": "工地扬尘很大", "answers": ["site": "幸福路工地"]]
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                let dto = try res.content.decode(ComplaintDTO.self)
                #expect(dto.tier == "24h")
                #expect(dto.categoryName == "扬尘污染")
            }
            var bad = body
            bad["questions"] = [
                ["code": "pick", "labelZh": "选择", "labelEn": "Pick", "kind": "single", "options": [] as [String]]
            ]
            try await app.testing().test(
                .PUT, "/api/v1/complaints/categories/environment.dust", headers: admin,
                body: try RegistryFixture.json(bad)
            ) { res in
                #expect(errorField(res) == "questions")
            }
            var staff = try await app.bearer("community")
            staff.contentType = .json
            try await app.testing().test(
                .PUT, "/api/v1/complaints/categories/environment.dust", headers: staff,
                body: try RegistryFixture.json(body)
            ) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func theHandlingPageOffersTheCategoryTemplatesFilledIn() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            var cookie = ""
            try await app.postLogin(["username": "grid001", "password": DemoCity.password]) { res in
                cookie =
                    "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
            }
            try await app.testing().test(.GET, "/complaints/\(c.id)", headers: ["Cookie": cookie]) { res in
                let html = res.body.string
                #expect(html.contains("<datalist id=\"templates\">"))
                #expect(html.contains(c.number))
                #expect(!html.contains("{编号}"))
            }
        }
    }

    @Test func administratorsIssueAndRevokeOpen311Keys() async throws {
        try await withTestApp { app in
            var admin = try await app.bearer("admin")
            admin.contentType = .json
            var key = ""
            try await app.testing().test(
                .POST, "/api/v1/open311/keys", headers: admin,
                body: try RegistryFixture.json(["integrator": "市12345热线"])
            ) { res in
                #expect(res.status == .created)
                key = try res.content.decode(Open311KeyRoutes.Issued.self).apiKey
            }
            #expect(key.count == 48)
            let found = try await Open311Keys.find(key, on: app.sql)
            #expect(found?.integrator == "市12345热线")
            let stored = try await app.sql.raw("SELECT key_hash FROM open311_keys").all().map {
                try $0.decode(column: "key_hash", as: String.self)
            }
            #expect(!stored.contains(key))
            var list: [Open311Keys.Listed] = []
            try await app.testing().test(.GET, "/api/v1/open311/keys", headers: admin) { res in
                list = try res.content.decode([Open311Keys.Listed].self)
            }
            let id = try #require(list.first { $0.integrator == "市12345热线" }?.id)
            try await app.testing().test(.POST, "/api/v1/open311/keys/\(id)/revoke", headers: admin) { res in
                #expect(res.status == .ok)
            }
            let revoked = try await Open311Keys.find(key, on: app.sql)
            #expect(revoked == nil)
            try await app.testing().test(.GET, "/api/v1/open311/keys", headers: try await app.bearer("community")) {
                res in #expect(res.status == .forbidden)
            }
            try await app.testing().test(
                .POST, "/api/v1/open311/keys", headers: admin, body: try RegistryFixture.json(["integrator": "x"])
            ) { res in
                #expect(errorField(res) == "integrator")
            }
        }
    }
}
