import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Shapes resident records for a particular viewer: sensitive tags only for roles that need
/// them, and children's names shortened for roles that do not care for them directly.
struct ResidentViews {
    let db: any SQLDatabase
    let viewer: Principal
    var catalogue: [String: TagCatalogue.Definition]? = nil

    /// For request paths: the catalogue from the app's short-lived cache.
    init(_ req: Request, viewer: Principal) async throws {
        self.db = try req.sql
        self.viewer = viewer
        self.catalogue = try await TagCatalogue.cached(req)
    }

    init(db: any SQLDatabase, viewer: Principal) {
        self.db = db
        self.viewer = viewer
    }

    /// `tagsInRows`: the rows carry their tags already (one query instead of two).
    func dtos(_ rows: [ResidentReads.Row], tagsInRows: Bool = false) async throws -> [ResidentDTO] {
        let tags =
            tagsInRows
            ? Dictionary(
                uniqueKeysWithValues: rows.map { ($0.id, ($0.tags ?? "").split(separator: ",").map(String.init)) })
            : try await ResidentReads(db: db).tags(of: rows.map(\.id))
        var catalogue = self.catalogue ?? [:]
        if self.catalogue == nil { catalogue = try await TagCatalogue.byCode(on: db) }
        let year = Self.year(of: Date())
        return rows.map { dto($0, tags: tags[$0.id] ?? [], catalogue: catalogue, currentYear: year) }
    }

    func dto(
        _ row: ResidentReads.Row, tags: [String], catalogue: [String: TagCatalogue.Definition], currentYear: Int? = nil
    ) -> ResidentDTO {
        let visible = tags.filter { TagVisibility.canSee(viewer, catalogue[$0]?.tagSensitivity ?? .normal) }
        let dto = ResidentDTO(row, tags: visible.sorted())
        let shown = Self.name(
            row.name, birthDate: row.birth_date, for: viewer, currentYear: currentYear ?? Self.year(of: Date()))
        return shown == row.name ? dto : dto.withName(shown)
    }

    /// A name as this viewer sees it: children under 14 shortened (李*明) for roles that do not
    /// care for them directly.
    static func name(_ name: String, birthDate: String, for viewer: Principal, currentYear: Int) -> String {
        guard isChild(birthDate: birthDate, currentYear: currentYear), !caresForChildren(viewer) else { return name }
        return shortened(name)
    }

    /// Roles that care for children directly see their full names.
    static func caresForChildren(_ viewer: Principal) -> Bool {
        switch viewer.role {
        case .gridWorker, .communityStaff, .admin, .resident: true
        case .departmentStaff: viewer.department == .civilAffairs
        default: false
        }
    }

    static func isChild(birthDate: String, currentYear: Int) -> Bool {
        guard let year = Int(birthDate.prefix(4)) else { return false }
        return currentYear - year < 14
    }

    static func year(of date: Date) -> Int { Calendar(identifier: .gregorian).component(.year, from: date) }

    /// 张小明 → 张*明, 李娜 → 李*.
    static func shortened(_ name: String) -> String {
        let chars = Array(name)
        guard chars.count > 1 else { return name }
        if chars.count == 2 { return "\(chars[0])*" }
        return "\(chars[0])" + String(repeating: "*", count: chars.count - 2) + "\(chars[chars.count - 1])"
    }
}

extension ResidentDTO {
    func withName(_ name: String) -> ResidentDTO {
        ResidentDTO(
            id: id, householdCode: householdCode, name: name, sex: sex, birthDate: birthDate,
            idNumberMasked: idNumberMasked,
            phoneMasked: phoneMasked, ethnicity: ethnicity, relation: relation, residencyType: residencyType,
            politicalStatus: politicalStatus, tags: tags)
    }
}

/// Everything about one person the viewer may see: record, household, tags with care plans,
/// visits, moves and the change history.
struct ResidentProfile: Content, Sendable {
    struct TagPlan: Content, Sendable {
        let tag: String
        let name: String
        let detail: String?
        let visitIntervalDays: Int?
        let nextVisitDue: String?
        let lastVisitAt: Date?
    }
    struct Move: Content, Sendable {
        let householdCode: String
        let movedInAt: Date
        let movedOutAt: Date?
        let reason: String?
    }
    struct Change: Content, Sendable {
        let field: String
        let oldValue: String?
        let newValue: String?
        let actorName: String?
        let at: Date
    }

    let resident: ResidentDTO
    let employer: String?
    let notes: String?
    let household: HouseholdDetail?
    let tags: [TagPlan]
    let visits: [CarePlans.Visit]
    let moves: [Move]
    let history: [Change]

    private struct TagRow: Decodable {
        let tag: String
        let detail: String?
        let visit_interval_days: Int?
        let next_visit_due: String?
        let last_visit_at: Date?
    }

    /// `catalogue`: the tag catalogue when the caller has it (request paths use the cached one).
    static func build(
        _ current: ResidentService.Current, viewer: Principal, db: any SQLDatabase,
        catalogue known: [String: TagCatalogue.Definition]? = nil
    ) async throws -> ResidentProfile {
        var catalogue = known ?? [:]
        if known == nil { catalogue = try await TagCatalogue.byCode(on: db) }
        guard let row = try await ResidentReads(db: db).find(current.id) else {
            throw AppError.notFound("Resident", zhWhat: "居民")
        }
        let views = ResidentViews(db: db, viewer: viewer)
        let tagRows = try await db.select().columns(
            "tag", "detail", "visit_interval_days", "next_visit_due", "last_visit_at"
        )
        .from("resident_tags").where("resident_id", .equal, current.id).all(decoding: TagRow.self)
        .filter { TagVisibility.canSee(viewer, catalogue[$0.tag]?.tagSensitivity ?? .normal) }
        // The household as this viewer may see it (its members' sensitive tags and children's names).
        let household = try await HouseholdReads(db: db).detail(try HierarchyCode(validating: current.household))?
            .visible(to: viewer, catalogue: catalogue)
        let moves = try await db.select().columns("household_code", "moved_in_at", "moved_out_at", "reason").from(
            "household_moves"
        )
        .where("resident_id", .equal, current.id).orderBy("moved_in_at", .descending).limit(50)
        .all(decoding: Move.self, keyDecodingStrategy: .convertFromSnakeCase)
        let history = try await db.select().columns("field", "old_value", "new_value", "actor_name", "at").from(
            "field_changes"
        )
        .where("entity", .equal, "resident").where("entity_id", .equal, current.id.uuidString)
        .orderBy("at", .descending).limit(50)
        .all(decoding: Change.self, keyDecodingStrategy: .convertFromSnakeCase)
        let sensitiveFields: Set<String> = ["tags"]
        return ResidentProfile(
            resident: views.dto(row, tags: tagRows.map(\.tag), catalogue: catalogue),
            employer: current.valid.employer, notes: current.valid.notes, household: household,
            tags: tagRows.map {
                TagPlan(
                    tag: $0.tag, name: catalogue[$0.tag]?.nameZh ?? $0.tag, detail: $0.detail,
                    visitIntervalDays: $0.visit_interval_days, nextVisitDue: $0.next_visit_due,
                    lastVisitAt: $0.last_visit_at)
            },
            visits: try await CarePlans(db: db).visits(of: current.id),
            moves: moves,
            history: history.filter {
                !sensitiveFields.contains($0.field) || viewer.role == .admin || viewer.role == .communityStaff
                    || viewer.role == .gridWorker
            }
        )
    }
}
