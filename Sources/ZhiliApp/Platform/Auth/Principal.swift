import JWT
import Vapor
import ZhiliDomain

/// The signed-in person for this request, as carried by their token.
public struct Principal: Sendable, Authenticatable {
    public let userID: UUID
    public let username: String
    public let displayName: String
    public let role: Role
    public let department: Department?
    public let nodeCode: String?
    public let residentID: UUID?

    public var scope: DataScope {
        if role == .admin { return .everything }
        if role.isStaff, let node = nodeCode, let code = try? HierarchyCode(validating: node) {
            return .subtree(code)
        }
        if role == .resident, let household = nodeCode { return .household(household) }
        return .nothing
    }
}

/// JWT claims for both API bearer tokens and the web session cookie.
struct SessionToken: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var usr: String
    var name: String
    var role: String
    var dept: String?
    var node: String?
    var rid: String?
    /// Anti-forgery token bound to this session, echoed by every web form.
    var csrf: String
    /// The session (see `SessionStore`); tokens without one are refused.
    var sid: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    init(account: UserAccount, lifetime: TimeInterval) throws {
        guard let id = account.id else { throw AppError.internalFailure("account without id") }
        sub = SubjectClaim(value: id.uuidString)
        exp = ExpirationClaim(value: Date().addingTimeInterval(lifetime))
        iat = IssuedAtClaim(value: Date())
        usr = account.username
        name = account.displayName
        role = account.role
        dept = account.department
        node = account.nodeCode
        rid = account.residentID?.uuidString
        csrf = [UInt8].random(count: 16).map { String(format: "%02x", $0) }.joined()
        sid = SessionStore.newID()
    }

    var principal: Principal? {
        guard let id = UUID(uuidString: sub.value), let role = Role(rawValue: role) else { return nil }
        return Principal(
            userID: id, username: usr, displayName: name, role: role,
            department: dept.flatMap(Department.init(rawValue:)), nodeCode: node,
            residentID: rid.flatMap(UUID.init(uuidString:))
        )
    }
}

extension Request {
    public var principal: Principal? { auth.get(Principal.self) }

    public func requirePrincipal() throws -> Principal {
        guard let p = principal else { throw AppError.unauthorized }
        return p
    }

    /// Requires one of the roles; administrators always pass.
    @discardableResult
    public func requireRole(_ roles: Role...) throws -> Principal {
        let p = try requirePrincipal()
        guard p.role == .admin || roles.contains(p.role) else { throw AppError.forbidden }
        return p
    }

    var csrfToken: String? { storage[CSRFKey.self] }
}

struct CSRFKey: StorageKey { typealias Value = String }
