import Vapor
import ZhiliDomain

struct NodeCounts: Content, Sendable, Equatable {
    var children = 0
    var households = 0
    var residents = 0
}

struct NodeSummary: Content, Sendable {
    let code: String
    let level: String
    let levelName: String
    let name: String
    let counts: NodeCounts
}

struct Breadcrumb: Content, Sendable {
    let code: String
    let name: String
    let level: String
}

struct NodeDetail: Content, Sendable {
    let code: String
    let level: String
    let levelName: String
    let name: String
    let parentCode: String?
    let path: [Breadcrumb]
    let counts: NodeCounts
    let lat: Double?
    let lon: Double?
    let geometry: String?
    let retired: Bool
}

struct NodeCreateInput: Content, Sendable {
    let parentCode: String
    let name: String
    /// GeoJSON Polygon geometry object (for grids and compounds).
    let geometry: GeoJSONPolygonInput?
    let lat: Double?
    let lon: Double?
}

struct NodeUpdateInput: Content, Sendable {
    let name: String?
    let geometry: GeoJSONPolygonInput?
    let lat: Double?
    let lon: Double?
}

struct GeoJSONPolygonInput: Content, Sendable {
    let type: String
    let coordinates: [[[Double]]]
}

struct GridLocation: Content, Sendable {
    let gridCode: String
    let gridName: String
    let communityCode: String
    let communityName: String
    let streetName: String
    let cityName: String
}

struct HouseholdMember: Content, Sendable {
    let id: UUID
    let name: String
    let sex: String
    let birthDate: String
    let idNumberMasked: String
    let phoneMasked: String?
    let relation: String
    let residencyType: String
}

struct HouseholdDetail: Content, Sendable {
    let code: String
    let address: String
    let houseType: String
    let floor: Int?
    let room: String
    let path: [Breadcrumb]
    let members: [HouseholdMember]
    let tags: [String]
}
