import Fluent
import SQLKit
import Vapor

/// Password sign-in with throttling kept in the database (so every instance sees it): five
/// failures for an account name lock that name for fifteen minutes, whether or not such an
/// account exists, so a locked account cannot be told from a missing one; thirty failures
/// from one address within fifteen minutes stop that address for fifteen minutes, so nobody
/// sprays passwords over many accounts or locks them all. A disabled account says so only
/// to someone who knows its password.
enum AuthService {
    static let maxFailures = 5
    static let maxFailuresPerAddress = 30
    static let lockMinutes = 15.0

    struct Issued: Content {
        let token: String
        let tokenType: String
        let expiresAt: Date
        let user: MeDTO
    }

    static func signIn(username: String, password: String, on req: Request) async throws -> (UserAccount, SessionToken)
    {
        let name = username.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !password.isEmpty else {
            throw AppError(
                .unprocessableEntity, code: "missing_credentials", zh: "请输入用户名和密码", en: "Enter a username and password",
                field: name.isEmpty ? "username" : "password")
        }
        guard name.count <= 64, password.count <= 256 else { throw badCredentials }
        let throttle = SignInThrottle(db: try req.sql)
        let address = "ip:" + (req.remoteAddress?.ipAddress ?? "unknown")
        let account = "user:" + name.lowercased()
        if let until = try await throttle.lockedUntil(address) {
            await req.audit.record(action: "sign_in_throttled", entity: "address", entityID: address, outcome: .denied)
            throw AppError(
                .tooManyRequests, code: "too_many_attempts",
                zh: "此网络登录失败次数过多，请 \(minutes(until)) 分钟后再试",
                en: "Too many failed sign-ins from this network; try again in \(minutes(until)) minutes")
        }
        if let until = try await throttle.lockedUntil(account) {
            await req.audit.record(action: "sign_in_locked", entity: "user", entityID: name, outcome: .denied)
            throw locked(until)
        }
        let found = try await UserAccount.query(on: req.db).filter(\.$username == name).first()
        // Unknown names cost the same bcrypt check as known ones.
        let ok = (try? await req.password.async.verify(password, created: found?.passwordHash ?? dummyHash)) ?? false
        guard ok, let found else {
            // The lock applies from the next attempt; this one is answered as any wrong password.
            _ = try await throttle.fail(account, limit: maxFailures, minutes: lockMinutes)
            _ = try await throttle.fail(address, limit: maxFailuresPerAddress, minutes: lockMinutes)
            await req.audit.record(action: "sign_in_failed", entity: "user", entityID: name, outcome: .denied)
            throw badCredentials
        }
        guard !found.disabled else {
            await req.audit.record(action: "sign_in_disabled", entity: "user", entityID: name, outcome: .denied)
            throw AppError(.forbidden, code: "account_disabled", zh: "账号已停用", en: "Account disabled")
        }
        try await throttle.clear(account)
        let token = try SessionToken(account: found, lifetime: Double(req.application.zhili.config.sessionHours) * 3600)
        if let id = found.id, let sid = token.sid {
            try await SessionStore.open(sid, userID: id, expiresAt: token.exp.value, on: req.sql)
        }
        if let principal = token.principal { req.auth.login(principal) }
        await req.audit.record(action: "sign_in", entity: "user", entityID: found.id?.uuidString)
        return (found, token)
    }

    static func minutes(_ until: Date) -> Int { Int(until.timeIntervalSinceNow / 60) + 1 }

    static func locked(_ until: Date) -> AppError {
        AppError(
            .tooManyRequests, code: "account_locked",
            zh: "登录失败次数过多，请 \(minutes(until)) 分钟后再试",
            en: "Too many failed sign-ins; try again in \(minutes(until)) minutes")
    }

    static let badCredentials = AppError(
        .unauthorized, code: "bad_credentials", zh: "用户名或密码错误", en: "Wrong username or password")

    /// A valid bcrypt hash of a random string, verified against for unknown users.
    static let dummyHash: String = (try? Bcrypt.hash("zhili-unknown-user", cost: 10)) ?? ""
}

/// Failed sign-ins counted per key ("user:name", "ip:address") in a fifteen-minute window.
struct SignInThrottle {
    let db: any SQLDatabase

    private struct Row: Decodable {
        let failures: Int
        let window_start: Date
        let locked_until: Date?
    }

    func lockedUntil(_ key: String, now: Date = Date()) async throws -> Date? {
        guard
            let r = try await db.select().columns("failures", "window_start", "locked_until").from("sign_in_failures")
                .where("key", .equal, key).first(decoding: Row.self), let until = r.locked_until, until > now
        else { return nil }
        return until
    }

    /// Counts a failure; returns the lock's end when this failure reached the limit. One
    /// upsert, so failures arriving at once (on any instance) are all counted and none fails.
    func fail(_ key: String, limit: Int, minutes: Double, now: Date = Date()) async throws -> Date? {
        let window = minutes * 60
        let windowStart = now.addingTimeInterval(-window)
        struct Count: Decodable { let failures: Int }
        let count =
            try await db.raw(
                """
                INSERT INTO sign_in_failures (key, failures, window_start, locked_until) VALUES (\(bind: key), 1, \(bind: now), NULL)
                ON CONFLICT (key) DO UPDATE SET
                  failures = CASE WHEN sign_in_failures.window_start < \(bind: windowStart) THEN 1 ELSE sign_in_failures.failures + 1 END,
                  window_start = CASE WHEN sign_in_failures.window_start < \(bind: windowStart) THEN \(bind: now) ELSE sign_in_failures.window_start END
                RETURNING failures
                """
            ).first(decoding: Count.self)?.failures ?? 1
        guard count >= limit else { return nil }
        let until = now.addingTimeInterval(window)
        try await db.update("sign_in_failures").set("failures", to: 0).set("window_start", to: now).set(
            "locked_until", to: until
        )
        .where("key", .equal, key).run()
        // Old entries of names and addresses that stopped trying go now and then.
        try await db.delete(from: "sign_in_failures").where("window_start", .lessThan, now.addingTimeInterval(-86_400))
            .where { $0.where("locked_until", .is, SQLLiteral.null).orWhere("locked_until", .lessThan, now) }.run()
        return until
    }

    func clear(_ key: String) async throws {
        try await db.delete(from: "sign_in_failures").where("key", .equal, key).run()
    }
}

struct MeDTO: Content {
    let id: UUID
    let username: String
    let displayName: String
    let role: String
    let roleName: String
    let department: String?
    let nodeCode: String?

    init(_ p: Principal) {
        id = p.userID
        username = p.username
        displayName = p.displayName
        role = p.role.rawValue
        roleName = p.role.nameZh
        department = p.department?.rawValue
        nodeCode = p.nodeCode
    }
}
