import Foundation
import ZhiliDomain

/// Places and things: the seven registered place kinds, auxiliary records (shops,
/// facilities), merchants of the 15-minute circle, co-building units and sensing devices.
struct DemoPlaces {
    var places: [PlaceRow] = []
    var organizations: [OrganizationRow] = []
    var devices: [DeviceRow] = []

    /// Kind, display name stem and weight of the auxiliary records.
    static let placeKinds: [(String, String, Double)] = [
        ("shop", "商铺", 0.30), ("supermarket", "超市", 0.06), ("restaurant", "餐馆", 0.08), ("hydrant", "消火栓", 0.10),
        ("ev_charger", "电动车充电桩", 0.07), ("elevator", "电梯", 0.09), ("camera", "公共视频点位", 0.06),
        ("streetlight", "路灯", 0.08), ("waste_station", "垃圾分类站", 0.05), ("parking", "停车场", 0.03),
        ("manhole", "窨井", 0.04), ("fitness", "健身器材", 0.02),
        ("business_district", "商圈", 0.002), ("service_station", "服务驿站", 0.004), ("party_center", "党群服务中心", 0.002),
        ("elderly_care", "日间照料中心", 0.003), ("health_station", "卫生服务站", 0.003), ("culture_sports", "文体活动室", 0.003),
        ("school", "学校", 0.002),
    ]

    static func point(in polygon: GeoPolygon, rng: inout SeededGenerator) -> GeoPoint {
        let box = polygon.boundingBox
        for _ in 0..<30 {
            let p = GeoPoint(
                lat: box.minLat + (box.maxLat - box.minLat) * rng.unitInterval(),
                lon: box.minLon + (box.maxLon - box.minLon) * rng.unitInterval())
            if polygon.contains(p) { return DemoGeography.rounded(p) }
        }
        return DemoGeography.rounded(polygon.centroid)
    }

    init(spec: DemoSpec, geography: DemoGeography, rng: inout SeededGenerator) {
        let grids = geography.gridPolygons
        let weights = Self.placeKinds.map(\.2)
        places.reserveCapacity(spec.auxiliaryPlaces)
        for i in 0..<spec.auxiliaryPlaces {
            let (code, polygon) = grids[i % grids.count]
            let kind = Self.placeKinds[rng.weightedIndex(weights)]
            let compounds = geography.compoundsByGrid[code] ?? []
            let node = compounds.isEmpty || rng.chance(0.4) ? code : rng.pick(compounds)
            let p = Self.point(in: polygon, rng: &rng)
            places.append(
                PlaceRow(
                    id: rng.uuid(), kind: kind.0, name: "\(kind.1)\(String(format: "%05d", i + 1))", nodeCode: node,
                    lat: p.lat, lon: p.lon, address: nil))
        }
        let merchantCategories = ["餐饮", "购物", "出行", "家政", "维修", "养老", "托育", "医疗", "文化", "体育", "美容美发", "洗衣", "生鲜", "药店"]
        let merchantNames = ["老张", "沙州", "鸣沙", "飞天", "月泉", "阳光", "便民", "惠民", "丝路", "驼铃", "敦煌", "党河"]
        for i in 0..<spec.merchants {
            let (code, polygon) = grids[rng.int(0...(grids.count - 1))]
            let category = rng.pick(merchantCategories)
            let p = Self.point(in: polygon, rng: &rng)
            organizations.append(
                OrganizationRow(
                    id: rng.uuid(), kind: "merchant", name: "\(rng.pick(merchantNames))\(category)\(i + 1)号店",
                    category: category, nodeCode: code, lat: p.lat, lon: p.lon))
        }
        let unitKinds = ["机关", "事业单位", "国有企业", "学校", "医院", "非公企业", "社会组织"]
        let unitNames = ["市税务局", "市供电公司", "市人民医院", "敦煌研究院", "市第一中学", "市自来水公司", "市文旅局", "市市场监管局", "农商银行", "市消防救援大队"]
        for i in 0..<spec.coBuildingUnits {
            let (code, polygon) = grids[rng.int(0...(grids.count - 1))]
            let p = Self.point(in: polygon, rng: &rng)
            let base = unitNames[i % unitNames.count]
            organizations.append(
                OrganizationRow(
                    id: rng.uuid(), kind: "co_building",
                    name: i < unitNames.count ? base : "\(base)第\(i / unitNames.count + 1)支部",
                    category: rng.pick(unitKinds), nodeCode: code, lat: p.lat, lon: p.lon))
        }
        let deviceKinds: [(String, String, Double)] = [
            ("ai_camera", "AI智能摄像头", 0.4), ("sos_button", "SOS一键报警", 0.25),
            ("wristband", "智能手环", 0.3), ("big_screen", "智慧调度大屏", 0.05),
        ]
        for i in 0..<spec.devices {
            let (code, polygon) = grids[rng.int(0...(grids.count - 1))]
            let kind = deviceKinds[rng.weightedIndex(deviceKinds.map(\.2))]
            let p = Self.point(in: polygon, rng: &rng)
            devices.append(
                DeviceRow(
                    id: rng.uuid(), serial: "DH-\(kind.0.uppercased())-\(String(format: "%04d", i + 1))", kind: kind.0,
                    name: "\(kind.1)\(i + 1)", nodeCode: code, lat: p.lat, lon: p.lon,
                    status: rng.chance(0.92) ? "online" : "offline"))
        }
    }
}
