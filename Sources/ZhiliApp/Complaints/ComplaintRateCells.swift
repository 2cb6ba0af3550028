import Fluent
import Foundation
import SQLKit
import ZhiliDomain

/// Pre-counted three-rate numbers per grid, month (Beijing time, by submission) and handler
/// (a department, or "" for the grid's own workers), so a report over a million complaints
/// reads a few thousand small rows instead of every complaint.
///
/// Every write to a complaint marks its (grid, month) cell dirty in the same transaction; a
/// report first recounts the dirty cells of its range from the complaints themselves, with
/// the one definition of the counting rules (`ThreeRates.compute`). A dirty mark carries a
/// version, so a write racing a recount leaves the cell dirty for the next reader.
struct CreateComplaintRateCells: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw(
            """
            CREATE TABLE complaint_rate_cells (grid_code TEXT NOT NULL, month TEXT NOT NULL, handler_key TEXT NOT NULL,
              total INTEGER NOT NULL, dispatched INTEGER NOT NULL, responded_in_time INTEGER NOT NULL, resolved_count INTEGER NOT NULL,
              resolved_in_time INTEGER NOT NULL, rated INTEGER NOT NULL, satisfied INTEGER NOT NULL,
              PRIMARY KEY (grid_code, month, handler_key))
            """
        ).run()
        try await sql.raw(
            """
            CREATE TABLE complaint_rate_dirty (grid_code TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL,
              PRIMARY KEY (grid_code, month))
            """
        ).run()
        // Reports by time, and the inbox sorted by time within a status.
        try await sql.raw("CREATE INDEX complaints_created ON complaints (created_at)").run()
        try await sql.raw("CREATE INDEX complaints_status_created ON complaints (status, created_at)").run()
        try await sql.raw("CREATE INDEX complaints_grid_created ON complaints (grid_code, created_at)").run()
        // Cells for whatever complaints exist already.
        try await ComplaintRateCells(db: sql).markAll()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        for index in ["complaints_created", "complaints_status_created", "complaints_grid_created"] {
            try await sql.raw("DROP INDEX \(unsafeRaw: index)").run()
        }
        try await database.schema("complaint_rate_dirty").delete()
        try await database.schema("complaint_rate_cells").delete()
    }
}

/// The open complaints' deadlines, for the overdue lists (a partial index on both databases).
/// Also: the idempotency key and the submitter are absent on most complaints (history, calls,
/// integrations); indexes over only the rows that have them keep the planner's statistics
/// honest (with a million NULLs counted, SQLite chose a full scan for a key lookup).
struct IndexOpenComplaints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw(
            """
            CREATE INDEX complaints_open_due ON complaints (resolve_by, grid_code) WHERE status IN ('dispatched', 'signed', 'in_progress')
            """
        ).run()
        // A counter bumped whenever cells are recounted: reports cached against it stay exact,
        // across instances too.
        try await sql.raw("CREATE TABLE complaint_rate_meta (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO complaint_rate_meta (id, generation) VALUES (1, 0)").run()
        try await sql.raw("DROP INDEX complaints_idempotency").run()
        try await sql.raw(
            "CREATE UNIQUE INDEX complaints_idempotency ON complaints (idempotency_key) WHERE idempotency_key IS NOT NULL"
        ).run()
        try await sql.raw("DROP INDEX complaints_submitter").run()
        try await sql.raw(
            "CREATE INDEX complaints_submitter ON complaints (submitter_id, created_at) WHERE submitter_id IS NOT NULL"
        ).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("DROP TABLE complaint_rate_meta").run()
        try await sql.raw("DROP INDEX complaints_open_due").run()
        try await sql.raw("DROP INDEX complaints_idempotency").run()
        try await sql.raw("CREATE UNIQUE INDEX complaints_idempotency ON complaints (idempotency_key)").run()
        try await sql.raw("DROP INDEX complaints_submitter").run()
        try await sql.raw("CREATE INDEX complaints_submitter ON complaints (submitter_id, created_at)").run()
    }
}

struct ComplaintRateCells {
    let db: any SQLDatabase
    /// Shared by the requests of one instance, so concurrent reports recount dirty cells once.
    var gate: SingleFlight? = nil

    static let beijing = BeijingMonth.zone

    /// "2026-11" in Beijing time.
    static func month(of date: Date) -> String { BeijingMonth.month(of: date) }

    /// The instant a Beijing month starts, and the next month's start.
    static func bounds(of month: String) -> (Date, Date)? { BeijingMonth.bounds(of: month) }

    /// Marks the cell of a complaint dirty; call inside the transaction that changes it.
    func touch(grid: String, createdAt: Date) async throws {
        try await touch(grid: grid, month: Self.month(of: createdAt), changes: 1)
    }

    /// Marks a cell dirty for `changes` complaints at once (the intake's batches).
    func touch(grid: String, month: String, changes: Int) async throws {
        try await db.raw(
            """
            INSERT INTO complaint_rate_dirty (grid_code, month, version) VALUES (\(bind: grid), \(bind: month), \(bind: changes))
            ON CONFLICT (grid_code, month) DO UPDATE SET version = complaint_rate_dirty.version + \(bind: changes)
            """
        ).run()
    }

    /// Marks every (grid, month) that has complaints dirty: after a bulk load or a migration.
    func markAll() async throws {
        struct Row: Decodable {
            let grid_code: String
            let created_at: Date
        }
        // Months are computed here (Beijing time) rather than in SQL, the same way on both databases.
        var seen = Set<String>()
        var cells: [(String, String)] = []
        struct GridRow: Decodable { let grid_code: String }
        let grids = try await db.select().distinct().column("grid_code").from("complaints").all(decoding: GridRow.self)
        for g in grids {
            struct Range: Decodable {
                let lo: Date?
                let hi: Date?
            }
            guard
                let r = try await db.select().column(SQLFunction("MIN", args: SQLColumn("created_at")), as: "lo")
                    .column(SQLFunction("MAX", args: SQLColumn("created_at")), as: "hi").from("complaints").where(
                        "grid_code", .equal, g.grid_code
                    )
                    .first(decoding: Range.self), var at = r.lo, let hi = r.hi
            else { continue }
            while true {
                let m = Self.month(of: at)
                if seen.insert(g.grid_code + m).inserted { cells.append((g.grid_code, m)) }
                guard let (_, next) = Self.bounds(of: m), next <= hi else { break }
                at = next
            }
        }
        try await db.raw("DELETE FROM complaint_rate_dirty").run()
        for chunk in stride(from: 0, to: cells.count, by: 500) {
            let insert = db.insert(into: "complaint_rate_dirty").columns("grid_code", "month", "version")
            for (g, m) in cells[chunk..<min(chunk + 500, cells.count)] {
                insert.values(SQLBind(g), SQLBind(m), SQLBind(1))
            }
            try await insert.run()
        }
    }

    private struct DirtyRow: Decodable {
        let grid_code: String
        let month: String
        let version: Int
    }

    private struct InputRow: Decodable {
        let status: String
        let dispatched_at: Date?
        let signed_at: Date?
        let sign_by: Date?
        let rating: Int?
        let resolved_at: Date?
        let resolve_by: Date?
        let reopened: Int
        let handler_department: String?
    }

    /// Recounts the dirty cells under `range` (all when nil). Returns how many it recounted.
    @discardableResult
    func refresh(range: (lower: String, upper: String)?) async throws -> Int {
        let q = db.select().columns("grid_code", "month", "version").from("complaint_rate_dirty")
        if let range {
            q.where("grid_code", .greaterThanOrEqual, range.lower).where("grid_code", .lessThan, range.upper)
        }
        let dirty = try await q.limit(20_000).all(decoding: DirtyRow.self)
        for d in dirty { try await recount(d) }
        if !dirty.isEmpty {
            try await db.raw("UPDATE complaint_rate_meta SET generation = generation + 1 WHERE id = 1").run()
        }
        return dirty.count
    }

    /// Recounts what is dirty: once for all concurrent callers when a gate is given.
    func refreshShared() async throws {
        if let gate {
            let cells = self
            try await gate.run { try await cells.refresh(range: nil) }
        } else {
            try await refresh(range: nil)
        }
    }

    /// Changes whenever any cell is recounted (by any instance).
    func generation() async throws -> Int {
        struct Row: Decodable { let generation: Int }
        return try await db.select().column("generation").from("complaint_rate_meta").where("id", .equal, 1).first(
            decoding: Row.self)?.generation ?? 0
    }

    private func recount(_ d: DirtyRow) async throws {
        guard let (start, end) = Self.bounds(of: d.month) else {
            try await db.delete(from: "complaint_rate_dirty").where("grid_code", .equal, d.grid_code).where(
                "month", .equal, d.month
            ).run()
            return
        }
        let rows = try await db.select()
            .columns(
                "status", "dispatched_at", "signed_at", "sign_by", "rating", "resolved_at", "resolve_by", "reopened",
                "handler_department"
            )
            .from("complaints").where("grid_code", .equal, d.grid_code)
            .where("created_at", .greaterThanOrEqual, start).where("created_at", .lessThan, end)
            .all(decoding: InputRow.self)
        var byHandler: [String: [RateInput]] = [:]
        for r in rows {
            byHandler[r.handler_department ?? "", default: []].append(
                RateInput(
                    dispatchedAt: r.dispatched_at, signedAt: r.signed_at, signBy: r.sign_by,
                    status: ComplaintStatus(rawValue: r.status) ?? .submitted,
                    rating: r.rating, resolvedAt: r.resolved_at, resolveBy: r.resolve_by, reopened: r.reopened > 0))
        }
        let grid = d.grid_code
        let month = d.month
        let version = d.version
        let counted = byHandler.map { (key: $0.key, total: $0.value.count, rates: ThreeRates.compute($0.value)) }
        try await db.transactionally { tx in
            try await tx.delete(from: "complaint_rate_cells").where("grid_code", .equal, grid).where(
                "month", .equal, month
            ).run()
            if !counted.isEmpty {
                let insert = tx.insert(into: "complaint_rate_cells").columns(
                    "grid_code", "month", "handler_key", "total", "dispatched", "responded_in_time",
                    "resolved_count", "resolved_in_time", "rated", "satisfied")
                for (key, total, r) in counted {
                    insert.values(
                        SQLBind(grid), SQLBind(month), SQLBind(key), SQLBind(total), SQLBind(r.dispatched),
                        SQLBind(r.respondedInTime),
                        SQLBind(r.resolvedCount), SQLBind(r.resolvedInTimeNotReopened), SQLBind(r.rated),
                        SQLBind(r.satisfied))
                }
                try await insert.run()
            }
            try await tx.delete(from: "complaint_rate_dirty").where("grid_code", .equal, grid).where(
                "month", .equal, month
            )
            .where("version", .equal, version).run()
        }
    }

    struct Cell: Decodable, Sendable {
        let grid_code: String
        let month: String
        let handler_key: String
        let total: Int
        let dispatched: Int
        let responded_in_time: Int
        let resolved_count: Int
        let resolved_in_time: Int
        let rated: Int
        let satisfied: Int

        var rates: ThreeRates {
            ThreeRates(
                dispatched: dispatched, respondedInTime: responded_in_time, resolvedCount: resolved_count,
                resolvedInTimeNotReopened: resolved_in_time, rated: rated, satisfied: satisfied)
        }
    }

    /// Fresh cells under a code range, between two months (inclusive, "YYYY-MM"), added up in the
    /// database by the first `prefix` digits of the grid code (the child node), handler and
    /// month: a city-wide report reads a few hundred sums, not every cell.
    func sums(
        range: (lower: String, upper: String), prefix: Int, fromMonth: String?, toMonth: String?,
        refreshed: Bool = false
    ) async throws -> [Cell] {
        if !refreshed { try await refreshShared() }
        var filter = SQLQueryString("grid_code >= \(bind: range.lower) AND grid_code < \(bind: range.upper)")
        if let fromMonth {
            filter.appendInterpolation(unsafeRaw: " AND month >= ")
            filter.appendInterpolation(bind: fromMonth)
        }
        if let toMonth {
            filter.appendInterpolation(unsafeRaw: " AND month <= ")
            filter.appendInterpolation(bind: toMonth)
        }
        let n = max(1, min(prefix, 15))
        return try await db.raw(
            """
            SELECT substr(grid_code, 1, \(unsafeRaw: String(n))) AS grid_code, handler_key, month, SUM(total) AS total, SUM(dispatched) AS dispatched,
              SUM(responded_in_time) AS responded_in_time, SUM(resolved_count) AS resolved_count, SUM(resolved_in_time) AS resolved_in_time,
              SUM(rated) AS rated, SUM(satisfied) AS satisfied
            FROM complaint_rate_cells WHERE \(filter) GROUP BY 1, 2, 3
            """
        ).all(decoding: Cell.self)
    }
}
