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
        let tagNameEn: String
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

    /// Which visits: past their date, due from today to `horizonDays` ahead, or both.
    enum Due: String, Sendable, CaseIterable {
        case overdue, soon
    }

    static let horizonDays = 7

    /// Which plans a query takes: those due (overdue or soon, as `Due` or both), or every plan.
    private enum Window {
        case due(Due?)
        case everyPlan
    }

    /// The one definition of a visit that is due, shared by the to-do list, its counts on the
    /// dashboard, the API and the indicators: a care plan (a tag with a visit interval) on a
    /// person in the viewer's scope, on a tag the viewer may see, whose next visit date is
    /// before today (overdue) or from today to `horizonDays` ahead (soon).
    private func restrict(
        _ q: SQLSelectBuilder, scope: DataScope, viewer: Principal, window: Window, today: Date, tag: String?,
        catalogue: [String: TagCatalogue.Definition]
    ) {
        let todayText = ResidentValidation.isoDay(today)
        let horizon = ResidentValidation.isoDay(today.addingTimeInterval(Double(Self.horizonDays) * 86400))
        let visible = catalogue.values.filter { TagVisibility.canSee(viewer, $0.tagSensitivity) }.map(\.code)
            .filter { tag == nil || $0 == tag }.sorted()
        let column = { (name: String) in SQLColumn(name, table: "t") }
        q.where(column("visit_interval_days"), .isNot, SQLLiteral.null)
            .where(column("next_visit_due"), .isNot, SQLLiteral.null)
            .where(column("tag"), .in, SQLGroupExpression((visible.isEmpty ? [""] : visible).map { SQLBind($0) }))
        switch window {
        case .due(.overdue): q.where(column("next_visit_due"), .lessThan, SQLBind(todayText))
        case .due(.soon):
            q.where(column("next_visit_due"), .greaterThanOrEqual, SQLBind(todayText))
                .where(column("next_visit_due"), .lessThanOrEqual, SQLBind(horizon))
        case .due(nil): q.where(column("next_visit_due"), .lessThanOrEqual, SQLBind(horizon))
        case .everyPlan: break
        }
        q.scoped(scope, on: column("household_code"))
    }

    private var plans: SQLSelectBuilder {
        db.select().from(SQLAlias(SQLIdentifier("resident_tags"), as: SQLIdentifier("t")))
    }

    private struct CountsRow: Decodable {
        let overdue: Int?
        let soon: Int?
    }

    /// How many visits are overdue and how many due soon (the definition above), in one read:
    /// the dashboard's two lines and the list's heading.
    func counts(scope: DataScope, viewer: Principal, today: Date = Date(), tag: String? = nil) async throws
        -> (overdue: Int, soon: Int)
    {
        let todayText = ResidentValidation.isoDay(today)
        let late: SQLQueryString = "SUM(CASE WHEN t.next_visit_due < \(bind: todayText) THEN 1 ELSE 0 END)"
        let soon: SQLQueryString = "SUM(CASE WHEN t.next_visit_due >= \(bind: todayText) THEN 1 ELSE 0 END)"
        let q = plans.column(late, as: "overdue").column(soon, as: "soon")
        restrict(
            q, scope: scope, viewer: viewer, window: .due(nil), today: today, tag: tag,
            catalogue: try await TagCatalogue.byCode(on: db))
        let row = try await q.first(decoding: CountsRow.self)
        return (row?.overdue ?? 0, row?.soon ?? 0)
    }

    /// How many visits are due (overdue, soon or both).
    func count(scope: DataScope, viewer: Principal, due kind: Due?, today: Date = Date(), tag: String? = nil)
        async throws -> Int
    {
        let c = try await counts(scope: scope, viewer: viewer, today: today, tag: tag)
        switch kind {
        case .overdue: return c.overdue
        case .soon: return c.soon
        case nil: return c.overdue + c.soon
        }
    }

    /// The visits that are due (the definition above), most overdue first, at most `limit`.
    func todo(
        scope: DataScope, viewer: Principal, due kind: Due? = nil, today: Date = Date(), limit: Int = 200,
        tag: String? = nil
    ) async throws -> [TodoItem] {
        let todayText = ResidentValidation.isoDay(today)
        let catalogue = try await TagCatalogue.byCode(on: db)
        let q =
            plans
            .columns(
                SQLColumn("resident_id", table: "t"), SQLColumn("name", table: "r"),
                SQLColumn("household_code", table: "t"),
                SQLColumn("tag", table: "t"), SQLColumn("next_visit_due", table: "t"),
                SQLColumn("last_visit_at", table: "t")
            )
            .join(
                SQLAlias(SQLIdentifier("residents"), as: SQLIdentifier("r")), method: SQLJoinMethod.inner,
                on: SQLColumn("id", table: "r"), .equal, SQLColumn("resident_id", table: "t")
            )
        restrict(q, scope: scope, viewer: viewer, window: .due(kind), today: today, tag: tag, catalogue: catalogue)
        let rows = try await q.orderBy(SQLColumn("next_visit_due", table: "t")).limit(limit).all(decoding: Row.self)
        return rows.map { r in
            TodoItem(
                residentId: r.resident_id, name: r.name, householdCode: r.household_code, tag: r.tag,
                tagName: catalogue[r.tag]?.nameZh ?? r.tag, tagNameEn: catalogue[r.tag]?.nameEn ?? r.tag,
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
    func record(
        _ input: VisitInput, residentID: UUID, household: String, by p: Principal,
        photos: [(UUID, NormalizedPhoto)] = [], media: MediaStore? = nil
    ) async throws -> Visit {
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
        // The visit, its photos and the moved due dates commit together or not at all.
        do {
            try await db.transactionally { tx in
                try await CarePlans(db: tx).write(visit, input: input, household: household, by: p)
                if let media {
                    try await PhotoUploads.save(
                        photos, ownerKind: "visit", ownerID: visit.id, stage: "visit", by: p, store: media, db: tx)
                }
            }
        } catch {
            // No photo file stays behind without its visit.
            if let media { PhotoUploads.discard(photos.map(\.0), store: media) }
            throw error
        }
        return visit
    }

    private func write(_ visit: Visit, input: VisitInput, household: String, by p: Principal) async throws {
        let at = visit.visitedAt
        let residentID = visit.residentId
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
        let n: Int
        let overdue: Int?
    }

    /// Plans and overdue visits per child node of `code`, counted by the definition above for
    /// this viewer: the indicators of an area add up to its to-do list.
    func indicators(under code: HierarchyCode, names: [String: String], viewer: Principal, today: Date = Date())
        async throws -> [Indicator]
    {
        guard let child = code.level.child, child != .household else { return [] }
        let key = SQLFunction(
            "substr", args: SQLColumn("household_code", table: "t"), SQLLiteral.numeric("1"),
            SQLLiteral.numeric("\(child.codeLength)"))
        let todayText = ResidentValidation.isoDay(today)
        // Callers check that the viewer may see `code`; its subtree then lies within their scope.
        let late: SQLQueryString = "SUM(CASE WHEN t.next_visit_due < \(bind: todayText) THEN 1 ELSE 0 END)"
        let q = plans.column(key, as: "k").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .column(late, as: "overdue")
        restrict(
            q, scope: .subtree(code), viewer: viewer, window: .everyPlan, today: today, tag: nil,
            catalogue: try await TagCatalogue.byCode(on: db))
        return try await q.groupBy(key).orderBy(key).all(decoding: Grouped.self).map {
            Indicator(code: $0.k, name: names[$0.k] ?? $0.k, plans: $0.n, overdue: $0.overdue ?? 0)
        }
    }
}
