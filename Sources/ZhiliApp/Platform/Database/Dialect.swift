import Foundation
import SQLKit

/// The one seam where SQLite and PostgreSQL differ. Everything else is portable SQL.
struct Dialect {
    let isPostgres: Bool

    init(_ db: any SQLDatabase) {
        isPostgres = db.dialect.name == "postgresql"
    }

    /// Triggers that make a table append-only.
    func appendOnlyTriggers(table: String) -> [String] {
        if isPostgres {
            return [
                """
                CREATE OR REPLACE FUNCTION \(table)_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '\(table) is append-only'; END; $$ LANGUAGE plpgsql
                """,
                "CREATE TRIGGER \(table)_no_update BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(table)_append_only()",
            ]
        }
        return [
            "CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END",
            "CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END",
        ]
    }

    /// Code-point ordering for prefix ranges over text (PostgreSQL collations may not sort
    /// Chinese by code point; SQLite's default BINARY does).
    func codepoint(_ column: String) -> any SQLExpression {
        isPostgres ? SQLRaw("\(column) COLLATE \"C\"") : SQLIdentifier(column)
    }

    /// An index ordered by code point on `column`, then `then` (a tie-breaker for paging).
    func codepointIndex(name: String, table: String, column: String, then: String) -> String {
        isPostgres
            ? "CREATE INDEX \(name) ON \(table) (\(column) COLLATE \"C\", \(then))"
            : "CREATE INDEX \(name) ON \(table) (\(column), \(then))"
    }

    /// The last key of an ordering that pages through equal names: SQLite's rowid, which
    /// every SQLite index already carries (so an index on the name alone serves the order),
    /// PostgreSQL's id (its name indexes end with it).
    func pagingTieBreaker(table: String) -> any SQLExpression {
        isPostgres ? SQLColumn("id", table: table) : SQLColumn("rowid", table: table)
    }

    /// Before a bulk write on this connection: a larger page cache (256 MB) so index inserts
    /// with random keys (the ID-number hashes) stay in memory instead of re-reading pages; at
    /// 800,000 residents this took the resident inserts of an import from 4.5 to 3.1 s. SQLite only.
    func prepareBulkWrite(_ db: any SQLDatabase) async throws {
        guard !isPostgres else { return }
        try await db.raw("PRAGMA cache_size = -262144").run()
    }

    /// At the end of the transaction that wrote in bulk: SQLite's default cache again, so the
    /// pooled connection does not keep a quarter of a gigabyte once the pages are committed.
    func finishBulkWrite(_ db: any SQLDatabase) async {
        guard !isPostgres else { return }
        try? await db.raw("PRAGMA cache_size = -2000").run()
    }

    /// Locks rows for the rest of the transaction, in id order so two transactions locking the
    /// same rows cannot deadlock (PostgreSQL). SQLite: nothing to do, a writing transaction
    /// that read stale rows is refused and started again (`writeTransaction`).
    func lockRows(_ db: any SQLDatabase, table: String, ids: [UUID]) async throws {
        guard isPostgres, !ids.isEmpty else { return }
        try await db.select().column("id").from(table).where(
            "id", .in, Set(ids).sorted { $0.uuidString < $1.uuidString }
        )
        .orderBy("id").for(.update).all()
    }

    /// A comma-separated list of a resident's tags as one column, so listings need no second query.
    func residentTagsColumn(residentIDColumn: String) -> any SQLExpression {
        let aggregate = isPostgres ? "string_agg(t.tag, ',')" : "group_concat(t.tag, ',')"
        return SQLRaw("(SELECT \(aggregate) FROM resident_tags t WHERE t.resident_id = \(residentIDColumn))")
    }
}
