import Foundation
import JWT
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// Side doors in signing in and transport (issue 10): tokens that outlive their session,
/// sign-in that tells locked from missing, headers missing on errors, public metrics.
@Suite("Breaches: sessions, sign-in and headers")
struct BreachAccessTests {
    static func me(_ app: Application, _ headers: HTTPHeaders) async throws -> HTTPStatus {
        var status = HTTPStatus.internalServerError
        try await app.testing().test(.GET, "/api/v1/me", headers: headers) { res in status = res.status }
        return status
    }

    @Test func signingOutEndsTheTokenAtOnce() async throws {
        try await withTestApp { app in
            let headers = try await app.bearer("community")
            #expect(try await Self.me(app, headers) == .ok)
            try await app.testing().test(.POST, "/api/v1/auth/logout", headers: headers) { res in
                #expect(res.status == .noContent)
            }
            #expect(try await Self.me(app, headers) == .unauthorized)
            // The web sign-out ends the cookie's session too.
            let cookie = try await WebFixture.cookie(app, as: "community")
            var csrf = ""
            try await app.testing().test(.GET, "/", headers: ["Cookie": cookie, "Accept": "text/html"]) { res in
                let html = res.body.string
                if let r = html.range(of: "name=\"_csrf\" value=\"") { csrf = String(html[r.upperBound...].prefix(32)) }
            }
            #expect(try await Self.me(app, ["Cookie": cookie]) == .ok)
            try await app.testing().test(
                .POST, "/logout", headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                body: .init(string: "_csrf=\(csrf)")
            ) { res in #expect(res.status == .seeOther) }
            #expect(try await Self.me(app, ["Cookie": cookie]) == .unauthorized)
        }
    }

    @Test func disablingAnAccountOrChangingItsPasswordEndsItsTokens() async throws {
        try await withTestApp { app in
            let worker = try await app.bearer("grid001")
            let second = try await app.bearer("grid001")
            struct User: Decodable { let id: UUID }
            let id = try #require(
                try await app.sql.select().column("id").from("users").where("username", .equal, "grid001").first(
                    decoding: User.self)
            ).id
            let admin = try await app.bearer("admin").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/me/password", headers: second.merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["currentPassword": DemoCity.password, "newPassword": "Another@2026"])
            ) { res in
                #expect(res.status == .ok)
            }
            #expect(try await Self.me(app, worker) == .unauthorized)
            #expect(try await Self.me(app, second) == .unauthorized)
            let fresh = try await app.bearer("grid001", password: "Another@2026")
            #expect(try await Self.me(app, fresh) == .ok)
            try await app.testing().test(
                .PATCH, "/api/v1/users/\(id)", headers: admin, body: try RegistryFixture.json(["disabled": true])
            ) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/residents?limit=5", headers: fresh) { res in
                #expect(res.status == .unauthorized)
            }
            // A disabled account says so only to someone who knows its password.
            try await app.testing().test(
                .POST, "/api/v1/auth/token",
                beforeRequest: { req in
                    try req.content.encode(["username": "grid001", "password": "wrong-password"], as: .json)
                }
            ) { res in #expect(errorCode(res) == "bad_credentials") }
            try await app.testing().test(
                .POST, "/api/v1/auth/token",
                beforeRequest: { req in
                    try req.content.encode(["username": "grid001", "password": "Another@2026"], as: .json)
                }
            ) { res in #expect(errorCode(res) == "account_disabled") }
        }
    }

    @Test func anAdministratorSignsAnAccountOutEverywhere() async throws {
        try await withTestApp { app in
            let a = try await app.bearer("street")
            let b = try await app.bearer("street")
            struct User: Decodable { let id: UUID }
            let id = try #require(
                try await app.sql.select().column("id").from("users").where("username", .equal, "street").first(
                    decoding: User.self)
            ).id
            try await app.testing().test(
                .POST, "/api/v1/users/\(id)/sign-out", headers: try await app.bearer("community")
            ) { res in #expect(res.status == .forbidden) }
            try await app.testing().test(.POST, "/api/v1/users/\(id)/sign-out", headers: try await app.bearer("admin"))
            { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"ended\":2"))
            }
            #expect(try await Self.me(app, a) == .unauthorized)
            #expect(try await Self.me(app, b) == .unauthorized)
        }
    }

    @Test func anAdministratorCannotDisableTheirOwnAccount() async throws {
        try await withTestApp { app in
            struct User: Decodable { let id: UUID }
            let id = try #require(
                try await app.sql.select().column("id").from("users").where("username", .equal, "admin").first(
                    decoding: User.self)
            ).id
            let admin = try await app.bearer("admin")
            try await app.testing().test(
                .PATCH, "/api/v1/users/\(id)", headers: admin.merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["disabled": true])
            ) { res in
                #expect(res.status == .conflict)
                #expect(errorCode(res) == "own_account")
            }
            #expect(try await Self.me(app, admin) == .ok)
        }
    }

    @Test func aValidlySignedTokenOfNoAccountOrNoSessionIsRefused() async throws {
        try await withTestApp { app in
            let ghost = UserAccount(
                id: UUID(), username: "ghost", displayName: "不存在", passwordHash: "x", role: .admin, nodeCode: "620982")
            let token = try SessionToken(account: ghost, lifetime: 3600)
            let signed = try await app.jwt.keys.sign(token)
            #expect(try await Self.me(app, ["Authorization": "Bearer \(signed)"]) == .unauthorized)
            try await app.testing().test(
                .GET, "/api/v1/residents?limit=5", headers: ["Authorization": "Bearer \(signed)"]
            ) { res in
                #expect(res.status == .unauthorized)
            }
        }
    }

    @Test func aLockedAccountLooksLikeAMissingOneAndOneAddressCannotSprayPasswords() async throws {
        try await withTestApp { app in
            func attempt(_ user: String, _ password: String) async throws -> (HTTPStatus, String?) {
                var out: (HTTPStatus, String?) = (.ok, nil)
                try await app.testing().test(
                    .POST, "/api/v1/auth/token",
                    beforeRequest: { req in
                        try req.content.encode(["username": user, "password": password], as: .json)
                    }
                ) { res in out = (res.status, errorCode(res)) }
                return out
            }
            for _ in 0..<5 {
                _ = try await attempt("street", "wrong-password")
                _ = try await attempt("nobody-here", "wrong-password")
            }
            let locked = try await attempt("street", "wrong-password")
            let missing = try await attempt("nobody-here", "wrong-password")
            #expect(locked.0 == missing.0 && locked.1 == missing.1 && locked.1 == "account_locked")
            // Thirty failures from one address stop it, whichever names it tries.
            for i in 0..<20 { _ = try await attempt("spray\(i)", "wrong-password") }
            let stopped = try await attempt("city", DemoCity.password)
            #expect(stopped.0 == .tooManyRequests && stopped.1 == "too_many_attempts")
        }
    }

    @Test func theSignInFormNeedsItsAntiForgeryToken() async throws {
        try await withTestApp { app in
            try await app.testing().test(
                .POST, "/login",
                beforeRequest: { req in
                    try req.content.encode(["username": "admin", "password": DemoCity.password], as: .urlEncodedForm)
                }
            ) { res in
                #expect(res.status == .forbidden)
                #expect(res.headers.setCookie?[SessionAuthenticator.cookieName] == nil)
            }
            try await app.postLogin(["username": "admin", "password": DemoCity.password]) { res in
                #expect(res.status == .seeOther)
            }
        }
    }

    @Test func errorsCarryTheSecurityHeadersAndPersonalAnswersAreNotCached() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/no-such-thing") { res in
                #expect(res.status == .notFound)
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(res.headers.first(name: "X-Frame-Options") == "DENY")
            }
            try await app.testing().test(.GET, "/api/v1/residents?limit=1", headers: try await app.bearer("grid001")) {
                res in
                #expect(res.headers.first(name: .cacheControl) == "no-store")
            }
            try await app.testing().test(.GET, "/login") { res in
                let csp = res.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("img-src 'self' data: blob:;"))
                #expect(!csp.contains("http:") && !csp.contains("https:"))
            }
        }
    }

    @Test func metricsAreForOperatorsOnly() async throws {
        let token = "metrics-token-for-the-scraper-0123"
        try await withTestApp(settings: { $0.metricsToken = token }) { app in
            try await app.testing().test(.GET, "/metrics") { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "/metrics", headers: try await app.bearer("city")) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.GET, "/metrics", headers: try await app.bearer("admin")) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)"]) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)x"]) { res in
                #expect(res.status == .unauthorized)
            }
        }
    }

    @Test func aConnectionThatSendsNothingIsClosed() async throws {
        try await withTestApp(settings: { $0.idleTimeoutSeconds = 5 }) { app in
            app.http.server.configuration.port = 0
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(connected == 0)
            // Half a request line, then silence: the server closes the connection (read gives 0).
            _ = "GET /healthz HT".withCString { send(fd, $0, 15, 0) }
            var timeout = timeval(tv_sec: 12, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let started = Date()
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            #expect(n == 0, "the server kept the connection open")
            #expect(Date().timeIntervalSince(started) < 11)
            await app.server.shutdown()
        }
    }

    @Test func aCMYKPhotoIsConvertedNotRefused() throws {
        // 24×16 pure red in ink (C 0, M 100 %, Y 100 %, K 0), as print software and some phone apps save it.
        let cmyk = Data(
            base64Encoded:
                "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/8AAFAgAEAAYBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9U6/Kqvyqr9U6KKKKKKKKKKKKKKKKKKKK/9k="
        )!
        let photo = try PhotoProcessing.normalize(cmyk)
        #expect(photo.width == 24 && photo.height == 16)
        // The result is a three-component (RGB) baseline JPEG: its SOF0 segment says so.
        let bytes = [UInt8](photo.image)
        let sof = try #require((0..<bytes.count - 10).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        #expect(bytes[sof + 9] == 3)
    }
}

/// Several instances behind one PostgreSQL database: what one instance ends, the others
/// refuse at once (LISTEN/NOTIFY), not only when their short cache runs out.
@Suite("Sessions across instances")
struct SessionInstanceTests {
    // Several instances are a PostgreSQL deployment; SQLite runs one instance.
    @Test(.enabled(if: TestDatabase.isPostgres, "several instances need PostgreSQL"))
    func aSessionEndedOnOneInstanceIsRefusedByAnotherAtOnce() async throws {
        let secrets = Secrets.generate()
        var shared = AppConfig()
        // A long cache: only the NOTIFY (or, on SQLite, the one process) can make the second
        // instance refuse within the test's few seconds.
        try await withTestApp(
            secrets: secrets,
            settings: {
                $0.sessionCheckSeconds = 600
                shared = $0
            }
        ) { first in
            let second = try await Application.make(.testing)
            do {
                try await configure(second, config: shared, secrets: secrets)
                try await second.asyncBoot()
                for _ in 0..<100 where !second.zhili.events.ready.withLock({ $0 }) {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(second.zhili.events.ready.withLock { $0 })
                let headers = try await first.bearer("street")
                // The second instance has seen the session open (and would trust that for 10 minutes).
                try await second.testing().test(.GET, "/api/v1/me", headers: headers) { res in
                    #expect(res.status == .ok)
                }
                try await first.testing().test(.POST, "/api/v1/auth/logout", headers: headers) { res in
                    #expect(res.status == .noContent)
                }
                var refused = false
                for _ in 0..<40 where !refused {
                    try await second.testing().test(.GET, "/api/v1/me", headers: headers) { res in
                        refused = res.status == .unauthorized
                    }
                    if !refused { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(refused, "the second instance still accepts a token whose session ended on the first")
            } catch {
                Issue.record(error)
            }
            try? await second.asyncShutdown()
        }
    }
}
