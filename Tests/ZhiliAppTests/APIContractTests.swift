import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("API contract")
struct APIContractTests {
    @Test func everyAPIRouteIsDocumentedAndEveryDocumentedOperationExists() async throws {
        try await withTestApp(seed: false) { app in
            let routed = Set(
                app.routes.all.compactMap { route -> String? in
                    // The 405 answers for methods a path does not have are not operations.
                    guard route.userInfo[MethodNotAllowed.userInfoKey] == nil else { return nil }
                    let path =
                        "/"
                        + route.path.map { component -> String in
                            if case .parameter(let name) = component { return "{\(name)}" }
                            return component.description
                        }.joined(separator: "/")
                    guard path.hasPrefix("/api/") || path == "/healthz" || path == "/readyz" else { return nil }
                    return "\(route.method.rawValue.lowercased()) \(path)"
                })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "undocumented: \(routed.subtracting(documented).sorted())")
            #expect(
                documented.subtracting(routed).isEmpty,
                "documented but not routed: \(documented.subtracting(routed).sorted())")
        }
    }

    @Test func servedDocumentIsOpenAPI31WithBearerSecurity() async throws {
        try await withTestApp(seed: false) { app in
            try await app.testing().test(.GET, "/openapi.json") { res in
                #expect(res.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any]
                #expect(json?["openapi"] as? String == "3.1.0")
                let paths = json?["paths"] as? [String: Any]
                #expect(paths?["/api/v1/grids/locate"] != nil)
                let schemes = (json?["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
                #expect(schemes?["bearer"] != nil)
            }
        }
    }

    @Test func malformedBodiesAreClearErrorsNotServerErrors() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin")
            let json = admin.merging(["Content-Type": "application/json"])
            let cases: [(String, String, HTTPStatus, String)] = [
                ("/api/v1/nodes", "{\"parentCode\":", .badRequest, "malformed_body"),
                ("/api/v1/nodes", "{\"parentCode\": 5, \"name\": \"x\"}", .badRequest, "wrong_type"),
                ("/api/v1/nodes", "{\"name\": \"x\"}", .badRequest, "missing_field"),
                ("/api/v1/nodes", "{\"parentCode\": \"62x\", \"name\": \"x\"}", .badRequest, "invalid_code"),
                (
                    "/api/v1/users",
                    "{\"username\":\"abc\",\"displayName\":\"a\",\"password\":\"12345678\",\"role\":\"king\"}",
                    .badRequest, "invalid_value"
                ),
            ]
            for (path, body, status, code) in cases {
                try await app.testing().test(.POST, path, headers: json, body: .init(string: body)) { res in
                    #expect(res.status == status, "\(body)")
                    #expect(errorCode(res) == code, "\(body): \(res.body.string)")
                }
            }
        }
    }

    @Test func oversizeBodyIsRefusedWith413() async throws {
        try await withTestApp(seed: false) { app in
            let big = String(repeating: "x", count: 3 * 1024 * 1024)
            // A real socket: the size limit is enforced while the body streams in.
            try await app.testing(method: .running(hostname: "127.0.0.1", port: 0)).test(
                .POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                body: .init(string: "{\"username\":\"\(big)\",\"password\":\"x\"}")
            ) { res in
                #expect(res.status == .payloadTooLarge)
                #expect(errorCode(res) == "payload_too_large")
            }
        }
    }

    @Test func unknownIdsAndBadCodesAre4xx() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin")
            try await app.testing().test(.GET, "/api/v1/residents/\(UUID())", headers: admin) { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/residents/not-a-uuid", headers: admin) { res in
                #expect(res.status == .badRequest)
                #expect(errorCode(res) == "invalid_id")
            }
            try await app.testing().test(.GET, "/api/v1/nodes/620982999", headers: admin) { res in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/nodes/12345", headers: admin) { res in
                #expect(res.status == .badRequest)
                #expect(errorCode(res) == "invalid_code")
            }
            try await app.testing().test(.GET, "/api/v1/grids/locate?lat=abc&lon=1", headers: admin) { res in
                #expect(res.status == .badRequest)
            }
        }
    }

    @Test func rejectedWriteLeavesNothingBehind() async throws {
        try await withTestApp { app in
            let admin = try await app.bearer("admin")
            let before = try await app.count("nodes")
            let badPolygon =
                #"{"parentCode":"620982001001001","name":"新小区","geometry":{"type":"Polygon","coordinates":[[[94.6,40.1],[94.7,40.1]]]}}"#
            try await app.testing().test(
                .POST, "/api/v1/nodes", headers: admin.merging(["Content-Type": "application/json"]),
                body: .init(string: badPolygon)
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "geometry")
            }
            let actual11 = try await app.count("nodes")
            #expect(actual11 == before)
        }
    }

    @Test func aKnownPathAskedWithAnotherMethodAnswers405WithAllow() async throws {
        try await withTestApp(seed: false) { app in
            try await app.testing().test(.DELETE, "/api/v1/me") { res in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers.first(name: .allow) == "GET")
                #expect(errorCode(res) == "method_not_allowed")
            }
            try await app.testing().test(.PUT, "/api/v1/nodes/620982") { res in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers.first(name: .allow) == "DELETE, GET, PATCH")
            }
            try await app.testing().test(.GET, "/api/v1/no-such-thing") { res in #expect(res.status == .notFound) }
        }
    }
}
