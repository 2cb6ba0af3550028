import Fluent
import Vapor

/// A sign-in account: staff, residents, volunteers, merchants and units alike.
public final class UserAccount: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "role") public var role: String
    @OptionalField(key: "department") public var department: String?
    /// Hierarchy node the account is bound to (scope anchor); households for residents.
    @OptionalField(key: "node_code") public var nodeCode: String?
    @OptionalField(key: "resident_id") public var residentID: UUID?
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "disabled") public var disabled: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(
        id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role,
        department: Department? = nil, nodeCode: String?, residentID: UUID? = nil
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.department = department?.rawValue
        self.nodeCode = nodeCode
        self.residentID = residentID
        self.failedLogins = 0
        self.disabled = false
    }
}

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserAccount.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("department", .string)
            .field("node_code", .string)
            .field("resident_id", .uuid)
            .field("failed_logins", .int, .required, .sql(.default(0)))
            .field("locked_until", .datetime)
            .field("disabled", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserAccount.schema).delete()
    }
}
