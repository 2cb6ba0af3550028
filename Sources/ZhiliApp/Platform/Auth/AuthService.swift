import Fluent
import Vapor

/// Password sign-in with throttling: five failures lock the account for fifteen minutes.
/// The counter lives in the database so every app instance sees it.
enum AuthService {
    static let maxFailures = 5
    static let lockMinutes = 15.0

    struct Issued: Content {
        let token: String
        let tokenType: String
        let expiresAt: Date
        let user: MeDTO
    }

    static func signIn(username: String, password: String, on req: Request) async throws -> (UserAccount, SessionToken) {
        let name = username.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !password.isEmpty else {
            throw AppError(.badRequest, code: "missing_credentials", zh: "请输入用户名和密码", en: "Enter a username and password", field: name.isEmpty ? "username" : "password")
        }
        guard let account = try await UserAccount.query(on: req.db).filter(\.$username == name).first() else {
            // Same cost and message as a wrong password, so usernames cannot be probed.
            _ = try? await req.password.async.verify(password, created: dummyHash)
            await req.audit.record(action: "sign_in_failed", entity: "user", entityID: name, outcome: .denied)
            throw badCredentials
        }
        if let until = account.lockedUntil, until > Date() {
            await req.audit.record(action: "sign_in_locked", entity: "user", entityID: name, outcome: .denied)
            throw AppError(.tooManyRequests, code: "account_locked",
                           zh: "登录失败次数过多，请 \(Int(until.timeIntervalSinceNow / 60) + 1) 分钟后再试",
                           en: "Too many failed sign-ins; try again in \(Int(until.timeIntervalSinceNow / 60) + 1) minutes")
        }
        guard !account.disabled else {
            throw AppError(.forbidden, code: "account_disabled", zh: "账号已停用", en: "Account disabled")
        }
        let ok = (try? await req.password.async.verify(password, created: account.passwordHash)) ?? false
        guard ok else {
            account.failedLogins += 1
            if account.failedLogins >= maxFailures {
                account.lockedUntil = Date().addingTimeInterval(lockMinutes * 60)
                account.failedLogins = 0
            }
            try await account.save(on: req.db)
            await req.audit.record(action: "sign_in_failed", entity: "user", entityID: name, outcome: .denied)
            throw badCredentials
        }
        if account.failedLogins != 0 || account.lockedUntil != nil {
            account.failedLogins = 0
            account.lockedUntil = nil
            try await account.save(on: req.db)
        }
        let token = try SessionToken(account: account, lifetime: Double(req.application.zhili.config.sessionHours) * 3600)
        if let principal = token.principal { req.auth.login(principal) }
        await req.audit.record(action: "sign_in", entity: "user", entityID: account.id?.uuidString)
        return (account, token)
    }

    static let badCredentials = AppError(.unauthorized, code: "bad_credentials", zh: "用户名或密码错误", en: "Wrong username or password")

    /// A valid bcrypt hash of a random string, verified against for unknown users.
    static let dummyHash: String = (try? Bcrypt.hash("zhili-unknown-user", cost: 10)) ?? ""
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
