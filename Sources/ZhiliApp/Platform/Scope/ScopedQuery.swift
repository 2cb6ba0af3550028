import SQLKit
import Vapor

/// The one place where data scope becomes SQL. Repositories never build a WHERE clause for
/// scope themselves: they call `scoped(_:column:)` on their select.
extension SQLSelectBuilder {
    /// Restricts rows to those whose hierarchy code column lies in the scope.
    /// Uses a half-open string range so it is index-friendly on SQLite and PostgreSQL alike.
    @discardableResult
    public func scoped(_ scope: DataScope, column: String) -> Self {
        guard let range = scope.codeRange else { return self }
        if range.lower.isEmpty && range.upper.isEmpty {
            return self.where(SQLLiteral.boolean(false))
        }
        return self
            .where(SQLIdentifier(column), .greaterThanOrEqual, SQLBind(range.lower))
            .where(SQLIdentifier(column), .lessThan, SQLBind(range.upper))
    }
}

extension Request {
    /// Records the denied attempt and answers exactly as for a record that does not exist
    /// when the record's code is outside the scope (or the role reads no such records at
    /// all): a refusal must not tell anyone that the record is there.
    public func requireInScope(code: String, entity: String, id: String, roleAllowed: Bool = true) async throws {
        let principal = try requirePrincipal()
        guard roleAllowed, principal.scope.allows(code: code) else {
            await audit.record(action: "read_denied", entity: entity, entityID: id, outcome: .denied)
            throw AppError.notFound(entity: entity)
        }
    }
}

extension AppError {
    /// The one "not found" of each kind of record, whether it is missing or hidden.
    public static func notFound(entity: String) -> AppError {
        switch entity {
        case "resident": .notFound("Resident", zhWhat: "居民")
        case "household", "household_qr": .notFound("Household", zhWhat: "该户")
        case "complaint": .notFound("Complaint", zhWhat: "诉求")
        default: .notFound("Record", zhWhat: "记录")
        }
    }
}
