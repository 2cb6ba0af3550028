import Foundation

/// Rows the demo generator produces, one struct per table, written in bulk by `DemoWriter`.
struct NodeRow: Sendable {
    let code: String
    let parentCode: String?
    let level: String
    let name: String
    let serial: Int
    let geometry: String?
    let lat: Double?
    let lon: Double?
}

struct HouseholdRow: Sendable {
    let code: String
    let address: String
    let houseType: String
    let floor: Int?
    let room: String
    let area: Double
}

struct ResidentRow: Sendable {
    let id: UUID
    let householdCode: String
    let name: String
    let sex: String
    let birthDate: String
    let birthYear: Int
    let idNumber: String
    let phone: String?
    let ethnicity: String
    let relation: String
    let residencyType: String
    let politicalStatus: String
    let employmentGroup: String?
}

struct TagRow: Sendable {
    let id: UUID
    let residentID: UUID
    let householdCode: String
    let tag: String
    let detail: String?
}
struct PartyOrgRow: Sendable {
    let id: UUID
    let kind: String
    let name: String
    let parentID: UUID?
    let nodeCode: String
}
struct PartyMemberRow: Sendable {
    let id: UUID
    let residentID: UUID
    let orgID: UUID
    let householdCode: String
    let kind: String
    let employer: String?
    let joinedYear: Int
}
struct VolunteerRow: Sendable {
    let id: UUID
    let residentID: UUID
    let householdCode: String
    let skills: String
    let hours: Double
}
struct PlaceRow: Sendable {
    let id: UUID
    let kind: String
    let name: String
    let nodeCode: String
    let lat: Double
    let lon: Double
    let address: String?
}
struct OrganizationRow: Sendable {
    let id: UUID
    let kind: String
    let name: String
    let category: String
    let nodeCode: String
    let lat: Double
    let lon: Double
}
struct DeviceRow: Sendable {
    let id: UUID
    let serial: String
    let kind: String
    let name: String
    let nodeCode: String
    let lat: Double
    let lon: Double
    let status: String
}
