import Foundation
import ZhiliDomain

/// Lays out streets, communities, grids, compounds, buildings and units. Grids tile a
/// jittered lattice around Dunhuang (shared corners, so no gaps or overlaps); compounds are
/// sub-quads inside their grid; buildings are points inside their compound.
struct DemoGeography: Sendable {
    var nodes: [NodeRow] = []
    var households: [HouseholdRow] = []
    /// Grid code → polygon, for placing places and devices.
    var gridPolygons: [(code: String, polygon: GeoPolygon)] = []
    /// Building code → point.
    var buildingPoints: [String: GeoPoint] = [:]
    var compoundsByGrid: [String: [String]] = [:]
    var gridsByCommunity: [String: [String]] = [:]

    typealias Quad = (GeoPoint, GeoPoint, GeoPoint, GeoPoint)  // sw, se, ne, nw

    static func bilinear(_ q: Quad, _ u: Double, _ v: Double) -> GeoPoint {
        let lat = (1 - u) * (1 - v) * q.0.lat + u * (1 - v) * q.1.lat + u * v * q.2.lat + (1 - u) * v * q.3.lat
        let lon = (1 - u) * (1 - v) * q.0.lon + u * (1 - v) * q.1.lon + u * v * q.2.lon + (1 - u) * v * q.3.lon
        return GeoPoint(lat: lat, lon: lon)
    }

    static func subQuad(_ q: Quad, u0: Double, u1: Double, v0: Double, v1: Double) -> Quad {
        (bilinear(q, u0, v0), bilinear(q, u1, v0), bilinear(q, u1, v1), bilinear(q, u0, v1))
    }

    static func polygon(_ q: Quad) -> GeoPolygon { GeoPolygon(outer: [q.0, q.1, q.2, q.3, q.0]) }

    static func rounded(_ p: GeoPoint) -> GeoPoint {
        GeoPoint(lat: (p.lat * 1e6).rounded() / 1e6, lon: (p.lon * 1e6).rounded() / 1e6)
    }

    init(spec: DemoSpec, rng: inout SeededGenerator) {
        let cellLat = 0.0060
        let cellLon = 0.0078
        let cols = Int(Double(spec.grids).squareRoot() * 1.25) + 1
        let rows = (spec.grids + cols - 1) / cols
        let origin = GeoPoint(
            lat: spec.center.lat - Double(rows) * cellLat / 2, lon: spec.center.lon - Double(cols) * cellLon / 2)
        // Shared, jittered lattice corners.
        var corners: [[GeoPoint]] = []
        for r in 0...rows {
            corners.append(
                (0...cols).map { c in
                    GeoPoint(
                        lat: origin.lat + Double(r) * cellLat + Double(rng.int(-18...18)) * cellLat / 100,
                        lon: origin.lon + Double(c) * cellLon + Double(rng.int(-18...18)) * cellLon / 100)
                })
        }
        func cell(_ index: Int) -> Quad {
            let r = index / cols
            let c = r % 2 == 0 ? index % cols : cols - 1 - index % cols  // snake, so neighbours share a side
            return (corners[r][c], corners[r][c + 1], corners[r + 1][c + 1], corners[r + 1][c])
        }

        let cityName = spec.cityName
        nodes.append(
            NodeRow(
                code: spec.cityCode, parentCode: nil, level: NodeLevel.city.rawValue, name: cityName, serial: 982,
                geometry: nil, lat: spec.center.lat, lon: spec.center.lon))
        let gridsPerCommunity = DemoSpec.spread(spec.grids, over: spec.communities)
        let communitiesPerStreet = DemoSpec.spread(spec.communities, over: spec.streets)
        let compoundsPerGrid = DemoSpec.spread(spec.compounds, over: spec.grids)
        let buildingsPerCompound = DemoSpec.spread(spec.buildings, over: spec.compounds)
        var householdsLeft = DemoSpec.spread(spec.households, over: spec.buildings)
        var gridIndex = 0
        var communityIndex = 0
        var compoundIndex = 0
        var buildingIndex = 0

        for s in 0..<spec.streets {
            let streetCode = spec.cityCode + String(format: "%03d", s + 1)
            let streetName = DemoNames.street(s)
            let firstCell = gridIndex
            var streetChildren: [NodeRow] = []
            for c in 0..<communitiesPerStreet[s] {
                let communityCode = streetCode + String(format: "%03d", c + 1)
                let communityName = DemoNames.community(communityIndex)
                let communityFirstCell = gridIndex
                var communityChildren: [NodeRow] = []
                for g in 0..<gridsPerCommunity[communityIndex] {
                    let gridCode = communityCode + String(format: "%03d", g + 1)
                    let quad = cell(gridIndex)
                    let polygon = Self.polygon(quad)
                    gridPolygons.append((gridCode, polygon))
                    gridsByCommunity[communityCode, default: []].append(gridCode)
                    let centre = Self.rounded(polygon.centroid)
                    communityChildren.append(
                        NodeRow(
                            code: gridCode, parentCode: communityCode, level: NodeLevel.grid.rawValue,
                            name: DemoNames.grid(community: communityName, index: g), serial: g + 1,
                            geometry: polygon.geoJSONString(), lat: centre.lat, lon: centre.lon))
                    let k = compoundsPerGrid[gridIndex]
                    for i in 0..<k {
                        let compoundCode = gridCode + String(format: "%03d", i + 1)
                        let cq = Self.subQuad(
                            quad, u0: Double(i) / Double(k) + 0.04, u1: Double(i + 1) / Double(k) - 0.04, v0: 0.08,
                            v1: 0.92)
                        let bungalow = rng.chance(0.18)
                        let prefix = rng.pick(DemoNames.compoundPrefixes)
                        let compoundName = bungalow ? "\(prefix)片区" : prefix + rng.pick(DemoNames.compoundSuffixes)
                        let cPoly = Self.polygon(cq)
                        let cc = Self.rounded(cPoly.centroid)
                        nodes.append(
                            NodeRow(
                                code: compoundCode, parentCode: gridCode, level: NodeLevel.compound.rawValue,
                                name: compoundName,
                                serial: i + 1, geometry: cPoly.geoJSONString(), lat: cc.lat, lon: cc.lon))
                        compoundsByGrid[gridCode, default: []].append(compoundCode)
                        let address = "\(cityName)\(streetName)\(communityName)\(compoundName)"
                        addBuildings(
                            count: buildingsPerCompound[compoundIndex], compoundCode: compoundCode, quad: cq,
                            bungalow: bungalow,
                            address: address, quota: &householdsLeft, buildingIndex: &buildingIndex, rng: &rng)
                        compoundIndex += 1
                    }
                    gridIndex += 1
                }
                let cBox = (communityFirstCell..<gridIndex).map { Self.polygon(cell($0)).centroid }
                let cCentre = Self.rounded(Self.mean(cBox))
                streetChildren.append(
                    NodeRow(
                        code: communityCode, parentCode: streetCode, level: NodeLevel.community.rawValue,
                        name: communityName, serial: c + 1, geometry: nil, lat: cCentre.lat, lon: cCentre.lon))
                nodes.append(contentsOf: communityChildren)
                communityIndex += 1
            }
            let sCentre = Self.rounded(Self.mean((firstCell..<gridIndex).map { Self.polygon(cell($0)).centroid }))
            nodes.append(
                NodeRow(
                    code: streetCode, parentCode: spec.cityCode, level: NodeLevel.street.rawValue, name: streetName,
                    serial: s + 1, geometry: nil, lat: sCentre.lat, lon: sCentre.lon))
            nodes.append(contentsOf: streetChildren)
        }
    }

    static func mean(_ points: [GeoPoint]) -> GeoPoint {
        guard !points.isEmpty else { return GeoPoint(lat: 0, lon: 0) }
        return GeoPoint(
            lat: points.map(\.lat).reduce(0, +) / Double(points.count),
            lon: points.map(\.lon).reduce(0, +) / Double(points.count))
    }

    private mutating func addBuildings(
        count: Int, compoundCode: String, quad: Quad, bungalow: Bool, address: String,
        quota: inout [Int], buildingIndex: inout Int, rng: inout SeededGenerator
    ) {
        let perRow = max(1, Int(Double(count).squareRoot().rounded(.up)))
        for b in 0..<count {
            let buildingCode = compoundCode + String(format: "%03d", b + 1)
            let u = (Double(b % perRow) + 0.5) / Double(perRow)
            let v = (Double(b / perRow) + 0.5) / Double((count + perRow - 1) / perRow)
            let point = Self.rounded(Self.bilinear(quad, 0.1 + 0.8 * u, 0.1 + 0.8 * v))
            buildingPoints[buildingCode] = point
            let buildingName =
                bungalow ? "\(DemoNames.chineseNumerals[b % 10])\(b >= 10 ? "\(b / 10)" : "")排" : "\(b + 1)号楼"
            nodes.append(
                NodeRow(
                    code: buildingCode, parentCode: compoundCode, level: NodeLevel.building.rawValue,
                    name: buildingName,
                    serial: b + 1, geometry: nil, lat: point.lat, lon: point.lon))
            let total = quota[buildingIndex]
            buildingIndex += 1
            let units = bungalow ? 1 : min(max(1, total / 10), 4)
            for (ui, n) in DemoSpec.spread(total, over: units).enumerated() {
                let unitCode = buildingCode + String(format: "%02d", ui + 1)
                nodes.append(
                    NodeRow(
                        code: unitCode, parentCode: buildingCode, level: NodeLevel.unit.rawValue,
                        name: bungalow ? "院落" : "\(ui + 1)单元", serial: ui + 1, geometry: nil, lat: nil, lon: nil))
                for h in 0..<n {
                    if bungalow {
                        let number = h + 1
                        households.append(
                            HouseholdRow(
                                code: unitCode + String(format: "%04d", number),
                                address: "\(address)\(buildingName)\(number)号", houseType: "bungalow",
                                floor: 1, room: "\(number)号", area: Double(rng.int(45...120))))
                    } else {
                        let floor = h / 2 + 1
                        let door = h % 2 + 1
                        let room = "\(floor)0\(door)"
                        households.append(
                            HouseholdRow(
                                code: unitCode + String(format: "%04d", floor * 100 + door),
                                address: "\(address)\(buildingName)\(ui + 1)单元\(room)室", houseType: "flat",
                                floor: floor, room: room, area: Double(rng.int(55...140))))
                    }
                }
            }
        }
    }
}
