import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// 情: theme dictionaries (configurable), counts of complaints per grid, month and theme, and
/// the trends and hot spots drawn from them. Counts are added by the intake in the
/// submission's transaction and recounted from all complaint texts when a dictionary changes.
struct CreateComplaintThemes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("complaint_themes")
            .field("code", .string, .identifier(auto: false))
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("keywords", .string, .required)
            .field("position", .int, .required)
            .create()
        let sql = try database.sql
        try await sql.raw(
            """
            CREATE TABLE complaint_theme_counts (grid_code TEXT NOT NULL, month TEXT NOT NULL, theme TEXT NOT NULL, count INTEGER NOT NULL,
              PRIMARY KEY (grid_code, month, theme))
            """
        ).run()
        let insert = sql.insert(into: "complaint_themes").columns("code", "name_zh", "name_en", "keywords", "position")
        for (i, t) in ComplaintTheme.defaults.enumerated() {
            insert.values(
                SQLBind(t.code), SQLBind(t.nameZh), SQLBind(t.nameEn), SQLBind(t.keywords.joined(separator: ",")),
                SQLBind(i))
        }
        try await insert.run()
        try await ComplaintThemes(db: sql).recount()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("complaint_theme_counts").delete()
        try await database.schema("complaint_themes").delete()
    }
}

struct ComplaintThemes {
    let db: any SQLDatabase

    private struct Row: Decodable {
        let code: String
        let name_zh: String
        let name_en: String
        let keywords: String
    }

    func all() async throws -> [ComplaintTheme] {
        try await db.select().columns("code", "name_zh", "name_en", "keywords").from("complaint_themes").orderBy(
            "position"
        ).orderBy("code")
            .all(decoding: Row.self)
            .map {
                ComplaintTheme(
                    code: $0.code, nameZh: $0.name_zh, nameEn: $0.name_en,
                    keywords: $0.keywords.split(separator: ",").map(String.init))
            }
    }

    /// Recounts every complaint's themes from its text: after a dictionary changes or a bulk load.
    func recount() async throws {
        let matcher = ThemeMatcher(try await all())
        struct C: Decodable {
            let id: UUID
            let text: String
            let grid_code: String
            let created_at: Date
        }
        var counts: [String: Int] = [:]  // "grid|month|theme"
        var after: UUID?
        while true {
            let q = db.select().columns("id", "text", "grid_code", "created_at").from("complaints").orderBy("id").limit(
                20_000)
            if let after { q.where("id", .greaterThan, after) }
            let page = try await q.all(decoding: C.self)
            guard let last = page.last else { break }
            for c in page {
                let month = ComplaintRateCells.month(of: c.created_at)
                for theme in matcher.themes(of: c.text) { counts["\(c.grid_code)|\(month)|\(theme)", default: 0] += 1 }
            }
            after = last.id
        }
        let rows = counts.map { (key, n) -> (String, String, String, Int) in
            let parts = key.split(separator: "|").map(String.init)
            return (parts[0], parts[1], parts[2], n)
        }
        try await db.transactionally { tx in
            try await tx.delete(from: "complaint_theme_counts").run()
            for chunk in stride(from: 0, to: rows.count, by: 500) {
                let insert = tx.insert(into: "complaint_theme_counts").columns("grid_code", "month", "theme", "count")
                for r in rows[chunk..<min(chunk + 500, rows.count)] {
                    insert.values(SQLBind(r.0), SQLBind(r.1), SQLBind(r.2), SQLBind(r.3))
                }
                try await insert.run()
            }
        }
    }

    // MARK: trends

    struct ThemeCount: Content, Sendable {
        let code: String
        let name: String
        let count: Int
    }
    struct MonthLine: Content, Sendable {
        let month: String
        let complaints: Int
        let themes: [String: Int]
    }
    struct HotSpot: Content, Sendable {
        let code: String
        let name: String
        let thisMonth: Int
        let lastMonth: Int
        /// Last month's count up to the same point of the month (pro rata) while `toMonth` is
        /// still running; the whole of last month otherwise. `change` is measured against it.
        let lastMonthSoFar: Int
        let change: Int
        let topTheme: String?
    }
    struct Trends: Content, Sendable {
        let code: String
        let fromMonth: String
        let toMonth: String
        let themes: [ThemeCount]
        let months: [MonthLine]
        let hotSpots: [HotSpot]
    }

    private struct CountRow: Decodable {
        let grid_code: String
        let month: String
        let theme: String
        let count: Int
    }

    /// Themes and complaints by month under a node, and the grids whose complaints rose most
    /// from the month before `toMonth` to `toMonth` (hot spots).
    func trends(
        under code: HierarchyCode, fromMonth: String, toMonth: String, gridNames: [String: String],
        gate: SingleFlight? = nil, now: Date = Date()
    ) async throws -> Trends {
        let range = (code.value, code.rangeUpperBound)
        let themes = try await all()
        let counts = try await db.select().columns("grid_code", "month", "theme", "count").from(
            "complaint_theme_counts"
        )
        .where("grid_code", .greaterThanOrEqual, range.0).where("grid_code", .lessThan, range.1)
        .where("month", .greaterThanOrEqual, fromMonth).where("month", .lessThanOrEqual, toMonth)
        .all(decoding: CountRow.self)
        let previous = Self.month(before: toMonth)
        let cells = try await ComplaintRateCells(db: db, gate: gate).sums(
            range: range, prefix: 15, fromMonth: min(fromMonth, previous), toMonth: toMonth)
        var byTheme: [String: Int] = [:]
        var byMonth: [String: [String: Int]] = [:]
        var totals: [String: Int] = [:]
        for c in counts {
            byTheme[c.theme, default: 0] += c.count
            byMonth[c.month, default: [:]][c.theme, default: 0] += c.count
        }
        var gridNow: [String: Int] = [:]
        var gridBefore: [String: Int] = [:]
        for c in cells {
            if c.month >= fromMonth { totals[c.month, default: 0] += c.total }
            if c.month == toMonth { gridNow[c.grid_code, default: 0] += c.total }
            if c.month == previous { gridBefore[c.grid_code, default: 0] += c.total }
        }
        var topTheme: [String: (String, Int)] = [:]
        for c in counts where c.month == toMonth {
            if c.count > topTheme[c.grid_code]?.1 ?? 0 { topTheme[c.grid_code] = (c.theme, c.count) }
        }
        let names = Dictionary(uniqueKeysWithValues: themes.map { ($0.code, $0.nameZh) })
        // A month still running is compared with the same share of last month, not all of it.
        let share = Self.elapsedShare(of: toMonth, now: now)
        let hot = Set(gridNow.keys).union(gridBefore.keys).map { g in
            let soFar = Int((Double(gridBefore[g] ?? 0) * share).rounded())
            return HotSpot(
                code: g, name: gridNames[g] ?? g, thisMonth: gridNow[g] ?? 0, lastMonth: gridBefore[g] ?? 0,
                lastMonthSoFar: soFar, change: (gridNow[g] ?? 0) - soFar,
                topTheme: topTheme[g].flatMap { names[$0.0] })
        }
        .sorted { ($0.thisMonth, $0.change, $1.code) > ($1.thisMonth, $1.change, $0.code) }
        let months = Self.months(from: fromMonth, to: toMonth).map {
            MonthLine(month: $0, complaints: totals[$0] ?? 0, themes: byMonth[$0] ?? [:])
        }
        return Trends(
            code: code.value, fromMonth: fromMonth, toMonth: toMonth,
            themes: themes.map { ThemeCount(code: $0.code, name: $0.nameZh, count: byTheme[$0.code] ?? 0) }.sorted {
                $0.count > $1.count
            },
            months: months, hotSpots: Array(hot.prefix(10)))
    }

    /// How much of a Beijing month has passed at `now`: 1 for a month that is over, 0 for one
    /// that has not begun.
    static func elapsedShare(of month: String, now: Date) -> Double {
        guard let (start, end) = ComplaintRateCells.bounds(of: month) else { return 1 }
        if now >= end { return 1 }
        if now <= start { return 0 }
        return now.timeIntervalSince(start) / end.timeIntervalSince(start)
    }

    static func month(before month: String) -> String {
        guard let (start, _) = ComplaintRateCells.bounds(of: month) else { return month }
        return ComplaintRateCells.month(of: start.addingTimeInterval(-86_400))
    }

    /// Every month from `from` to `to`, inclusive (at most 36).
    static func months(from: String, to: String) -> [String] {
        var out: [String] = []
        var m = from
        while m <= to, out.count < 36, let (_, next) = ComplaintRateCells.bounds(of: m) {
            out.append(m)
            m = ComplaintRateCells.month(of: next)
        }
        return out
    }

    /// The last twelve months, ending with the current one.
    static func lastYear(now: Date = Date()) -> (String, String) {
        let to = ComplaintRateCells.month(of: now)
        var from = to
        for _ in 0..<11 { from = month(before: from) }
        return (from, to)
    }
}
