import SQLKit
import Vapor
import ZhiliDomain

/// Places and things (地、物): search by kind, area and distance; one place's record.
enum PlaceRoutes {
    /// 10–20,000 m as documented; 1,000 m when not given.
    static func radiusMetres(_ raw: Double?) throws -> Double {
        guard let raw else { return 1000 }
        guard (10...20_000).contains(raw) else {
            throw AppError.invalid("radius", zh: "半径应在 10–20000 米之间", en: "radius must be 10–20000 metres")
        }
        return raw
    }

    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("places", use: search)
        api.get("places", ":id", use: place)
    }

    struct PlaceDTO: Content, Sendable {
        let id: UUID
        let code: String?
        let kind: String
        let kindName: String
        let name: String
        let nodeCode: String
        let lat: Double
        let lon: Double
        let address: String?
        let contactName: String?
        let distanceMeters: Double?
    }

    private struct Row: Decodable {
        let id: UUID
        let code: String?
        let kind: String
        let name: String
        let node_code: String
        let lat: Double
        let lon: Double
        let address: String?
        let contact_name: String?
    }

    struct Query: Content {
        var kind: String?
        var under: String?
        var lat: Double?
        var lon: Double?
        var radius: Double?
        var limit: Int?
    }

    /// Staff see places in their area; other accounts see public geography (places are not personal data).
    static func scope(_ p: Principal) -> DataScope {
        switch p.scope {
        case .subtree: p.scope
        default: .everything
        }
    }

    @Sendable static func search(req: Request) async throws -> [PlaceDTO] {
        let p = try req.requirePrincipal()
        let q = try req.query.decode(Query.self)
        _ = try radiusMetres(q.radius)
        let limit = try QueryValue.int(q.limit, default: 50, in: 1...500, field: "limit")
        let select = try req.sql.select().columns(
            "id", "code", "kind", "name", "node_code", "lat", "lon", "address", "contact_name"
        ).from("places")
            .scoped(scope(p), column: "node_code")
        if let kind = q.kind, !kind.isEmpty {
            guard let key = PlaceKinds.resolve(kind) else {
                throw AppError.invalid("kind", zh: "类别“\(kind)”无效", en: "Unknown kind '\(kind)'")
            }
            select.where("kind", .equal, key)
        }
        if let raw = q.under {
            let code = try parseCode(raw, field: "under")
            select.where("node_code", .greaterThanOrEqual, code.value).where(
                "node_code", .lessThan, code.rangeUpperBound)
        }
        var centre: GeoPoint?
        if let lat = q.lat, let lon = q.lon {
            guard (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
            }
            let radius = try radiusMetres(q.radius)
            // A bounding box first (index-friendly), exact distance after.
            let dLat = radius / 111_320
            let dLon = radius / (111_320 * max(cos(lat * .pi / 180), 0.01))
            select.where("lat", .greaterThanOrEqual, lat - dLat).where("lat", .lessThanOrEqual, lat + dLat)
                .where("lon", .greaterThanOrEqual, lon - dLon).where("lon", .lessThanOrEqual, lon + dLon)
            centre = GeoPoint(lat: lat, lon: lon)
        } else if q.lat != nil || q.lon != nil {
            throw AppError.invalid(q.lat == nil ? "lat" : "lon", zh: "经度和纬度须同时提供", en: "Give both lat and lon")
        }
        let rows = try await select.limit(centre == nil ? limit : 5000).all(decoding: Row.self)
        var dtos = rows.map { r in
            PlaceDTO(
                id: r.id, code: r.code, kind: r.kind, kindName: PlaceKinds.nameZh(r.kind), name: r.name,
                nodeCode: r.node_code,
                lat: r.lat, lon: r.lon, address: r.address, contactName: r.contact_name,
                distanceMeters: centre.map {
                    (distanceMeters($0, GeoPoint(lat: r.lat, lon: r.lon)) * 10).rounded() / 10
                })
        }
        if let centre {
            let radius = try radiusMetres(q.radius)
            _ = centre
            dtos = Array(
                dtos.filter { ($0.distanceMeters ?? 0) <= radius }.sorted {
                    ($0.distanceMeters ?? 0) < ($1.distanceMeters ?? 0)
                }.prefix(limit))
        }
        return dtos
    }

    @Sendable static func place(req: Request) async throws -> PlaceDTO {
        let p = try req.requirePrincipal()
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        guard
            let r = try await req.sql.select().columns(
                "id", "code", "kind", "name", "node_code", "lat", "lon", "address", "contact_name"
            )
            .from("places").where("id", .equal, id).first(decoding: Row.self)
        else { throw AppError.notFound("Place", zhWhat: "场所") }
        guard scope(p).allows(code: r.node_code) else { throw AppError.forbidden }
        return PlaceDTO(
            id: r.id, code: r.code, kind: r.kind, kindName: PlaceKinds.nameZh(r.kind), name: r.name,
            nodeCode: r.node_code,
            lat: r.lat, lon: r.lon, address: r.address, contactName: r.contact_name, distanceMeters: nil)
    }
}

enum PlacesAPI {
    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/places", tag: "地物 Places",
            summary: "Places and facilities by kind, area and distance (场所设施检索)",
            params: [
                .query("kind", Schema.string, "Kind key or Chinese name (超市, 消火栓 …)"),
                .query("under", Schema.code, "Node code"),
                .query("lat", ["type": "number", "minimum": -90, "maximum": 90], "Centre latitude"),
                .query("lon", ["type": "number", "minimum": -180, "maximum": 180], "Centre longitude"),
                .query(
                    "radius", ["type": "number", "minimum": 10, "maximum": 20000], "Radius in metres (default 1000)"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 500], "Page size"),
            ],
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/places/{id}", tag: "地物 Places", summary: "One place (场所详情)",
            params: [APIOperation.path("id", Schema.uuid, "Place id")],
            success: (200, ["type": "object"], "application/json")),
    ]
}
