import Foundation
import SQLKit
import SQLiteKit

/// Which of many keys a table already holds: the first question of every bulk import
/// (do these households exist, are these people known). Keys are asked in index order and
/// in large groups, so each group reads a narrow run of the index's pages; on SQLite the
/// statement goes straight to the driver (at a hundred thousand keys SQLKit's generic binds
/// and row decoding cost more than SQLite's lookups).
/// The column must be unique (a primary key or a unique index): present keys are counted.
struct StoredKeys {
    let db: any SQLDatabase

    /// Values per `IN (…)`: well under both databases' limits on bound parameters.
    static let chunk = 5_000

    func present(_ values: some Collection<String>, table: String, column: String) async throws -> Set<String> {
        var found = Set<String>()
        let sorted = Array(Set(values)).sorted()
        guard !sorted.isEmpty else { return found }
        let lite = Dialect(db).isPostgres ? nil : db as? any SQLiteDatabase
        for group in sorted.chunked(Self.chunk) {
            // Counting first: a group that is all present (a valid file's households) or all
            // absent (new people) needs no rows back, and making rows is most of the cost.
            let counted = try await count(group, table: table, column: column, lite: lite)
            if counted == group.count {
                found.formUnion(group)
                continue
            }
            if counted == 0 { continue }
            if let lite {
                for row in try await lite.query(
                    statement("SELECT \"\(column)\"", group.count, table, column), group.map { .text($0) })
                {
                    if case .text(let key) = row.column(column) { found.insert(key) }
                }
            } else {
                for row in try await db.select().column(SQLIdentifier(column)).from(table)
                    .where(SQLIdentifier(column), .in, Array(group)).all()
                {
                    found.insert(try row.decode(column: column, as: String.self))
                }
            }
        }
        return found
    }

    private func count(_ group: ArraySlice<String>, table: String, column: String, lite: (any SQLiteDatabase)?)
        async throws -> Int
    {
        if let lite {
            let rows = try await lite.query(
                statement("SELECT count(*) AS n", group.count, table, column), group.map { .text($0) })
            guard case .integer(let n) = rows.first?.column("n") else {
                throw AppError.internalFailure("count of \(table) missing")
            }
            return n
        }
        let row = try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table)
            .where(SQLIdentifier(column), .in, Array(group)).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    private func statement(_ select: String, _ count: Int, _ table: String, _ column: String) -> String {
        select + " FROM \"\(table)\" WHERE \"\(column)\" IN ("
            + Array(repeating: "?", count: count).joined(separator: ",") + ")"
    }
}
