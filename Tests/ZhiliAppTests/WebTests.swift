import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Web pages")
struct WebTests {
    @Test func signInPageRendersInChineseByDefault() async throws {
        try await withTestApp(seed: false) { app in
            try await app.testing().test(.GET, "/login") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("name=\"username\""))
                #expect(res.body.string.contains("登录"))
            }
            try await app.testing().test(.GET, "/login", headers: ["Cookie": "lang=en"]) { res in
                #expect(res.body.string.contains("Sign in"))
            }
        }
    }

    @Test func pagesRedirectToSignInAndTheSessionCookieOpensThem() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/map", headers: ["Accept": "text/html"]) { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location)?.hasPrefix("/login") == true)
            }
            var cookie = ""
            try await app.postLogin(["username": "community", "password": DemoCity.password, "next": "/hierarchy"]) {
                res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/hierarchy")
                let value = try #require(res.headers.setCookie?[SessionAuthenticator.cookieName])
                #expect(value.isHTTPOnly)
                cookie = "\(SessionAuthenticator.cookieName)=\(value.string)"
            }
            for page in ["/", "/hierarchy", "/map", "/api-docs"] {
                try await app.testing().test(.GET, page, headers: ["Cookie": cookie, "Accept": "text/html"]) { res in
                    #expect(res.status == .ok, "\(page)")
                    #expect(res.body.string.contains("<nav"), "\(page)")
                }
            }
            try await app.testing().test(.GET, "/audit", headers: ["Cookie": cookie, "Accept": "text/html"]) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func formsWithoutTheAntiForgeryTokenAreRefused() async throws {
        try await withTestApp { app in
            var cookie = ""
            try await app.postLogin(["username": "admin", "password": DemoCity.password]) { res in
                cookie =
                    "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
            }
            try await app.testing().test(.POST, "/logout", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func wrongPasswordShowsTheMessageOnThePage() async throws {
        try await withTestApp { app in
            try await app.postLogin(["username": "admin", "password": "nope-nope"]) { res in
                #expect(res.status == .unauthorized)
                #expect(res.body.string.contains("用户名或密码错误"))
            }
        }
    }

    @Test func nextParameterNeverLeavesTheSite() {
        #expect(WebRoutes.safeNext("//evil.example/x") == "/")
        #expect(WebRoutes.safeNext("https://evil.example") == "/")
        #expect(WebRoutes.safeNext("/map") == "/map")
    }
}
