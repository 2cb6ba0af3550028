import Fluent
import Vapor
import ZhiliDomain

/// Sign-in for the API (bearer tokens) and account administration.
enum AuthRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.post("auth", "token", use: token)
        api.get("me", use: me)
        api.get("users", use: listUsers)
        api.post("users", use: createUser)
    }

    struct Credentials: Content {
        let username: String
        let password: String
    }

    @Sendable static func token(req: Request) async throws -> AuthService.Issued {
        let c = try req.content.decode(Credentials.self)
        let (_, token) = try await AuthService.signIn(username: c.username, password: c.password, on: req)
        guard let principal = token.principal else { throw AppError.internalFailure("token without principal") }
        return AuthService.Issued(token: try await req.jwt.sign(token), tokenType: "Bearer",
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
        await req.audit.record(action: "create", entity: "user", entityID: account.id?.uuidString, detail: input.username)
        let response = Response(status: .created)
        try response.content.encode(UserDTO(account))
        return response
    }
}
