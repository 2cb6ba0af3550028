import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Sign-in and sessions")
struct AuthTests {
    @Test func wrongPasswordIsRefusedWithTheErrorShape() async throws {
        try await withTestApp { app in
            try await app.testing().test(
                .POST, "/api/v1/auth/token",
                beforeRequest: { req in
                    try req.content.encode(["username": "admin", "password": "wrong-password"], as: .json)
                }
            ) { res in
                #expect(res.status == .unauthorized)
                let body = try res.content.decode(ErrorBody.self)
                #expect(body.error.code == "bad_credentials")
                #expect(body.error.messageZh == "用户名或密码错误")
                #expect(!body.error.messageEn.isEmpty)
            }
            let actual9 = try await app.auditEntries(action: "sign_in_failed", entityID: "admin").count
            #expect(actual9 == 1)
        }
    }

    /// A blank name passes the schema (one character or more) and breaks a rule it cannot
    /// state: 422 with the field named, and no attempt counted against anyone.
    @Test func aBlankUsernameIsRefusedAsUnprocessable() async throws {
        try await withTestApp { app in
            try await app.testing().test(
                .POST, "/api/v1/auth/token",
                beforeRequest: { req in
                    try req.content.encode(["username": "   ", "password": "x", "extra": "ignored"], as: .json)
                }
            ) { res in
                #expect(res.status == .unprocessableEntity)
                let body = try res.content.decode(ErrorBody.self)
                #expect(body.error.code == "missing_credentials")
                #expect(body.error.field == "username")
            }
        }
    }

    @Test func repeatedFailuresLockTheAccount() async throws {
        try await withTestApp { app in
            for _ in 0..<AuthService.maxFailures {
                try await app.testing().test(
                    .POST, "/api/v1/auth/token",
                    beforeRequest: { req in
                        try req.content.encode(["username": "street", "password": "not-the-password"], as: .json)
                    }
                ) { res in #expect(res.status == .unauthorized) }
            }
            // Even the right password is refused while locked.
            try await app.testing().test(
                .POST, "/api/v1/auth/token",
                beforeRequest: { req in
                    try req.content.encode(["username": "street", "password": DemoCity.password], as: .json)
                }
            ) { res in
                #expect(res.status == .tooManyRequests)
                #expect(errorCode(res) == "account_locked")
            }
        }
    }

    @Test func forgedOrMissingTokensAreRejected() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/me") { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "/api/v1/me", headers: ["Authorization": "Bearer abc.def.ghi"]) { res in
                #expect(res.status == .unauthorized)
                #expect(errorCode(res) == "invalid_token")
            }
        }
    }

    @Test func onlyAdministratorsCreateAccountsAndInputIsValidated() async throws {
        try await withTestApp { app in
            let city = try await app.bearer("city")
            let body =
                #"{"username":"gw-new","displayName":"新网格员","password":"longenough1","role":"grid_worker","nodeCode":"620982001001001"}"#
            try await app.testing().test(
                .POST, "/api/v1/users", headers: city.merging(["Content-Type": "application/json"]),
                body: .init(string: body)
            ) { res in
                #expect(res.status == .forbidden)
            }
            let admin = try await app.bearer("admin")
            try await app.testing().test(
                .POST, "/api/v1/users", headers: admin.merging(["Content-Type": "application/json"]),
                body: .init(string: body)
            ) { res in
                #expect(res.status == .created)
            }
            let wrongLevel =
                #"{"username":"gw-bad","displayName":"x","password":"longenough1","role":"grid_worker","nodeCode":"620982001"}"#
            try await app.testing().test(
                .POST, "/api/v1/users", headers: admin.merging(["Content-Type": "application/json"]),
                body: .init(string: wrongLevel)
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "nodeCode")
            }
            let _ = try await app.bearer("gw-new", password: "longenough1")
        }
    }
}
