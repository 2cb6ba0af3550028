import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

/// Every test gets its own database: a fresh SQLite file, or a fresh schema in the
/// PostgreSQL database named by ZHILI_TEST_DATABASE_URL. The same tests run on both.
enum TestDatabase {
    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["ZHILI_TEST_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static var isPostgres: Bool { postgresURL != nil }
}

/// Builds an application on an isolated database, migrates it, optionally loads the tiny
/// demo town, runs the test and tears everything down.
func withTestApp(
    seed: Bool = true, secrets: Secrets = Secrets.generate(), settings: (inout AppConfig) -> Void = { _ in },
    capabilities: [any Capability] = Capabilities.all,
    _ body: (Application) async throws -> Void
) async throws {
    // Before any application exists: the blocking pool's size (see DatabaseSetup).
    DatabaseSetup.blockingPoolSized
    var config = AppConfig()
    let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhili-test-\(id)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    config.dataDir = dir
    let schema = "t_\(id)"
    if let url = TestDatabase.postgresURL {
        config.database = .postgres(url: url, schema: schema)
    } else {
        config.database = .sqlite(path: dir + "/zhili.sqlite")
    }
    config.logLevel = "warning"
    config.runSchedulers = false
    settings(&config)
    let app = try await Application.make(.testing)
    do {
        try await configure(app, config: config, secrets: secrets, capabilities: capabilities)
        if TestDatabase.isPostgres {
            try await app.db.sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        try await app.autoMigrate()
        try await DatabaseSetup.tune(app)
        if seed { _ = try await DemoCity.generate(on: app, spec: .tiny) }
        // Boot as the server does (the test client's own boot would skip async start-up work,
        // such as opening SQLite's read connections).
        try await app.asyncBoot()
        try await body(app)
    } catch {
        // PostgresNIO's errors say what went wrong only when reflected (the SQL, the server's message).
        if String(describing: error).hasPrefix("PSQLError") { print("withTestApp: \(String(reflecting: error))") }
        await cleanUp(app, dir: dir, schema: schema)
        throw error
    }
    await cleanUp(app, dir: dir, schema: schema)
}

private func cleanUp(_ app: Application, dir: String, schema: String) async {
    if TestDatabase.isPostgres {
        try? await app.db.sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: dir)
}

extension Application {
    var sql: any SQLDatabase { get throws { try db.sql } }

    /// Signs in through the API and returns the bearer header for the account.
    func bearer(_ username: String, password: String = DemoCity.password) async throws -> HTTPHeaders {
        var token = ""
        try await testing().test(
            .POST, "/api/v1/auth/token",
            beforeRequest: { req in
                try req.content.encode(["username": username, "password": password], as: .json)
            },
            afterResponse: { res in
                #expect(res.status == .ok, "sign-in failed for \(username): \(res.body.string)")
                token = (try? res.content.decode(AuthService.Issued.self).token) ?? ""
            })
        return ["Authorization": "Bearer \(token)"]
    }

    /// First resident whose household lies under the given code prefix.
    func residentID(under prefix: String) async throws -> UUID {
        struct Row: Decodable { let id: UUID }
        let row = try await sql.select().column("id").from("residents")
            .where("household_code", .greaterThanOrEqual, prefix).where("household_code", .lessThan, prefix + ":")
            .orderBy("household_code").limit(1).first(decoding: Row.self)
        return try #require(row).id
    }

    func gridCodes() async throws -> [String] {
        struct Row: Decodable { let code: String }
        return try await sql.select().column("code").from("nodes").where("level", .equal, "grid").orderBy("code")
            .all(decoding: Row.self).map(\.code)
    }

    func count(_ table: String) async throws -> Int {
        struct Row: Decodable { let n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decoding: Row.self)?.n ?? -1
    }

    func auditEntries(action: String, entityID: String) async throws -> [AuditEntry] {
        try await AuditQueries.list(AuditQueries.Filter(action: action, entityId: entityID), on: sql)
    }
}

/// Decodes the platform's error body.
func errorCode(_ res: TestingHTTPResponse) -> String? {
    try? res.content.decode(ErrorBody.self).error.code
}

func errorField(_ res: TestingHTTPResponse) -> String? {
    try? res.content.decode(ErrorBody.self).error.field
}

extension Application {
    /// The sign-in form's anti-forgery cookie and token, as a browser gets them by loading it.
    func loginFormToken() async throws -> (cookie: String, token: String) {
        var cookie = ""
        var token = ""
        try await testing().test(.GET, "/login") { res in
            cookie = res.headers.setCookie?[LoginPage.cookieName]?.string ?? ""
            let html = res.body.string
            if let r = html.range(of: "name=\"_csrf\" value=\"") { token = String(html[r.upperBound...].prefix(32)) }
        }
        #expect(cookie.count == 32 && cookie == token)
        return ("\(LoginPage.cookieName)=\(cookie)", token)
    }

    /// Posts the sign-in form as a browser does: after loading it, with its token.
    func postLogin(_ fields: [String: String], _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        let form = try await loginFormToken()
        var body = fields
        body["_csrf"] = form.token
        try await testing().test(
            .POST, "/login", headers: ["Cookie": form.cookie],
            beforeRequest: { req in
                try req.content.encode(body, as: .urlEncodedForm)
            }, afterResponse: check)
    }
}

enum WebFixture {
    /// The session cookie of a web sign-in as `user`.
    static func cookie(_ app: Application, as user: String) async throws -> String {
        var cookie = ""
        try await app.postLogin(["username": user, "password": DemoCity.password]) { res in
            cookie =
                "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
        }
        return cookie
    }

    /// A page's HTML as `user` sees it.
    static func page(_ app: Application, _ path: String, as user: String) async throws -> String {
        let cookie = try await cookie(app, as: user)
        var html = ""
        try await app.testing().test(.GET, path, headers: ["Cookie": cookie, "Accept": "text/html"]) { res in
            #expect(res.status == .ok, "\(path) as \(user)")
            html = res.body.string
        }
        return html
    }
}
