import FluentKit
import SQLKit
import Vapor

/// Both of the platform's drivers (SQLite, PostgreSQL) give databases that are SQLKit
/// databases; a handle that is not one is a programming error, reported as an error (a 500
/// with this text in the log) instead of crashing the instance.
struct NotAnSQLDatabase: Error, CustomStringConvertible {
    let handle: String
    var description: String { "\(handle) is not an SQL database (SQLite or PostgreSQL driver expected)" }
}

extension Database {
    /// This database as SQLKit sees it, for the queries Fluent's model layer cannot express.
    var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else {
                throw NotAnSQLDatabase(handle: String(describing: type(of: self)))
            }
            return sql
        }
    }

    /// A write transaction (see `writeTransaction`) whose body speaks SQL.
    func sqlTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    {
        try await writeTransaction { tx in try await body(try tx.sql) }
    }
}

/// A transaction was asked of a handle that cannot open one (one of the read-only SQLite
/// connections): refused, never run without the transaction.
struct NoTransactionOnHandle: Error, CustomStringConvertible {
    let handle: String
    var description: String { "\(handle) cannot open a transaction: use the request's or the application's database" }
}

extension SQLDatabase {
    /// A write transaction on this database. Only Fluent's databases (and their transaction
    /// handles, where Fluent runs the body inside the open transaction) can give one; any
    /// other handle is refused with `NoTransactionOnHandle`, so a body can never run
    /// unprotected by mistake.
    func transactionally<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    {
        guard let fluent = self as? any Database else {
            throw NoTransactionOnHandle(handle: String(describing: type(of: self)))
        }
        return try await fluent.sqlTransaction(body)
    }
}
