import Foundation
import SQLKit
import Synchronization
import ZhiliDomain

/// Point → grid lookup over an in-memory index of grid polygons. Built from the database on
/// first use, rebuilt after local geometry changes and at most every `maxAge` seconds so
/// changes made through other app instances arrive too.
final class GridLocatorCache: Sendable {
    struct Snapshot: Sendable {
        let locator: PointLocator<String>
        let info: [String: GridLocation]
        /// The box around every grid: where the platform's places can be.
        let extent: BoundingBox
        let builtAt: Date
    }

    private let db: any SQLDatabase
    private let maxAge: TimeInterval
    private let state = Mutex<Snapshot?>(nil)

    init(db: any SQLDatabase, maxAge: TimeInterval = 60) {
        self.db = db
        self.maxAge = maxAge
    }

    func locate(_ point: GeoPoint) async throws -> GridLocation? {
        let snap = try await snapshot()
        return snap.locator.locate(point).flatMap { snap.info[$0] }
    }

    /// Whether a point lies within `margin` metres of the box around the grids: a place in
    /// this city (GPS drift at the edge allowed), not a mistyped or made-up position.
    func isInCity(_ point: GeoPoint, margin: Double = 2000) async throws -> Bool {
        let box = try await snapshot().extent
        guard !box.isEmpty else { return true }
        let dLat = margin / 111_320
        let dLon = margin / (111_320 * max(cos(point.lat * .pi / 180), 0.01))
        return BoundingBox(
            minLat: box.minLat - dLat, minLon: box.minLon - dLon, maxLat: box.maxLat + dLat, maxLon: box.maxLon + dLon
        ).contains(point)
    }

    func invalidate() {
        state.withLock { $0 = nil }
    }

    func snapshot() async throws -> Snapshot {
        if let snap = state.withLock({ $0 }), Date().timeIntervalSince(snap.builtAt) < maxAge { return snap }
        let snap = try await build()
        state.withLock { $0 = snap }
        return snap
    }

    private struct Row: Decodable {
        let code: String
        let name: String
        let level: String
        let geometry: String?
    }

    private func build() async throws -> Snapshot {
        let levels = [NodeLevel.city, .street, .community, .grid].map(\.rawValue)
        let rows = try await db.select().columns("code", "name", "level", "geometry").from("nodes")
            .where("level", .in, levels).where("retired", .equal, false)
            .orderBy("code").all(decoding: Row.self)
        let names = Dictionary(rows.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        var regions: [(key: String, polygon: GeoPolygon)] = []
        var info: [String: GridLocation] = [:]
        var extent = BoundingBox.empty
        for row in rows where row.level == NodeLevel.grid.rawValue {
            guard let text = row.geometry, let polygon = try? GeoPolygon(geoJSONString: text) else { continue }
            regions.append((row.code, polygon))
            extent = extent.union(polygon.boundingBox)
            let community = String(row.code.prefix(NodeLevel.community.codeLength))
            info[row.code] = GridLocation(
                gridCode: row.code, gridName: row.name,
                communityCode: community, communityName: names[community] ?? "",
                streetName: names[String(row.code.prefix(NodeLevel.street.codeLength))] ?? "",
                cityName: names[String(row.code.prefix(NodeLevel.city.codeLength))] ?? ""
            )
        }
        return Snapshot(locator: PointLocator(regions: regions), info: info, extent: extent, builtAt: Date())
    }
}
