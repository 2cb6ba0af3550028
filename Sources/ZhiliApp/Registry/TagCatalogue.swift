import SQLKit
import Vapor
import ZhiliDomain

/// The configurable key-population tag catalogue, seeded from `KeyPopulationCatalogue`.
enum TagCatalogue {
    struct Definition: Content, Sendable {
        let code: String
        let parentCode: String?
        let nameZh: String
        let nameEn: String
        let sensitivity: String
        let visitIntervalDays: Int?
        let active: Bool

        var tagSensitivity: TagSensitivity { TagSensitivity(rawValue: sensitivity) ?? .normal }
    }

    static func seed(on db: any SQLDatabase) async throws {
        let insert = db.insert(into: "tag_definitions")
            .columns("code", "parent_code", "name_zh", "name_en", "sensitivity", "visit_interval_days", "active")
        for d in KeyPopulationCatalogue.defaults {
            insert.values(
                SQLBind(d.code), SQLBind(d.parentCode), SQLBind(d.nameZh), SQLBind(d.nameEn),
                SQLBind(d.sensitivity.rawValue), SQLBind(d.visitIntervalDays), SQLBind(true))
        }
        try await insert.run()
    }

    static func all(on db: any SQLDatabase) async throws -> [Definition] {
        try await db.select().columns(
            "code", "parent_code", "name_zh", "name_en", "sensitivity", "visit_interval_days", "active"
        )
        .from("tag_definitions").orderBy("code").all(
            decoding: Definition.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    static func byCode(on db: any SQLDatabase) async throws -> [String: Definition] {
        Dictionary(uniqueKeysWithValues: try await all(on: db).map { ($0.code, $0) })
    }

    static func cached(_ req: Request) async throws -> [String: Definition] {
        try await req.registry.tagCatalogue.value { try await byCode(on: req.sql) }
    }

    /// Accepts a code or a Chinese name ("孤寡老人" → elderly_alone).
    static func resolve(_ text: String, in catalogue: [String: Definition]) -> Definition? {
        let t = text.trimmingCharacters(in: .whitespaces)
        return catalogue[t] ?? catalogue.values.first { $0.nameZh == t || $0.nameEn.lowercased() == t.lowercased() }
    }
}

/// Who may see a person's sensitive tags (health, minors, welfare). Everyone reading must
/// also have the person in scope; this decides whether their role needs the detail.
enum TagVisibility {
    static func canSee(_ p: Principal, _ sensitivity: TagSensitivity) -> Bool {
        switch p.role {
        case .admin, .gridWorker, .communityStaff: return true
        case .departmentStaff:
            switch sensitivity {
            case .normal: return true
            case .health, .welfare, .minor: return p.department == .civilAffairs
            }
        case .streetOfficial: return sensitivity == .normal || sensitivity == .welfare
        case .cityOfficial: return sensitivity == .normal
        case .resident: return true  // only ever their own household, by scope
        case .volunteer, .merchant, .coBuildingUnit: return false
        }
    }

    /// Personal numbers may be revealed (with a stated reason) by these roles; children's
    /// numbers only by community staff and administrators.
    static func mayReveal(_ p: Principal, isChild: Bool) -> Bool {
        if isChild { return p.role == .communityStaff || p.role == .admin }
        switch p.role {
        case .admin, .gridWorker, .communityStaff: return true
        case .departmentStaff: return p.department == .civilAffairs || p.department == .politicsLaw
        default: return false
        }
    }
}
