import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// Sign-in for the API (bearer tokens) and account administration.
enum AuthRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.post("auth", "token", use: token)
        api.post("auth", "logout", use: logout)
        api.get("me", use: me)
        api.get("me", "todo", use: ToDoCentre.api)
        api.post("me", "password", use: changePassword)
        api.get("users", use: listUsers)
        api.post("users", use: createUser)
        api.patch("users", ":id", use: updateUser)
        api.post("users", ":id", "sign-out", use: signOutEverywhere)
    }

    /// Ends the session of the token (or cookie) this request carries.
    @Sendable static func logout(req: Request) async throws -> HTTPStatus {
        let p = try req.requirePrincipal()
        if let sid = req.sessionID { try await SessionStore.revoke(sid, on: req.sql, cache: req.zhili.sessions) }
        await req.audit.record(action: "sign_out", entity: "user", entityID: p.userID.uuidString)
        return .noContent
    }

    struct PasswordChange: Content {
        let currentPassword: String
        let newPassword: String
    }

    /// Changes one's own password; every session of the account ends, this one included, and
    /// a fresh token is returned for the caller.
    @Sendable static func changePassword(req: Request) async throws -> AuthService.Issued {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(PasswordChange.self)
        guard let account = try await UserAccount.find(p.userID, on: req.db),
            (try? await req.password.async.verify(input.currentPassword, created: account.passwordHash)) == true
        else {
            await req.audit.record(
                action: "password_change_failed", entity: "user", entityID: p.userID.uuidString, outcome: .denied)
            throw AppError(
                .forbidden, code: "bad_credentials", zh: "当前密码错误", en: "Current password is wrong",
                field: "currentPassword")
        }
        try AccountService.validatePassword(input.newPassword)
        account.passwordHash = try await req.password.async.hash(input.newPassword)
        try await account.save(on: req.db)
        try await SessionStore.revokeAll(userID: p.userID, on: req.sql, cache: req.zhili.sessions)
        let token = try SessionToken(account: account, lifetime: Double(req.zhili.config.sessionHours) * 3600)
        if let sid = token.sid {
            try await SessionStore.open(sid, userID: p.userID, expiresAt: token.exp.value, on: req.sql)
        }
        await req.audit.record(action: "password_change", entity: "user", entityID: p.userID.uuidString)
        return AuthService.Issued(
            token: try await req.jwt.sign(token), tokenType: "Bearer", expiresAt: token.exp.value, user: MeDTO(p))
    }

    static func userID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    struct UserUpdate: Content {
        var disabled: Bool?
        var displayName: String?
    }

    /// Administrators disable (or enable) an account and rename it; disabling ends its sessions.
    @Sendable static func updateUser(req: Request) async throws -> UserDTO {
        let p = try req.requireRole(.admin)
        let id = try userID(req)
        let input = try req.content.decode(UserUpdate.self)
        guard let account = try await UserAccount.find(id, on: req.db) else {
            throw AppError.notFound("User", zhWhat: "账号")
        }
        if let name = input.displayName {
            let clean = TextSafety.cleaned(name, multiline: false).trimmingCharacters(in: .whitespaces)
            guard (1...64).contains(clean.count) else {
                throw AppError.invalid("displayName", zh: "姓名应为 1–64 字", en: "Display name: 1–64 characters")
            }
            account.displayName = clean
        }
        if input.disabled == true, id == p.userID {
            throw AppError.conflict(
                "own_account", zh: "不能停用自己的账号", en: "You cannot disable your own account", field: "disabled")
        }
        if let disabled = input.disabled { account.disabled = disabled }
        try await account.save(on: req.db)
        if input.disabled == true {
            try await SessionStore.revokeAll(userID: id, on: req.sql, cache: req.zhili.sessions)
        }
        await req.audit.record(
            action: "update", entity: "user", entityID: id.uuidString,
            detail: input.disabled.map { $0 ? "disabled" : "enabled" })
        return UserDTO(account)
    }

    struct Ended: Content { let ended: Int }

    /// Administrators sign an account out everywhere: every open session ends.
    @Sendable static func signOutEverywhere(req: Request) async throws -> Ended {
        try req.requireRole(.admin)
        let id = try userID(req)
        guard try await UserAccount.find(id, on: req.db) != nil else { throw AppError.notFound("User", zhWhat: "账号") }
        let n = try await SessionStore.revokeAll(userID: id, on: req.sql, cache: req.zhili.sessions)
        await req.audit.record(
            action: "sign_out_everywhere", entity: "user", entityID: id.uuidString, detail: "\(n) sessions")
        return Ended(ended: n)
    }

    struct Credentials: Content {
        let username: String
        let password: String
    }

    @Sendable static func token(req: Request) async throws -> AuthService.Issued {
        let c = try req.content.decode(Credentials.self)
        let (_, token) = try await AuthService.signIn(username: c.username, password: c.password, on: req)
        guard let principal = token.principal else { throw AppError.internalFailure("token without principal") }
        return AuthService.Issued(
            token: try await req.jwt.sign(token), tokenType: "Bearer",
            expiresAt: token.exp.value, user: MeDTO(principal))
    }

    @Sendable static func me(req: Request) async throws -> MeDTO {
        MeDTO(try req.requirePrincipal())
    }

    struct UserDTO: Content {
        let id: UUID
        let username: String
        let displayName: String
        let role: String
        let department: String?
        let nodeCode: String?
        let disabled: Bool

        init(_ u: UserAccount) {
            id = u.id ?? UUID()
            username = u.username
            displayName = u.displayName
            role = u.role
            department = u.department
            nodeCode = u.nodeCode
            disabled = u.disabled
        }
    }

    @Sendable static func listUsers(req: Request) async throws -> [UserDTO] {
        try req.requireRole(.admin)
        return try await UserAccount.query(on: req.db).sort(\.$username).limit(1000).all().map(UserDTO.init)
    }

    struct NewUser: Content {
        let username: String
        let displayName: String
        let password: String
        let role: Role
        let department: Department?
        let nodeCode: String?
    }

    @Sendable static func createUser(req: Request) async throws -> Response {
        try req.requireRole(.admin)
        let input = try req.content.decode(NewUser.self)
        let account = try await AccountService.create(
            username: input.username, displayName: input.displayName, password: input.password,
            role: input.role, department: input.department, nodeCode: input.nodeCode, on: req.db,
            hasher: { try await req.password.async.hash($0) }
        )
        await req.audit.record(
            action: "create", entity: "user", entityID: account.id?.uuidString, detail: input.username)
        let response = Response(status: .created)
        try response.content.encode(UserDTO(account))
        return response
    }
}
