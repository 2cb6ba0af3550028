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
    /// Throws 403 and records the denied attempt when a record's code is outside the scope.
    public func requireInScope(code: String, entity: String, id: String) async throws {
        let principal = try requirePrincipal()
        guard principal.scope.allows(code: code) else {
            await audit.record(action: "read_denied", entity: entity, entityID: id, outcome: .denied)
            throw AppError.forbidden
        }
    }
}
