import SQLKit
import Vapor
import ZhiliDomain

/// Reading residents. Every path checks scope through `ScopedQuery` and is audited by the
/// route that calls it; ID numbers and phones leave only in masked form.
struct ResidentReads {
    let db: any SQLDatabase

    struct Row: Decodable {
        let id: UUID
        let household_code: String
        let name: String
        let sex: String
        let birth_date: String
        let id_number_masked: String
        let phone_masked: String?
        let ethnicity: String
        let relation: String
        let residency_type: String
        let political_status: String
        /// Present only when the query asked for it (`Dialect.residentTagsColumn`).
        var tags: String? = nil
    }

    static let columns = ["id", "household_code", "name", "sex", "birth_date", "id_number_masked", "phone_masked",
                          "ethnicity", "relation", "residency_type", "political_status"]

    func find(_ id: UUID) async throws -> Row? {
        try await db.select().columns(Self.columns).from("residents").where("id", .equal, id).first(decoding: Row.self)
    }

    func list(under code: HierarchyCode, scope: DataScope, limit: Int, offset: Int) async throws -> [Row] {
        try await db.select().columns(Self.columns).from("residents")
            .where("household_code", .greaterThanOrEqual, code.value)
            .where("household_code", .lessThan, code.rangeUpperBound)
            .scoped(scope, column: "household_code")
            .orderBy("household_code").orderBy("id")
            .limit(limit).offset(offset)
            .all(decoding: Row.self)
    }

    func members(of household: String) async throws -> [Row] {
        try await db.select().columns(Self.columns).from("residents")
            .where("household_code", .equal, household).orderBy("relation").all(decoding: Row.self)
    }

    private struct TagRow: Decodable { let resident_id: UUID; let tag: String }

    func tags(of ids: [UUID]) async throws -> [UUID: [String]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.select().columns("resident_id", "tag").from("resident_tags")
            .where("resident_id", .in, ids).all(decoding: TagRow.self)
        return Dictionary(grouping: rows, by: \.resident_id).mapValues { $0.map(\.tag) }
    }
}

struct ResidentDTO: Content {
    let id: UUID
    let householdCode: String
    let name: String
    let sex: String
    let birthDate: String
    let idNumberMasked: String
    let phoneMasked: String?
    let ethnicity: String
    let relation: String
    let residencyType: String
    let politicalStatus: String
    let tags: [String]

    init(id: UUID, householdCode: String, name: String, sex: String, birthDate: String, idNumberMasked: String, phoneMasked: String?,
         ethnicity: String, relation: String, residencyType: String, politicalStatus: String, tags: [String]) {
        self.id = id; self.householdCode = householdCode; self.name = name; self.sex = sex; self.birthDate = birthDate
        self.idNumberMasked = idNumberMasked; self.phoneMasked = phoneMasked; self.ethnicity = ethnicity; self.relation = relation
        self.residencyType = residencyType; self.politicalStatus = politicalStatus; self.tags = tags
    }

    init(_ r: ResidentReads.Row, tags: [String]) {
        id = r.id
        householdCode = r.household_code
        name = r.name
        sex = r.sex
        birthDate = r.birth_date
        idNumberMasked = r.id_number_masked
        phoneMasked = r.phone_masked
        ethnicity = r.ethnicity
        relation = r.relation
        residencyType = r.residency_type
        politicalStatus = r.political_status
        self.tags = tags
    }
}
