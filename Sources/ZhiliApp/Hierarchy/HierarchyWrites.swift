import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// Creating, renaming and retiring nodes. Serials are allocated past every code ever used
/// under the parent (retired ones included), so a code is never reused.
struct HierarchyWrites {
    let database: any Database
    var db: any SQLDatabase { get throws { try database.sql } }

    private struct MaxRow: Decodable { let m: Int? }
    private struct ParentRow: Decodable {
        let level: String
        let retired: Bool
    }

    func create(_ input: NodeCreateInput, principal: Principal) async throws -> HierarchyCode {
        let parent = try parseCode(input.parentCode, field: "parentCode")
        guard principal.scope.allows(code: parent.value) else { throw AppError.forbidden }
        guard let childLevel = parent.level.child, childLevel != .household else {
            throw AppError.invalid(
                "parentCode", zh: "该层级下不能再建下级节点（户请通过户籍接口登记）",
                en: "Nodes cannot be created below this level (households have their own endpoint)")
        }
        let name = try validName(input.name)
        let geometry = try input.geometry.map(validPolygon)
        if geometry != nil, ![.grid, .compound, .community, .street, .building].contains(childLevel) {
            throw AppError.invalid("geometry", zh: "该层级不支持多边形", en: "This level has no polygon")
        }
        let point = try validPoint(lat: input.lat, lon: input.lon) ?? geometry?.centroid
        return try await database.writeTransaction { fluentTx in
            let tx = try fluentTx.sql
            guard
                let parentRow = try await tx.select().columns("level", "retired").from("nodes")
                    .where("code", .equal, parent.value).first(decoding: ParentRow.self)
            else {
                throw AppError.invalid(
                    "parentCode", zh: "上级节点 \(parent.value) 不存在", en: "Parent node \(parent.value) does not exist")
            }
            guard !parentRow.retired else {
                throw AppError.invalid("parentCode", zh: "上级节点已撤销", en: "Parent node is retired")
            }
            let used =
                try await tx.select().column(SQLFunction("MAX", args: SQLIdentifier("serial")), as: "m")
                .from("nodes").where("parent_code", .equal, parent.value).first(decoding: MaxRow.self)?.m ?? 0
            let code = try parent.child(serial: used + 1)
            try await tx.insert(into: "nodes")
                .columns(
                    "code", "parent_code", "level", "name", "serial", "geometry", "lat", "lon", "retired", "created_at",
                    "updated_at"
                )
                .values(
                    SQLBind(code.value), SQLBind(parent.value), SQLBind(childLevel.rawValue), SQLBind(name),
                    SQLBind(used + 1), SQLBind(geometry?.geoJSONString()), SQLBind(point?.lat), SQLBind(point?.lon),
                    SQLBind(false), SQLBind(Date()), SQLBind(Date())
                )
                .run()
            return code
        }
    }

    func update(_ code: HierarchyCode, _ input: NodeUpdateInput) async throws {
        let update = try db.update("nodes").set("updated_at", to: Date()).where("code", .equal, code.value)
        if let name = input.name { update.set("name", to: try validName(name)) }
        if let g = input.geometry {
            let polygon = try validPolygon(g)
            update.set("geometry", to: polygon.geoJSONString())
            if input.lat == nil { update.set("lat", to: polygon.centroid.lat).set("lon", to: polygon.centroid.lon) }
        }
        if let p = try validPoint(lat: input.lat, lon: input.lon) {
            update.set("lat", to: p.lat).set("lon", to: p.lon)
        }
        try await update.run()
    }

    private struct CountRow: Decodable { let n: Int }

    /// Retires a node that has nothing active beneath it; its code stays reserved.
    func retire(_ code: HierarchyCode) async throws {
        let children =
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("nodes")
            .where("parent_code", .equal, code.value).where("retired", .equal, false).first(decoding: CountRow.self)?.n
            ?? 0
        let households =
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("households")
            .where("code", .greaterThanOrEqual, code.value).where("code", .lessThan, code.rangeUpperBound)
            .where("retired", .equal, false).first(decoding: CountRow.self)?.n ?? 0
        guard children == 0, households == 0 else {
            throw AppError.conflict(
                "node_not_empty", zh: "该节点下仍有 \(children) 个下级节点、\(households) 户，不能撤销",
                en: "Node still has \(children) child nodes and \(households) households")
        }
        try await db.update("nodes").set("retired", to: true).set("updated_at", to: Date())
            .where("code", .equal, code.value).run()
    }

    func validName(_ raw: String) throws -> String {
        let name = TextSafety.cleaned(raw, multiline: false).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else {
            throw AppError.invalid("name", zh: "名称不能为空且不超过 64 个字", en: "Name must be 1–64 characters")
        }
        return name
    }

    func validPolygon(_ input: GeoJSONPolygonInput) throws -> GeoPolygon {
        guard input.type == "Polygon" else {
            throw AppError.invalid("geometry", zh: "几何类型必须是 Polygon", en: "Geometry type must be Polygon")
        }
        do { return try GeoPolygon(geoJSONCoordinates: input.coordinates) } catch {
            throw AppError.invalid("geometry", zh: "多边形坐标无效", en: "Invalid polygon coordinates")
        }
    }

    func validPoint(lat: Double?, lon: Double?) throws -> GeoPoint? {
        switch (lat, lon) {
        case (nil, nil): return nil
        case let (lat?, lon?):
            guard (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
            }
            return GeoPoint(lat: lat, lon: lon)
        default:
            throw AppError.invalid(lat == nil ? "lat" : "lon", zh: "经度和纬度须同时提供", en: "Give both lat and lon")
        }
    }
}

/// Parses a path or body code into a `HierarchyCode`, or a 400 naming the field.
func parseCode(_ raw: String, field: String = "code") throws -> HierarchyCode {
    do { return try HierarchyCode(validating: raw) } catch {
        throw AppError(
            .badRequest, code: "invalid_code", zh: "编码 \(raw.prefix(40)) 无效", en: "Invalid code \(raw.prefix(40))",
            field: field)
    }
}
