import Foundation

/// WGS-84 degrees. Polygon tests treat lon/lat as a plane, which is accurate
/// enough at community scale; shapes crossing the antimeridian are not supported.
public struct GeoPoint: Hashable, Codable, Sendable {
    public var lat: Double
    public var lon: Double

    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }
}

public struct BoundingBox: Hashable, Sendable {
    public var minLat, minLon, maxLat, maxLon: Double

    public init(minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
        (self.minLat, self.minLon, self.maxLat, self.maxLon) = (minLat, minLon, maxLat, maxLon)
    }

    /// Inverted infinities, so it contains and intersects nothing and is the identity for `union`.
    public static let empty = BoundingBox(minLat: .infinity, minLon: .infinity, maxLat: -.infinity, maxLon: -.infinity)

    public var isEmpty: Bool { !(minLat <= maxLat && minLon <= maxLon) }

    // Written as positive comparisons so NaN coordinates fall outside.
    public func contains(_ p: GeoPoint) -> Bool {
        p.lat >= minLat && p.lat <= maxLat && p.lon >= minLon && p.lon <= maxLon
    }

    public func intersects(_ o: BoundingBox) -> Bool {
        !isEmpty && !o.isEmpty && minLat <= o.maxLat && o.minLat <= maxLat && minLon <= o.maxLon && o.minLon <= maxLon
    }

    public func union(_ o: BoundingBox) -> BoundingBox {
        BoundingBox(
            minLat: min(minLat, o.minLat), minLon: min(minLon, o.minLon),
            maxLat: max(maxLat, o.maxLat), maxLon: max(maxLon, o.maxLon))
    }
}

public enum GeometryError: Error, Sendable, Equatable {
    case malformed(String)
}

public struct GeoPolygon: Hashable, Sendable {
    public var rings: [[GeoPoint]]

    public init(rings: [[GeoPoint]]) {
        self.rings = rings
    }

    public init(outer: [GeoPoint]) {
        self.rings = [outer]
    }

    /// Holes lie inside the outer ring, so the outer ring alone bounds the shape.
    public var boundingBox: BoundingBox {
        (rings.first ?? []).reduce(BoundingBox.empty) { box, p in
            box.union(BoundingBox(minLat: p.lat, minLon: p.lon, maxLat: p.lat, maxLon: p.lon))
        }
    }

    /// Even-odd over all rings at once, which is what excludes holes. Each
    /// edge is half-open in latitude so a ray through a vertex counts once.
    public func contains(_ p: GeoPoint) -> Bool {
        var inside = false
        for ring in rings where ring.count >= 3 {
            var previous = ring[ring.count - 1]
            for current in ring {
                if (current.lat > p.lat) != (previous.lat > p.lat) {
                    let t = (p.lat - current.lat) / (previous.lat - current.lat)
                    if p.lon < current.lon + t * (previous.lon - current.lon) { inside.toggle() }
                }
                previous = current
            }
        }
        return inside
    }

    public var centroid: GeoPoint {
        guard let outer = rings.first, let origin = outer.first else { return GeoPoint(lat: 0, lon: 0) }
        // Shifting to the first vertex keeps the cross products small and precise.
        var twiceArea = 0.0
        var sumLon = 0.0
        var sumLat = 0.0
        for (i, a) in outer.enumerated() {
            let b = outer[(i + 1) % outer.count]
            let (ax, ay) = (a.lon - origin.lon, a.lat - origin.lat)
            let (bx, by) = (b.lon - origin.lon, b.lat - origin.lat)
            let cross = ax * by - bx * ay
            twiceArea += cross
            sumLon += (ax + bx) * cross
            sumLat += (ay + by) * cross
        }
        let box = boundingBox
        let scale = max(box.maxLat - box.minLat, box.maxLon - box.minLon)
        guard abs(twiceArea) > 1e-12 * scale * scale, twiceArea.isFinite else { return Self.vertexMean(outer) }
        return GeoPoint(lat: origin.lat + sumLat / (3 * twiceArea), lon: origin.lon + sumLon / (3 * twiceArea))
    }

    private static func vertexMean(_ ring: [GeoPoint]) -> GeoPoint {
        let points = openRing(ring)
        guard !points.isEmpty else { return GeoPoint(lat: 0, lon: 0) }
        let n = Double(points.count)
        return GeoPoint(lat: points.reduce(0) { $0 + $1.lat } / n, lon: points.reduce(0) { $0 + $1.lon } / n)
    }

    private static func openRing(_ ring: [GeoPoint]) -> ArraySlice<GeoPoint> {
        ring.count > 1 && ring.first == ring.last ? ring.dropLast() : ring[...]
    }

    private static func closedRing(_ ring: [GeoPoint]) -> [GeoPoint] {
        guard let first = ring.first, ring.last != first else { return ring }
        return ring + [first]
    }
}

// MARK: - GeoJSON

extension GeoPolygon {
    /// GeoJSON Polygon "coordinates" value ([lon, lat] order, rings closed)
    public var geoJSONCoordinates: [[[Double]]] {
        rings.map { Self.closedRing($0).map { [$0.lon, $0.lat] } }
    }

    /// Enforces RFC 7946: at least four positions per ring and the ring closed.
    /// A third (altitude) number in a position is accepted and dropped.
    public init(geoJSONCoordinates: [[[Double]]]) throws(GeometryError) {
        guard !geoJSONCoordinates.isEmpty else { throw .malformed("多边形没有任何环") }
        var rings: [[GeoPoint]] = []
        for (index, positions) in geoJSONCoordinates.enumerated() {
            rings.append(try Self.ring(from: positions, index: index))
        }
        self.init(rings: rings)
    }

    private static func ring(from positions: [[Double]], index: Int) throws(GeometryError) -> [GeoPoint] {
        guard positions.count >= 4 else { throw .malformed("第\(index + 1)个环少于4个坐标点") }
        var ring: [GeoPoint] = []
        for position in positions {
            ring.append(try point(from: position, ring: index))
        }
        guard ring.first == ring.last else { throw .malformed("第\(index + 1)个环未闭合") }
        return ring
    }

    private static func point(from position: [Double], ring index: Int) throws(GeometryError) -> GeoPoint {
        guard (2...3).contains(position.count), position.allSatisfy(\.isFinite) else {
            throw .malformed("第\(index + 1)个环含有无效坐标")
        }
        let (lon, lat) = (position[0], position[1])
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw .malformed("第\(index + 1)个环的经纬度超出范围")
        }
        return GeoPoint(lat: lat, lon: lon)
    }

    public func geoJSONString() -> String {
        let ringTexts = geoJSONCoordinates.map { ring in
            "[" + ring.map { "[\(Self.format($0[0])),\(Self.format($0[1]))]" }.joined(separator: ",") + "]"
        }
        return #"{"type":"Polygon","coordinates":["# + ringTexts.joined(separator: ",") + "]}"
    }

    /// 6 decimals is about 0.1 m. Non-finite values (only reachable through the
    /// unvalidated initialisers) become null, so the text stays JSON yet fails to parse back.
    private static func format(_ x: Double) -> String {
        x.isFinite ? String(format: "%.6f", x) : "null"
    }

    public init(geoJSONString: String) throws(GeometryError) {
        struct Geometry: Decodable {
            var type: String
            var coordinates: [[[Double]]]
        }
        let geometry: Geometry
        do {
            geometry = try JSONDecoder().decode(Geometry.self, from: Data(geoJSONString.utf8))
        } catch {
            throw .malformed("不是有效的GeoJSON多边形")
        }
        guard geometry.type == "Polygon" else { throw .malformed("几何类型应为Polygon，实际为\(geometry.type)") }
        try self.init(geoJSONCoordinates: geometry.coordinates)
    }
}

/// Great-circle distance on a sphere of the IUGG mean Earth radius.
public func distanceMeters(_ a: GeoPoint, _ b: GeoPoint) -> Double {
    let radians = Double.pi / 180
    let dLat = (b.lat - a.lat) * radians
    let dLon = (b.lon - a.lon) * radians
    let h = pow(sin(dLat / 2), 2) + cos(a.lat * radians) * cos(b.lat * radians) * pow(sin(dLon / 2), 2)
    return 2 * 6_371_008.8 * asin(min(1, h.squareRoot()))
}

// MARK: - Point location

/// Fast point → region lookup (point-in-polygon over a uniform bucket index). Immutable, built once.
public struct PointLocator<Key: Hashable & Sendable>: Sendable {
    private let keys: [Key]
    private let polygons: [GeoPolygon]
    private let boxes: [BoundingBox]
    private let grid: BucketGrid

    public init(regions: [(key: Key, polygon: GeoPolygon)], bucketsPerSide: Int = 64) {
        keys = regions.map(\.key)
        polygons = regions.map(\.polygon)
        boxes = polygons.map(\.boundingBox)
        grid = BucketGrid(boxes: boxes, requestedSide: bucketsPerSide)
    }

    public var count: Int { keys.count }

    /// Bucket members are stored in input order, so the first hit is the first region.
    public func locate(_ p: GeoPoint) -> Key? {
        guard let bucket = grid.bucket(of: p) else { return nil }
        for index in grid.members(of: bucket) {
            let i = Int(index)
            if boxes[i].contains(p) && polygons[i].contains(p) { return keys[i] }
        }
        return nil
    }
}

/// Region indices per cell in compressed-row form (one flat array plus
/// offsets), so a lookup reads two contiguous arrays instead of chasing per-cell arrays.
private struct BucketGrid: Sendable {
    /// Maps one coordinate onto cell numbers along one side of the grid.
    struct Axis: Sendable {
        let origin: Double, scale: Double, side: Int

        // A zero-width extent puts everything in cell 0 instead of dividing by zero.
        init(from low: Double, to high: Double, side: Int) {
            (origin, self.side) = (low, side)
            scale = high > low ? Double(side) / (high - low) : 0
        }

        // Clamping keeps the far edge (value == max) inside the last cell.
        func cell(_ value: Double) -> Int { min(side - 1, max(0, Int((value - origin) * scale))) }

        func cells(_ low: Double, _ high: Double) -> ClosedRange<Int> { cell(low)...cell(high) }
    }

    private let bounds: BoundingBox
    private let lat: Axis
    private let lon: Axis
    private let offsets: [Int32]
    private let members: [Int32]

    init(boxes: [BoundingBox], requestedSide: Int) {
        let side = min(max(requestedSide, 1), 1024)
        let usable = boxes.map { Self.isUsable($0) }
        bounds = zip(boxes, usable).filter(\.1).reduce(BoundingBox.empty) { $0.union($1.0) }
        lat = Axis(from: bounds.minLat, to: bounds.maxLat, side: side)
        lon = Axis(from: bounds.minLon, to: bounds.maxLon, side: side)
        var cells = [[Int32]](repeating: [], count: side * side)
        for (i, box) in boxes.enumerated() where usable[i] {
            for row in lat.cells(box.minLat, box.maxLat) {
                for col in lon.cells(box.minLon, box.maxLon) { cells[row * side + col].append(Int32(i)) }
            }
        }
        offsets = cells.reduce(into: [0]) { $0.append($0[$0.count - 1] + Int32($1.count)) }
        members = cells.flatMap { $0 }
    }

    private static func isUsable(_ box: BoundingBox) -> Bool {
        !box.isEmpty && [box.minLat, box.minLon, box.maxLat, box.maxLon].allSatisfy(\.isFinite)
    }

    func bucket(of p: GeoPoint) -> Int? {
        guard bounds.contains(p) else { return nil }
        return lat.cell(p.lat) * lat.side + lon.cell(p.lon)
    }

    func members(of bucket: Int) -> ArraySlice<Int32> {
        members[Int(offsets[bucket])..<Int(offsets[bucket + 1])]
    }
}
