import SQLKit
import Vapor
import ZhiliDomain

/// Read side of the hierarchy: listings and details, decoded straight from SQL rows.
struct HierarchyReads {
    let db: any SQLDatabase
    let counts: HierarchyCounts

    private struct Row: Decodable {
        let code: String
        let level: String
        let name: String
    }

    private struct DetailRow: Decodable {
        let code: String
        let parent_code: String?
        let level: String
        let name: String
        let geometry: String?
        let lat: Double?
        let lon: Double?
        let retired: Bool
    }

    /// Top of the hierarchy the principal may browse: every city for administrators,
    /// otherwise the node their account is bound to.
    /// Top of the hierarchy the principal may browse: every city for administrators,
    /// otherwise the node their account is bound to.
    func roots(for scope: DataScope) async throws -> [NodeSummary] {
        let snapshot = try await counts.snapshot()
        switch scope {
        case .everything:
            return snapshot.roots.map { summary($0, snapshot) }
        case .subtree(let root):
            guard let parent = root.parent else {
                return snapshot.roots.filter { $0.code == root.value }.map { summary($0, snapshot) }
            }
            return (snapshot.children[parent.value] ?? []).filter { $0.code == root.value }.map {
                summary($0, snapshot)
            }
        case .household, .nothing:
            return []
        }
    }

    /// Active children, answered from the snapshot (no database round trip).
    func children(of code: HierarchyCode) async throws -> [NodeSummary] {
        let snapshot = try await counts.snapshot()
        return (snapshot.children[code.value] ?? []).map { summary($0, snapshot) }
    }

    private func summary(_ node: HierarchySnapshot.Child, _ snapshot: HierarchySnapshot) -> NodeSummary {
        let level = NodeLevel(rawValue: node.level) ?? .city
        return NodeSummary(
            code: node.code, level: node.level, levelName: level.nameZh, name: node.name,
            counts: snapshot[node.code] ?? NodeCounts())
    }

    func detail(_ code: HierarchyCode) async throws -> NodeDetail? {
        guard
            let row = try await db.select().columns(
                "code", "parent_code", "level", "name", "geometry", "lat", "lon", "retired"
            )
            .from("nodes").where("code", .equal, code.value).first(decoding: DetailRow.self)
        else { return nil }
        let snapshot = try await counts.snapshot()
        let level = NodeLevel(rawValue: row.level) ?? code.level
        return NodeDetail(
            code: row.code, level: row.level, levelName: level.nameZh, name: row.name, parentCode: row.parent_code,
            path: try await Self.path(to: code, db: db), counts: snapshot[row.code] ?? NodeCounts(),
            lat: row.lat, lon: row.lon, geometry: row.geometry, retired: row.retired
        )
    }

    /// Ancestors from the city down to (not including) the code.
    static func path(to code: HierarchyCode, db: any SQLDatabase) async throws -> [Breadcrumb] {
        let ancestors = code.ancestors.map(\.value)
        guard !ancestors.isEmpty else { return [] }
        let rows = try await db.select().columns("code", "level", "name").from("nodes")
            .where("code", .in, ancestors).orderBy("code").all(decoding: Row.self)
        return rows.map { Breadcrumb(code: $0.code, name: $0.name, level: $0.level) }
    }

    /// GeoJSON FeatureCollection of the children that have a polygon or a point,
    /// assembled from the stored geometry text without parsing it.
    func childrenGeoJSON(of parent: String?, level: NodeLevel? = nil, scope: DataScope) async throws -> String {
        struct GeoRow: Decodable {
            let code: String
            let name: String
            let level: String
            let geometry: String?
            let lat: Double?
            let lon: Double?
        }
        let q = db.select().columns("code", "name", "level", "geometry", "lat", "lon").from("nodes")
            .where("retired", .equal, false)
        if let parent { q.where("parent_code", .equal, parent) }
        if let level { q.where("level", .equal, level.rawValue) }
        q.scoped(scope, column: "code")
        let rows = try await q.orderBy("code").all(decoding: GeoRow.self)
        let snapshot = try await counts.snapshot()
        var out = #"{"type":"FeatureCollection","features":["#
        var first = true
        for row in rows {
            let geometry: String
            if let g = row.geometry {
                geometry = g
            } else if let lat = row.lat, let lon = row.lon {
                geometry = #"{"type":"Point","coordinates":[\#(lon),\#(lat)]}"#
            } else {
                continue
            }
            let c = snapshot[row.code] ?? NodeCounts()
            if !first { out += "," }
            first = false
            out +=
                #"{"type":"Feature","geometry":\#(geometry),"properties":{"code":"\#(row.code)","name":\#(jsonString(row.name)),"level":"\#(row.level)","households":\#(c.households),"residents":\#(c.residents)}}"#
        }
        return out + "]}"
    }
}

/// JSON string literal for text that may hold quotes or backslashes.
func jsonString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
        }
    }
    return out + "\""
}
