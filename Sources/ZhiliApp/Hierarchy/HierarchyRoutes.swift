import SQLKit
import Vapor
import ZhiliDomain

/// JSON API of the hierarchy: browse, detail, point → grid, map layers and node upkeep.
enum HierarchyRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("nodes", use: roots)
        api.get("nodes", ":code", use: detail)
        api.get("nodes", ":code", "children", use: children)
        api.get("nodes", ":code", "children.geojson", use: childrenGeoJSON)
        api.get("grids.geojson", use: gridsGeoJSON)
        api.get("grids", "locate", use: locate)
        api.post("nodes", use: create)
        api.patch("nodes", ":code", use: update)
        api.delete("nodes", ":code", use: retire)
    }

    /// Browsing needs a place in the hierarchy; names and counts are not personal data.
    static func browsableCode(_ req: Request) throws -> HierarchyCode {
        let principal = try req.requirePrincipal()
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard principal.scope.allowsBrowsing(code: code.value) else { throw AppError.forbidden }
        return code
    }

    @Sendable static func roots(req: Request) async throws -> [NodeSummary] {
        try await req.hierarchy.reads(try req.sql).roots(for: try req.requirePrincipal().scope)
    }

    @Sendable static func detail(req: Request) async throws -> NodeDetail {
        let code = try browsableCode(req)
        guard let node = try await req.hierarchy.reads(try req.sql).detail(code) else {
            throw AppError.notFound("Node", zhWhat: "节点")
        }
        return node
    }

    @Sendable static func children(req: Request) async throws -> [NodeSummary] {
        let principal = try req.requirePrincipal()
        let code = try browsableCode(req)
        // Above the account's own node only the path toward it is listed, not sibling branches.
        let all = try await req.hierarchy.reads(try req.sql).children(of: code)
        return all.filter { principal.scope.allowsBrowsing(code: $0.code) }
    }

    @Sendable static func childrenGeoJSON(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let code = try browsableCode(req)
        let scope: DataScope = principal.scope.allows(code: code.value) ? .everything : principal.scope
        return geoJSON(try await req.hierarchy.reads(try req.sql).childrenGeoJSON(of: code.value, scope: scope))
    }

    @Sendable static func gridsGeoJSON(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let scope: DataScope
        switch principal.scope {
        case .household(let h):
            scope = .subtree(try HierarchyCode(validating: String(h.prefix(NodeLevel.grid.codeLength))))
        case .nothing: scope = .everything  // grid outlines are public geography
        default: scope = principal.scope
        }
        // Outlines and counts change rarely: one rendering per scope, kept briefly.
        let key = scope.codeRange.map { $0.lower } ?? "*"
        return geoJSON(
            try await req.hierarchy.gridOutlines.value(for: key) {
                try await req.hierarchy.reads(try req.sql).childrenGeoJSON(of: nil, level: .grid, scope: scope)
            })
    }

    static func geoJSON(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "geo+json")
        return response
    }

    struct LocateQuery: Content {
        let lat: Double
        let lon: Double
    }

    @Sendable static func locate(req: Request) async throws -> GridLocation {
        _ = try req.requirePrincipal()
        let q = try req.query.decode(LocateQuery.self)
        guard (-90...90).contains(q.lat), (-180...180).contains(q.lon) else {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        guard let hit = try await req.hierarchy.gridLocator.locate(GeoPoint(lat: q.lat, lon: q.lon)) else {
            throw AppError(
                .notFound, code: "outside_all_grids", zh: "该位置不在任何网格内", en: "The point lies outside every grid")
        }
        return hit
    }

    /// Writers: administrators, city and street officials and community staff, inside their scope.
    static func requireWriter(_ req: Request) throws -> Principal {
        try req.requireRole(.cityOfficial, .streetOfficial, .communityStaff)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let principal = try requireWriter(req)
        let input = try req.content.decode(NodeCreateInput.self)
        let code = try await HierarchyWrites(database: req.db).create(input, principal: principal)
        await req.audit.record(action: "create", entity: "node", entityID: code.value, detail: input.name)
        await req.hierarchy.changed(geometry: input.geometry != nil)
        guard let node = try await req.hierarchy.reads(try req.sql).detail(code) else {
            throw AppError.internalFailure("created node vanished")
        }
        let response = Response(status: .created)
        try response.content.encode(node)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/nodes/\(code.value)")
        return response
    }

    @Sendable static func update(req: Request) async throws -> NodeDetail {
        let principal = try requireWriter(req)
        let code = try parseCode(req.parameters.get("code") ?? "")
        let input = try req.content.decode(NodeUpdateInput.self)
        guard principal.scope.allows(code: code.value), code.value != principal.nodeCode || principal.role == .admin
        else {
            throw AppError.forbidden
        }
        guard try await req.hierarchy.reads(try req.sql).detail(code) != nil else {
            throw AppError.notFound("Node", zhWhat: "节点")
        }
        try await HierarchyWrites(database: req.db).update(code, input)
        await req.audit.record(action: "update", entity: "node", entityID: code.value)
        await req.hierarchy.changed(geometry: input.geometry != nil)
        guard let node = try await req.hierarchy.reads(try req.sql).detail(code) else {
            throw AppError.notFound("Node", zhWhat: "节点")
        }
        return node
    }

    @Sendable static func retire(req: Request) async throws -> HTTPStatus {
        let principal = try requireWriter(req)
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard principal.scope.allows(code: code.value), code.value != principal.nodeCode else {
            throw AppError.forbidden
        }
        guard try await req.hierarchy.reads(try req.sql).detail(code) != nil else {
            throw AppError.notFound("Node", zhWhat: "节点")
        }
        try await HierarchyWrites(database: req.db).retire(code)
        await req.audit.record(action: "retire", entity: "node", entityID: code.value)
        await req.hierarchy.changed(geometry: true)
        return .noContent
    }
}
