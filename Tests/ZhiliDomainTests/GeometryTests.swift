import Foundation
import Testing

@testable import ZhiliDomain

private func pt(_ lon: Double, _ lat: Double) -> GeoPoint { GeoPoint(lat: lat, lon: lon) }

private let square = GeoPolygon(outer: [pt(0, 0), pt(10, 0), pt(10, 10), pt(0, 10)])
/// An L: the 10×10 square minus its top-right 5×5 quarter.
private let lShape = GeoPolygon(outer: [pt(0, 0), pt(10, 0), pt(10, 5), pt(5, 5), pt(5, 10), pt(0, 10)])
private let donut = GeoPolygon(rings: [
    [pt(0, 0), pt(10, 0), pt(10, 10), pt(0, 10), pt(0, 0)],
    [pt(3, 3), pt(7, 3), pt(7, 7), pt(3, 7)],
])

/// Shared, jittered vertices so neighbouring quads tile the area without gaps.
private func tiledQuads(cols: Int, rows: Int, seed: UInt64) -> [(key: Int, polygon: GeoPolygon)] {
    var rng = SeededGenerator(seed: seed)
    let step = 0.04
    let vertices = (0...rows).map { r in
        (0...cols).map { c in
            let interior = r > 0 && r < rows && c > 0 && c < cols
            let jitter = { (rng: inout SeededGenerator) in interior ? (rng.unitInterval() - 0.5) * 0.5 * step : 0 }
            let lat = 40.0 + Double(r) * step + jitter(&rng)
            return pt(94.5 + Double(c) * step + jitter(&rng), lat)
        }
    }
    return (0..<rows).flatMap { r in
        (0..<cols).map { c in
            let corners = [vertices[r][c], vertices[r][c + 1], vertices[r + 1][c + 1], vertices[r + 1][c]]
            return (key: r * cols + c, polygon: GeoPolygon(outer: corners))
        }
    }
}

@Test func convexPolygonContainsInteriorOnly() {
    #expect(square.contains(pt(5, 5)))
    #expect(square.contains(pt(0.001, 9.999)))
    #expect(!square.contains(pt(-0.001, 5)))
    #expect(!square.contains(pt(5, 10.001)))
    #expect(!square.contains(pt(15, 5)))
}

@Test func concaveNotchIsOutside() {
    #expect(lShape.contains(pt(2, 8)))
    #expect(lShape.contains(pt(8, 2)))
    #expect(!lShape.contains(pt(8, 8)))
    #expect(!lShape.contains(pt(5.000001, 5.000001)))
    #expect(lShape.contains(pt(4.999999, 5.000001)))
}

@Test func holeIsExcludedButTheRingAroundItIsNot() {
    #expect(!donut.contains(pt(5, 5)))
    #expect(donut.contains(pt(1, 5)))
    #expect(donut.contains(pt(2.999999, 5)))
    #expect(!donut.contains(pt(3.000001, 5)))
}

@Test func rayThroughAVertexCountsOnce() {
    let diamond = GeoPolygon(outer: [pt(0, -1), pt(1, 0), pt(0, 1), pt(-1, 0)])
    #expect(diamond.contains(pt(0, 0)))
    #expect(diamond.contains(pt(-0.5, 0)))
    #expect(!diamond.contains(pt(-1.5, 0)))
    #expect(!diamond.contains(pt(1.5, 0)))
}

@Test func repeatingTheFirstPointChangesNothing() {
    let open = [pt(0, 0), pt(10, 0), pt(10, 5), pt(5, 5), pt(5, 10), pt(0, 10)]
    let closed = GeoPolygon(outer: open + [open[0]])
    for p in [pt(2, 8), pt(8, 8), pt(8, 2), pt(-1, 0), pt(5, 5.5)] {
        #expect(closed.contains(p) == lShape.contains(p))
    }
    #expect(closed.centroid == lShape.centroid)
}

@Test func nanPointIsNowhere() {
    let nan = pt(.nan, .nan)
    #expect(!square.contains(nan))
    #expect(!square.boundingBox.contains(nan))
}

@Test func boundingBoxSpansTheOuterRing() {
    #expect(lShape.boundingBox == BoundingBox(minLat: 0, minLon: 0, maxLat: 10, maxLon: 10))
    let box = BoundingBox(minLat: 0, minLon: 0, maxLat: 1, maxLon: 1)
    #expect(box.intersects(BoundingBox(minLat: 1, minLon: 1, maxLat: 2, maxLon: 2)))
    #expect(!box.intersects(BoundingBox(minLat: 1.1, minLon: 0, maxLat: 2, maxLon: 1)))
    #expect(!box.intersects(.empty))
    #expect(GeoPolygon(rings: []).boundingBox.isEmpty)
}

@Test func centroidIsTheAreaCentreNotTheVertexMean() {
    #expect(square.centroid == pt(5, 5))
    // Square (area 100, centre 5,5) minus quarter (area 25, centre 7.5,7.5) → 25/6 each way.
    let c = lShape.centroid
    #expect(abs(c.lon - 25.0 / 6) < 1e-12 && abs(c.lat - 25.0 / 6) < 1e-12)
}

@Test func degeneratePolygonCentroidFallsBackToVertexMean() {
    let line = GeoPolygon(outer: [pt(0, 0), pt(2, 2), pt(4, 4), pt(0, 0)])
    #expect(line.centroid == pt(2, 2))
    #expect(GeoPolygon(rings: []).centroid == pt(0, 0))
}

@Test func haversineMatchesKnownDistances() {
    #expect(distanceMeters(pt(94.66, 40.14), pt(94.66, 40.14)) == 0)
    let oneDegreeLat = distanceMeters(pt(94.66, 40), pt(94.66, 41))
    #expect(abs(oneDegreeLat - 111_195) < 10)
    let equatorDegree = distanceMeters(pt(0, 0), pt(1, 0))
    #expect(abs(equatorDegree - oneDegreeLat) < 1)
    #expect(distanceMeters(pt(1, 2), pt(3, 4)) == distanceMeters(pt(3, 4), pt(1, 2)))
}

@Test(arguments: [1, 7, 64])
func locatorAgreesWithBruteForce(bucketsPerSide: Int) {
    let regions = tiledQuads(cols: 10, rows: 8, seed: 7)
    let locator = PointLocator(regions: regions, bucketsPerSide: bucketsPerSide)
    #expect(locator.count == 80)
    var rng = SeededGenerator(seed: 99)
    var found = 0
    for _ in 0..<10_000 {
        // Slightly wider than the tiling so misses are exercised too.
        let p = pt(94.48 + rng.unitInterval() * 0.44, 39.98 + rng.unitInterval() * 0.36)
        let expected = regions.first { $0.polygon.contains(p) }?.key
        #expect(locator.locate(p) == expected)
        if expected != nil { found += 1 }
    }
    #expect(found > 7_000 && found < 9_500)
}

@Test func overlappingRegionsResolveToTheFirstGiven() {
    let small = GeoPolygon(outer: [pt(4, 4), pt(6, 4), pt(6, 6), pt(4, 6)])
    #expect(PointLocator(regions: [("big", square), ("small", small)]).locate(pt(5, 5)) == "big")
    #expect(PointLocator(regions: [("small", small), ("big", square)]).locate(pt(5, 5)) == "small")
}

@Test func locatorWithNothingToFindReturnsNil() {
    let empty = PointLocator<Int>(regions: [])
    #expect(empty.count == 0)
    #expect(empty.locate(pt(1, 1)) == nil)
    let one = PointLocator(regions: [(1, square)], bucketsPerSide: 0)
    #expect(one.locate(pt(.nan, 5)) == nil)
    #expect(one.locate(pt(1e300, 5)) == nil)
    #expect(one.locate(pt(9, 9)) == 1)
}

@Test func geoJSONCoordinatesAreLonLatAndClosed() {
    let coords = lShape.geoJSONCoordinates
    #expect(coords.count == 1)
    #expect(coords[0].count == 7)
    #expect(coords[0].first == coords[0].last)
    #expect(coords[0][1] == [10, 0])
}

@Test func geoJSONTextRoundTripsToSixDecimals() throws {
    let original = GeoPolygon(rings: [
        [pt(94.6612345678, 40.1423456789), pt(94.7, 40.14), pt(94.7, 40.2), pt(94.66, 40.2)],
        [pt(94.67, 40.15), pt(94.68, 40.15), pt(94.68, 40.16)],
    ])
    let text = original.geoJSONString()
    #expect(text.hasPrefix(#"{"type":"Polygon","coordinates":[[[94.661235,40.142346],"#))
    #expect(!text.contains(" "))
    let parsed = try GeoPolygon(geoJSONString: text)
    #expect(parsed.rings.count == 2)
    for (a, b) in zip(parsed.rings[0], original.rings[0] + [original.rings[0][0]]) {
        #expect(abs(a.lat - b.lat) <= 5e-7 && abs(a.lon - b.lon) <= 5e-7)
    }
    #expect(try GeoPolygon(geoJSONString: parsed.geoJSONString()) == parsed)
}

@Test func geoJSONTextMayBeFormattedAndCarryAltitude() throws {
    let text = """
        { "coordinates": [ [ [94.6, 40.1, 1100], [94.7, 40.1, 1100], [94.7, 40.2, 1100], [94.6, 40.1, 1100] ] ],
          "type": "Polygon" }
        """
    let polygon = try GeoPolygon(geoJSONString: text)
    #expect(polygon.rings[0][1] == pt(94.7, 40.1))
}

@Test(arguments: [
    [] as [[[Double]]],
    [[[0, 0], [1, 0], [0, 0]]],
    [[[0, 0], [1, 0], [1, 1], [0, 1]]],
    [[[0, 0], [1, 0], [1, 91], [0, 0]]],
    [[[0, 0], [181, 0], [1, 1], [0, 0]]],
    [[[0, 0], [1, 0], [.nan, 1], [0, 0]]],
    [[[0, 0], [1, 0], [.infinity, 1], [0, 0]]],
    [[[0, 0], [1], [1, 1], [0, 0]]],
    [[[0, 0], [1, 0, 0, 0], [1, 1], [0, 0]]],
    [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0.2, 0.2], [0.5, 0.2], [0.2, 0.2]]],
])
func malformedCoordinatesAreRejected(coordinates: [[[Double]]]) {
    #expect(throws: GeometryError.self) { try GeoPolygon(geoJSONCoordinates: coordinates) }
}

@Test(arguments: [
    "", "not json", "{}", "[]",
    #"{"type":"Point","coordinates":[94.6,40.1]}"#,
    #"{"type":"Polygon"}"#,
    #"{"type":"Polygon","coordinates":[[["94.6","40.1"]]]}"#,
    #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}"#,
    #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}"#,
])
func malformedGeoJSONTextIsRejected(text: String) {
    #expect(throws: GeometryError.self) { try GeoPolygon(geoJSONString: text) }
}

@Test func integerCoordinatesInTextAreAccepted() throws {
    let polygon = try GeoPolygon(geoJSONString: #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#)
    #expect(polygon.contains(pt(0.7, 0.3)))
}
