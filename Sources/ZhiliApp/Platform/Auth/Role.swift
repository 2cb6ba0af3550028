import ZhiliDomain

/// Who a person is to the platform. Staff roles are bound to a hierarchy node and see what
/// lies beneath it; residents, volunteers, merchants and co-building units see their own part.
public enum Role: String, Codable, CaseIterable, Sendable {
    case resident
    case gridWorker = "grid_worker"
    case communityStaff = "community_staff"
    case streetOfficial = "street_official"
    case cityOfficial = "city_official"
    case departmentStaff = "department_staff"
    case volunteer
    case merchant
    case coBuildingUnit = "co_building_unit"
    case admin

    public var nameZh: String {
        switch self {
        case .resident: "居民"
        case .gridWorker: "网格员"
        case .communityStaff: "社区工作人员"
        case .streetOfficial: "街道（镇）干部"
        case .cityOfficial: "市级领导"
        case .departmentStaff: "部门工作人员"
        case .volunteer: "党员/志愿者"
        case .merchant: "商户"
        case .coBuildingUnit: "共建单位"
        case .admin: "系统管理员"
        }
    }

    public var nameEn: String {
        switch self {
        case .resident: "Resident"
        case .gridWorker: "Grid worker"
        case .communityStaff: "Community staff"
        case .streetOfficial: "Street official"
        case .cityOfficial: "City official"
        case .departmentStaff: "Department staff"
        case .volunteer: "Party member / volunteer"
        case .merchant: "Merchant"
        case .coBuildingUnit: "Co-building unit"
        case .admin: "Administrator"
        }
    }

    /// Staff roles read residents' records within their node.
    public var isStaff: Bool {
        switch self {
        case .gridWorker, .communityStaff, .streetOfficial, .cityOfficial, .departmentStaff, .admin: true
        default: false
        }
    }

    /// The hierarchy level a staff account of this role is normally bound to.
    public var expectedLevel: NodeLevel? {
        switch self {
        case .gridWorker: .grid
        case .communityStaff: .community
        case .streetOfficial: .street
        case .cityOfficial, .departmentStaff, .admin: .city
        default: nil
        }
    }
}

/// The five departments the seed names (组织、政法、民政、执法、应急).
public enum Department: String, Codable, CaseIterable, Sendable {
    case organization, politicsLaw = "politics_law", civilAffairs = "civil_affairs", enforcement, emergency

    public var nameZh: String {
        switch self {
        case .organization: "组织部"
        case .politicsLaw: "政法委"
        case .civilAffairs: "民政局"
        case .enforcement: "综合执法局"
        case .emergency: "应急管理局"
        }
    }
}
