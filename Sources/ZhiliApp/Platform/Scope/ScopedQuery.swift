import SQLKit
import Vapor

/// The one place where data scope becomes SQL. Stores never build a WHERE clause for scope
/// themselves: they call `scoped(_:column:)` on their select, or put `condition(on:)` into a
/// group of their own (scope OR assigned to me).
extension DataScope {
    /// The scope as one condition on a hierarchy-code column; nil when it restricts nothing.
    /// A half-open string range, so it is index-friendly on SQLite and PostgreSQL alike.
    public func condition(on column: any SQLExpression) -> (any SQLExpression)? {
        guard let range = codeRange else { return nil }
        if range.lower.isEmpty && range.upper.isEmpty { return SQLLiteral.boolean(false) }
        return SQLBinaryExpression(
            SQLBinaryExpression(column, .greaterThanOrEqual, SQLBind(range.lower)),
            .and,
            SQLBinaryExpression(column, .lessThan, SQLBind(range.upper)))
    }

    /// The values `condition(on:)` binds, in its order (for statements kept by shape).
    public var boundValues: [String] {
        guard let range = codeRange, !(range.lower.isEmpty && range.upper.isEmpty) else { return [] }
        return [range.lower, range.upper]
    }

    /// What `condition(on:)` looks like, without its values: "all", "none" or "range".
    public var conditionShape: String {
        guard let range = codeRange else { return "all" }
        return range.lower.isEmpty && range.upper.isEmpty ? "none" : "range"
    }
}

extension SQLSelectBuilder {
    /// Restricts rows to those whose hierarchy code column lies in the scope.
    @discardableResult
    public func scoped(_ scope: DataScope, column: String) -> Self {
        scoped(scope, on: SQLIdentifier(column))
    }

    /// The same on any column expression (a column of a joined table: `SQLColumn("c", table: "t")`).
    @discardableResult
    public func scoped(_ scope: DataScope, on column: any SQLExpression) -> Self {
        guard let condition = scope.condition(on: column) else { return self }
        return self.where(condition)
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
