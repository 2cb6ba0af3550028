import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The service catalogue and the dispatch suggestion through the API.
enum VolunteerRoutes {
    static let tag = "志愿服务 Volunteers"

    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("service-items", use: items)
        api.get("volunteers", "suggest", use: suggest)
    }

    struct Catalogue: Content {
        struct Category: Content {
            let code: String
            let name: String
        }
        let categories: [Category]
        let items: [ServiceItem]
    }

    @Sendable static func items(req: Request) async throws -> Catalogue {
        _ = try req.requirePrincipal()
        return Catalogue(
            categories: ServiceCatalogue.categories.map { .init(code: $0.code, name: $0.name) },
            items: ServiceCatalogue.items)
    }

    struct Suggestion: Content {
        struct Factor: Content {
            let factor: String
            let value: Double
            let points: Double
        }
        struct Candidate: Content {
            let volunteerID: UUID
            let name: String
            let grid: String
            let skills: [String]
            let score: Double
            let factors: [Factor]
        }
        let item: ServiceItem
        let household: String
        let at: Date
        /// How many volunteers were weighed (those of the viewer's area in the household's street).
        let considered: Int
        let weights: DispatchWeights
        let candidates: [Candidate]
    }

    private struct Row: Decodable {
        let id: UUID
        let household_code: String
        let skills: String
        let availability: Int
        let rating_sum: Int
        let rating_count: Int
        let name: String
    }

    private struct Place: Decodable {
        let code: String
        let lat: Double?
        let lon: Double?
    }

    /// Who to send for a service at a household (`?item=&household=`, optionally `at`, `limit`):
    /// the volunteers of the viewer's area who live in the household's street, ranked, each
    /// with what every factor added.
    @Sendable static func suggest(req: Request) async throws -> Suggestion {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        struct Q: Decodable {
            var item: String?
            var household: String?
            var at: String?
            var limit: Int?
        }
        let q = try req.query.decode(Q.self)
        guard let code = q.item, let item = ServiceCatalogue.item(code) else {
            throw AppError.invalid("item", zh: "没有这个服务项目", en: "No such service item")
        }
        guard let household = q.household, let hc = try? HierarchyCode(validating: household), hc.level == .household
        else {
            throw AppError.invalid(
                "household", zh: "请提供户编码（27 位）", en: "household must be a household code (27 digits)")
        }
        guard p.scope.allows(code: household) else { throw AppError.forbidden }
        let at = try QueryValue.instant(q.at, field: "at") ?? Date()
        let limit = try QueryValue.int(q.limit, default: 10, in: 1...50, field: "limit")
        let suggestion = try await compute(
            item: item, household: household, at: at, limit: limit, for: p, on: req.readSQL)
        await req.audit.record(
            action: "read_volunteers", entity: "household", entityID: household,
            detail: "\(suggestion.candidates.count)")
        return suggestion
    }

    /// The ranking for a household the viewer may see (checked by the caller).
    static func compute(
        item: ServiceItem, household: String, at: Date, limit: Int, for p: Principal, on db: any SQLDatabase
    ) async throws -> Suggestion {
        let street = String(household.prefix(NodeLevel.street.codeLength))
        let rows = try await db.select()
            .column(SQLColumn("id", table: "volunteers")).column(SQLColumn("household_code", table: "volunteers"))
            .column(SQLColumn("skills", table: "volunteers")).column(SQLColumn("availability", table: "volunteers"))
            .column(SQLColumn("rating_sum", table: "volunteers")).column(SQLColumn("rating_count", table: "volunteers"))
            .column(SQLColumn("name", table: "residents"))
            .from("volunteers")
            .join(
                "residents", on: SQLColumn("resident_id", table: "volunteers"), .equal,
                SQLColumn("id", table: "residents")
            )
            .where(SQLColumn("status", table: "volunteers"), .equal, SQLBind("approved"))
            .where(SQLColumn("household_code", table: "volunteers"), .greaterThanOrEqual, SQLBind(street))
            .where(SQLColumn("household_code", table: "volunteers"), .lessThan, SQLBind(street + ":"))
            .scoped(p.scope, on: SQLColumn("household_code", table: "volunteers"))
            .orderBy(SQLColumn("id", table: "volunteers"))
            .all(decoding: Row.self)
        // Homes are placed at their building (a household has no position of its own).
        let buildingOf = { (h: String) in String(h.prefix(NodeLevel.building.codeLength)) }
        let buildings = Set(rows.map { buildingOf($0.household_code) } + [buildingOf(household)])
        var position: [String: GeoPoint] = [:]
        for chunk in stride(from: 0, to: buildings.count, by: 500).map({
            Array(Array(buildings)[$0..<min($0 + 500, buildings.count)])
        }) {
            for place in try await db.select().columns("code", "lat", "lon").from("nodes").where("code", .in, chunk)
                .all(decoding: Place.self)
            {
                if let lat = place.lat, let lon = place.lon { position[place.code] = GeoPoint(lat: lat, lon: lon) }
            }
        }
        let candidates = rows.map { r in
            DispatchCandidate(
                id: r.id, homeGrid: String(r.household_code.prefix(NodeLevel.grid.codeLength)),
                skills: Set(r.skills.split(separator: ",").map(String.init)),
                home: position[buildingOf(r.household_code)],
                openOrders: 0, availability: WeeklyAvailability(bits: r.availability), ratingSum: r.rating_sum,
                ratingCount: r.rating_count)
        }
        let request = DispatchRequest(
            grid: String(household.prefix(NodeLevel.grid.codeLength)), skill: item.skill,
            place: position[buildingOf(household)], at: at)
        let ranked = DispatchRanking.rank(candidates, for: request, limit: limit)
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return Suggestion(
            item: item, household: household, at: at, considered: candidates.count, weights: .standard,
            candidates: ranked.compactMap { r in
                guard let row = byID[r.id] else { return nil }
                return Suggestion.Candidate(
                    volunteerID: r.id, name: row.name,
                    grid: String(row.household_code.prefix(NodeLevel.grid.codeLength)),
                    skills: row.skills.split(separator: ",").map(String.init), score: r.score,
                    factors: r.contributions.map {
                        .init(factor: $0.factor.rawValue, value: $0.value, points: $0.points)
                    })
            })
    }

    static let serviceItem = Schema.object(
        [
            ("code", Schema.string), ("category", Schema.string), ("name", Schema.string), ("skill", Schema.string),
            ("minutes", Schema.integer),
        ], required: ["code", "category", "name", "skill", "minutes"])

    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/service-items", tag: tag,
            summary: "The service catalogue: categories and the items residents order (服务清单)",
            success: (
                200,
                Schema.object(
                    [
                        (
                            "categories",
                            Schema.array(Schema.object([("code", Schema.string), ("name", Schema.string)]))
                        ),
                        ("items", Schema.array(serviceItem)),
                    ], required: ["categories", "items"]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/volunteers/suggest", tag: tag,
            summary:
                "Volunteers to send for a service at a household, ranked by grid, skill, distance, load, availability and rating, with each factor's points (智能派单建议)",
            params: [
                .query("item", Schema.string, "Service item code, e.g. repair.04", required: true),
                .query("household", Schema.code, "Household code (27 digits)", required: true),
                .query("at", Schema.dateTime, "When the service is wanted (default now)"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 50], "At most (default 10)"),
            ],
            success: (200, Schema.ref("DispatchSuggestion"), "application/json")),
    ]

    static let schemas: [(String, JSONValue)] = [
        (
            "DispatchSuggestion",
            Schema.object(
                [
                    ("item", serviceItem), ("household", Schema.string), ("at", Schema.dateTime),
                    ("considered", Schema.integer), ("weights", ["type": "object"]),
                    (
                        "candidates",
                        Schema.array(
                            Schema.object([
                                ("volunteerID", Schema.uuid), ("name", Schema.string), ("grid", Schema.string),
                                ("skills", Schema.array(Schema.string)), ("score", Schema.number),
                                (
                                    "factors",
                                    Schema.array(
                                        Schema.object([
                                            ("factor", Schema.string), ("value", Schema.number),
                                            ("points", Schema.number),
                                        ]))
                                ),
                            ]))
                    ),
                ], required: ["item", "household", "at", "considered", "weights", "candidates"])
        )
    ]
}
