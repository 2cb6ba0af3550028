import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Care plans on tagged people: a visit frequency per tag, visits recorded by grid workers
/// and paired helpers, and warnings when a visit is overdue.
struct CarePlans {
    let db: any SQLDatabase

    struct TodoItem: Content, Sendable {
        let residentId: UUID
        let name: String
        let householdCode: String
        let tag: String
        let tagName: String
        let nextVisitDue: String
        let lastVisitAt: Date?
        let overdueDays: Int
    }

    private struct Row: Decodable {
        let resident_id: UUID
        let name: String
        let household_code: String
        let tag: String
        let next_visit_due: String
        let last_visit_at: Date?
    }

    /// Visits due within `horizonDays` (and all overdue ones), most overdue first.
    func todo(scope: DataScope, viewer: Principal, today: Date = Date(), horizonDays: Int = 7, limit: Int = 200)
        async throws -> [TodoItem]
    {
        let todayText = ResidentValidation.isoDay(today)
        let horizon = ResidentValidation.isoDay(today.addingTimeInterval(Double(horizonDays) * 86400))
        let q = db.select()
            .columns(
                SQLColumn("resident_id", table: "t"), SQLColumn("name", table: "r"),
                SQLColumn("household_code", table: "t"),
                SQLColumn("tag", table: "t"), SQLColumn("next_visit_due", table: "t"),
                SQLColumn("last_visit_at", table: "t")
            )
            .from(SQLAlias(SQLIdentifier("resident_tags"), as: SQLIdentifier("t")))
            .join(
                SQLAlias(SQLIdentifier("residents"), as: SQLIdentifier("r")), method: SQLJoinMethod.inner,
                on: SQLColumn("id", table: "r"), .equal, SQLColumn("resident_id", table: "t")
            )
            .where(SQLColumn("next_visit_due", table: "t"), .lessThanOrEqual, SQLBind(horizon))
        q.scoped(scope, on: SQLColumn("household_code", table: "t"))
        let rows = try await q.orderBy(SQLColumn("next_visit_due", table: "t")).limit(limit).all(decoding: Row.self)
        let catalogue = try await TagCatalogue.byCode(on: db)
        return rows.compactMap { r in
            guard let def = catalogue[r.tag], TagVisibility.canSee(viewer, def.tagSensitivity) else { return nil }
            return TodoItem(
                residentId: r.resident_id, name: r.name, householdCode: r.household_code, tag: r.tag,
                tagName: def.nameZh,
                nextVisitDue: r.next_visit_due, lastVisitAt: r.last_visit_at,
                overdueDays: Self.days(from: r.next_visit_due, to: todayText))
        }
    }

    static func days(from a: String, to b: String) -> Int {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        guard let da = f.date(from: a), let db = f.date(from: b) else { return 0 }
        return max(0, Int((db.timeIntervalSince(da) / 86400).rounded()))
    }

    struct VisitInput: Content, Sendable {
        var tag: String?
        var notes: String?
        /// ISO 8601; an impossible date is a 422 naming the field.
        var visitedAt: String?
        var lat: Double?
        var lon: Double?
    }

    struct Visit: Content, Sendable {
        let id: UUID
        let residentId: UUID
        let tag: String?
        let visitedAt: Date
        let visitorName: String?
        let notes: String?
        let lat: Double?
        let lon: Double?
    }

    private struct IntervalRow: Decodable {
        let tag: String
        let visit_interval_days: Int?
    }

    /// Records a visit and moves the next due date of the visited tag (or of all the person's tags).
    func record(_ input: VisitInput, residentID: UUID, household: String, by p: Principal) async throws -> Visit {
        let at = try QueryValue.instant(input.visitedAt, field: "visitedAt") ?? Date()
        guard at <= Date().addingTimeInterval(3600) else {
            throw AppError.invalid("visitedAt", zh: "走访时间不能晚于现在", en: "A visit cannot be in the future")
        }
        if (input.lat == nil) != (input.lon == nil) {
            throw AppError.invalid(input.lat == nil ? "lat" : "lon", zh: "经度和纬度须同时提供", en: "Give both lat and lon")
        }
        if let lat = input.lat, let lon = input.lon, !((-90...90).contains(lat) && (-180...180).contains(lon)) {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        if (input.notes?.count ?? 0) > 2000 { throw AppError.invalid("notes", zh: "走访记录过长", en: "Notes too long") }
        let visit = Visit(
            id: UUID(), residentId: residentID, tag: input.tag, visitedAt: at, visitorName: p.displayName,
            notes: ResidentValidation.clean(input.notes), lat: input.lat, lon: input.lon)
        try await db.insert(into: "visits")
            .columns(
                "id", "resident_id", "household_code", "tag", "visited_at", "visitor_id", "visitor_name", "notes",
                "photo", "lat", "lon"
            )
            .values(
                SQLBind(visit.id), SQLBind(residentID), SQLBind(household), SQLBind(input.tag), SQLBind(at),
                SQLBind(p.userID),
                SQLBind(p.displayName), SQLBind(visit.notes), SQLBind(Optional<String>.none), SQLBind(input.lat),
                SQLBind(input.lon)
            )
            .run()
        let q = db.select().columns("tag", "visit_interval_days").from("resident_tags").where(
            "resident_id", .equal, residentID)
        if let tag = input.tag { q.where("tag", .equal, tag) }
        for row in try await q.all(decoding: IntervalRow.self) {
            let due = row.visit_interval_days.map {
                ResidentValidation.isoDay(at.addingTimeInterval(Double($0) * 86400))
            }
            try await db.update("resident_tags").set("last_visit_at", to: at).set("next_visit_due", to: due)
                .where("resident_id", .equal, residentID).where("tag", .equal, row.tag).run()
        }
        return visit
    }

    func visits(of residentID: UUID, limit: Int = 20) async throws -> [Visit] {
        try await db.select().columns("id", "resident_id", "tag", "visited_at", "visitor_name", "notes", "lat", "lon")
            .from("visits")
            .where("resident_id", .equal, residentID).orderBy("visited_at", .descending).limit(limit)
            .all(decoding: Visit.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    struct Indicator: Content, Sendable {
        let code: String
        let name: String
        let plans: Int
        let overdue: Int
    }
    private struct Grouped: Decodable {
        let k: String
        let plans: Int
        let overdue: Int
    }

    /// Plans and overdue visits per child node of `code`.
    func indicators(under code: HierarchyCode, names: [String: String], today: Date = Date()) async throws
        -> [Indicator]
    {
        guard let child = code.level.child, child != .household else { return [] }
        let len = child.codeLength
        let rows = try await db.raw(
            """
            SELECT substr(household_code, 1, \(literal: len)) AS k, COUNT(*) AS plans,
                   SUM(CASE WHEN next_visit_due < \(bind: ResidentValidation.isoDay(today)) THEN 1 ELSE 0 END) AS overdue
            FROM resident_tags WHERE visit_interval_days IS NOT NULL
              AND household_code >= \(bind: code.value) AND household_code < \(bind: code.rangeUpperBound)
            GROUP BY substr(household_code, 1, \(literal: len)) ORDER BY 1
            """
        ).all(decoding: Grouped.self)
        return rows.map { Indicator(code: $0.k, name: names[$0.k] ?? $0.k, plans: $0.plans, overdue: $0.overdue) }
    }
}
