import SQLKit
import Vapor
import ZhiliDomain

/// The configurable category tree. Each category says who handles it by default (the grid
/// worker of the place, or a department) and its time-limit tier.
enum ComplaintCategories {
    struct Category: Content, Sendable {
        let code: String
        let parentCode: String?
        let nameZh: String
        let nameEn: String
        let handlerKind: String      // grid_worker | department
        let department: String?
        let tier: String
        let keywords: String?
        let active: Bool
    }

    /// (code, parent, zh, en, handler, department, tier, keywords)
    static let defaults: [(String, String?, String, String, String, String?, String, String?)] = [
        ("environment", nil, "环境卫生", "Environment", "grid_worker", nil, "7d", nil),
        ("environment.garbage", "environment", "垃圾清运", "Rubbish collection", "grid_worker", nil, "24h", "垃圾,清运,堆放,异味"),
        ("environment.noise", "environment", "噪声扰民", "Noise", "department", "enforcement", "24h", "噪音,噪声,施工,吵"),
        ("environment.greenery", "environment", "绿化养护", "Greenery", "grid_worker", nil, "7d", "树,绿化,草坪"),
        ("property", nil, "物业管理", "Property management", "grid_worker", nil, "7d", nil),
        ("property.elevator", "property", "电梯故障", "Lift failure", "grid_worker", nil, "24h", "电梯,困人,停运"),
        ("property.parking", "property", "停车管理", "Parking", "grid_worker", nil, "7d", "停车,车位,占道"),
        ("utilities", nil, "水电气暖", "Utilities", "department", "emergency", "24h", nil),
        ("utilities.water", "utilities", "供水", "Water supply", "department", "emergency", "24h", "停水,漏水,水压,水管"),
        ("utilities.heating", "utilities", "供暖", "Heating", "department", "emergency", "24h", "暖气,供暖,不热"),
        ("utilities.power", "utilities", "供电", "Electricity", "department", "emergency", "2h", "停电,电线,漏电"),
        ("disputes", nil, "矛盾纠纷", "Disputes", "grid_worker", nil, "7d", "纠纷,吵架,邻里"),
        ("safety", nil, "安全隐患", "Safety hazards", "grid_worker", nil, "2h", "隐患,消防,火,燃气,泄漏"),
        ("safety.fire_lane", "safety", "消防通道堵塞", "Blocked fire lane", "grid_worker", nil, "2h", "消防通道,堵塞"),
        ("facilities", nil, "公共设施", "Public facilities", "grid_worker", nil, "7d", "路灯,井盖,健身器材,破损"),
        ("welfare", nil, "民生救助", "Welfare and assistance", "department", "civil_affairs", "15d", "低保,救助,困难,养老"),
        ("enforcement", nil, "违法建设", "Illegal construction", "department", "enforcement", "15d", "违建,私搭乱建,占用"),
    ]

    static func seed(on db: any SQLDatabase) async throws {
        let insert = db.insert(into: "complaint_categories")
            .columns("code", "parent_code", "name_zh", "name_en", "handler_kind", "department", "tier", "keywords", "active")
        for c in defaults {
            insert.values(SQLBind(c.0), SQLBind(c.1), SQLBind(c.2), SQLBind(c.3), SQLBind(c.4), SQLBind(c.5), SQLBind(c.6),
                          SQLBind(c.7), SQLBind(true))
        }
        try await insert.run()
    }

    static func all(on db: any SQLDatabase) async throws -> [Category] {
        try await db.select().columns("code", "parent_code", "name_zh", "name_en", "handler_kind", "department", "tier", "keywords", "active")
            .from("complaint_categories").orderBy("code").all(decoding: Category.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    static func find(_ code: String, on db: any SQLDatabase) async throws -> Category? {
        try await all(on: db).first { $0.code == code && $0.active }
    }
}
