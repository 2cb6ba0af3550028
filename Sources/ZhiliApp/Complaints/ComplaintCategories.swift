import Fluent
import Foundation
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
        let handlerKind: String  // grid_worker | department
        let department: String?
        let tier: String
        let keywords: String?
        let active: Bool
        /// Extra questions asked on submission (Open311 attributes).
        var questions: [CategoryQuestion] = []
        /// Reply templates offered to handlers; {编号} {分类} {处理人} {时限} are filled in.
        var templates: [String] = []
        /// Listed on the public (Open311) tracker. Off for matters of a person's own life
        /// (welfare, health, minors, disputes between neighbours).
        var publicListing: Bool = true
    }

    private struct Row: Decodable {
        let code: String
        let parent_code: String?
        let name_zh: String
        let name_en: String
        let handler_kind: String
        let department: String?
        let tier: String
        let keywords: String?
        let active: Bool
        let questions: String?
        let templates: String?
        let public_listing: Bool?
    }

    /// Categories kept off the public tracker in a new city (by code, children included).
    static let privateByDefault: Set<String> = ["welfare", "disputes"]

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
            .columns(
                "code", "parent_code", "name_zh", "name_en", "handler_kind", "department", "tier", "keywords", "active")
        for c in defaults {
            insert.values(
                SQLBind(c.0), SQLBind(c.1), SQLBind(c.2), SQLBind(c.3), SQLBind(c.4), SQLBind(c.5), SQLBind(c.6),
                SQLBind(c.7), SQLBind(true))
        }
        try await insert.run()
    }

    static func all(on db: any SQLDatabase) async throws -> [Category] {
        let decoder = JSONDecoder()
        return try await db.select().columns(
            "code", "parent_code", "name_zh", "name_en", "handler_kind", "department", "tier", "keywords", "active",
            "questions", "templates", "public_listing"
        )
        .from("complaint_categories").orderBy("code").all(decoding: Row.self).map { r in
            Category(
                code: r.code, parentCode: r.parent_code, nameZh: r.name_zh, nameEn: r.name_en,
                handlerKind: r.handler_kind,
                department: r.department, tier: r.tier, keywords: r.keywords, active: r.active,
                questions: r.questions.flatMap { try? decoder.decode([CategoryQuestion].self, from: Data($0.utf8)) }
                    ?? [],
                templates: r.templates.flatMap { try? decoder.decode([String].self, from: Data($0.utf8)) } ?? [],
                publicListing: r.public_listing ?? true)
        }
    }

    /// The list from the settings cache (at most 30 s old; cleared when edited here).
    static func cached(_ cache: SettingCache<[Category]>, on db: any SQLDatabase) async throws -> [Category] {
        try await cache.value { try await all(on: db) }
    }

    /// The templates of a category with the complaint's own details filled in.
    static func filledTemplates(_ c: Category?, for row: ComplaintRow) -> [String] {
        let limit = row.tier.nameZh
        return (c?.templates ?? []).map {
            $0.replacingOccurrences(of: "{编号}", with: row.number).replacingOccurrences(
                of: "{分类}", with: c?.nameZh ?? ""
            )
            .replacingOccurrences(of: "{处理人}", with: row.handler_name ?? "处理人").replacingOccurrences(
                of: "{时限}", with: limit)
        }
    }

    /// Questions and templates a new city starts with (added by `ExtendComplaintCategories`).
    static let defaultQuestions: [String: [CategoryQuestion]] = [
        "property.elevator": [
            CategoryQuestion(
                code: "trapped", labelZh: "是否有人被困", labelEn: "Is anyone trapped?", kind: .single, options: ["是", "否"],
                required: true),
            CategoryQuestion(code: "building", labelZh: "楼栋单元", labelEn: "Building and entrance", kind: .text),
        ],
        "utilities.water": [
            CategoryQuestion(
                code: "scope", labelZh: "停水范围", labelEn: "How far does it reach?", kind: .single,
                options: ["本户", "本单元", "整栋楼", "整个小区"], required: true),
            CategoryQuestion(code: "since", labelZh: "开始日期", labelEn: "Since", kind: .date),
        ],
        "utilities.heating": [
            CategoryQuestion(code: "temperature", labelZh: "室内温度（℃）", labelEn: "Room temperature (°C)", kind: .number)
        ],
        "environment.noise": [
            CategoryQuestion(
                code: "when", labelZh: "噪声时段", labelEn: "When", kind: .multiple,
                options: ["白天", "夜间（22 点后）", "清晨（6 点前）"], required: true),
            CategoryQuestion(
                code: "source", labelZh: "噪声来源", labelEn: "Source", kind: .single,
                options: ["施工", "装修", "商铺", "娱乐活动", "其他"]),
        ],
        "safety.fire_lane": [
            CategoryQuestion(code: "plate", labelZh: "占道车辆车牌（如有）", labelEn: "Number plate (if any)", kind: .text)
        ],
    ]

    static let defaultTemplates: [String] = [
        "您好，您反映的{分类}问题（{编号}）已由{处理人}受理，将在{时限}内办结。",
        "经现场核实，您反映的问题已处理完毕，感谢您对社区工作的支持。",
        "已电话联系您，约定上门查看时间，请保持电话畅通。",
        "该问题需协调相关部门，已申请延期，处理进展会及时告知您。",
    ]

    /// Checks an edited category; a bad one is a clear error naming the field.
    static func validate(_ c: Category, known: [Category]) throws {
        guard c.code.count <= 60, !c.code.isEmpty,
            c.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") })
        else {
            throw AppError.invalid(
                "code", zh: "分类编码只能含字母、数字、下划线和点", en: "Category code: letters, digits, underscore, dot")
        }
        if let parent = c.parentCode, !known.contains(where: { $0.code == parent && $0.parentCode == nil }) {
            throw AppError.invalid("parentCode", zh: "上级分类不存在（只支持两级）", en: "Unknown parent category (two levels only)")
        }
        guard (1...30).contains(c.nameZh.count), (1...60).contains(c.nameEn.count) else {
            throw AppError.invalid(
                "nameZh", zh: "分类名称应为 1–30 字", en: "Names: 1–30 (Chinese) and 1–60 (English) characters")
        }
        guard ["grid_worker", "department"].contains(c.handlerKind) else {
            throw AppError.invalid(
                "handlerKind", zh: "承办方应为 grid_worker 或 department", en: "handlerKind is grid_worker or department")
        }
        if c.handlerKind == "department" && Department(rawValue: c.department ?? "") == nil {
            throw AppError.invalid("department", zh: "请选择承办部门", en: "Choose the handling department")
        }
        guard TimeLimitTier(rawValue: c.tier) != nil else {
            throw AppError.invalid("tier", zh: "时限应为 2h、24h、7d 或 15d", en: "tier is 2h, 24h, 7d or 15d")
        }
        guard c.questions.count <= 10, Set(c.questions.map(\.code)).count == c.questions.count else {
            throw AppError.invalid("questions", zh: "最多 10 个问题，编码不能重复", en: "At most 10 questions with distinct codes")
        }
        if let problem = c.questions.lazy.compactMap(\.definitionProblem).first {
            throw AppError.invalid("questions", zh: problem.zh, en: problem.en)
        }
        guard c.templates.count <= 20, c.templates.allSatisfy({ (1...500).contains($0.count) }) else {
            throw AppError.invalid(
                "templates", zh: "最多 20 条回复模板，每条 1–500 字", en: "At most 20 templates of 1–500 characters")
        }
    }

    /// Creates or replaces a category.
    static func save(_ c: Category, on db: any SQLDatabase) async throws {
        let encoder = JSONEncoder()
        let questions = String(decoding: try encoder.encode(c.questions), as: UTF8.self)
        let templates = String(decoding: try encoder.encode(c.templates), as: UTF8.self)
        try await db.transactionally { tx in
            try await tx.delete(from: "complaint_categories").where("code", .equal, c.code).run()
            try await tx.insert(into: "complaint_categories")
                .columns(
                    "code", "parent_code", "name_zh", "name_en", "handler_kind", "department", "tier", "keywords",
                    "active", "questions", "templates",
                    "public_listing"
                )
                .values(
                    SQLBind(c.code), SQLBind(c.parentCode), SQLBind(c.nameZh), SQLBind(c.nameEn),
                    SQLBind(c.handlerKind),
                    SQLBind(c.handlerKind == "department" ? c.department : nil), SQLBind(c.tier), SQLBind(c.keywords),
                    SQLBind(c.active),
                    SQLBind(questions), SQLBind(templates), SQLBind(c.publicListing)
                )
                .run()
        }
    }

    /// Codes of the categories the public tracker may list: listed themselves and under a
    /// listed parent.
    static func publicCodes(_ all: [Category]) -> Set<String> {
        let listed = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0.publicListing) })
        return Set(all.filter { c in c.publicListing && (c.parentCode.map { listed[$0] ?? true } ?? true) }.map(\.code))
    }

    static func find(_ code: String, on db: any SQLDatabase) async throws -> Category? {
        try await all(on: db).first { $0.code == code && $0.active }
    }
}

/// Extra questions and reply templates on categories; answers on complaints.
struct ExtendComplaintCategories: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("ALTER TABLE complaint_categories ADD COLUMN questions TEXT").run()
        try await sql.raw("ALTER TABLE complaint_categories ADD COLUMN templates TEXT").run()
        try await sql.raw("ALTER TABLE complaints ADD COLUMN answers TEXT").run()
        let encoder = JSONEncoder()
        let templates = String(decoding: try encoder.encode(ComplaintCategories.defaultTemplates), as: UTF8.self)
        try await sql.update("complaint_categories").set("templates", to: templates).run()
        for (code, questions) in ComplaintCategories.defaultQuestions {
            try await sql.update("complaint_categories").set(
                "questions", to: String(decoding: try encoder.encode(questions), as: UTF8.self)
            )
            .where("code", .equal, code).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("ALTER TABLE complaints DROP COLUMN answers").run()
        try await sql.raw("ALTER TABLE complaint_categories DROP COLUMN templates").run()
        try await sql.raw("ALTER TABLE complaint_categories DROP COLUMN questions").run()
    }
}
