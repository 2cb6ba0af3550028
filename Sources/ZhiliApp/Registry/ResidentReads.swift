import SQLKit
import SQLiteKit
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

    static let columns = [
        "id", "household_code", "name", "sex", "birth_date", "id_number_masked", "phone_masked",
        "ethnicity", "relation", "residency_type", "political_status",
    ]

    /// The same columns qualified by table, written once (no per-request quoting).
    static let qualifiedColumns = SQLRaw(columns.map { "residents.\($0)" }.joined(separator: ", "))

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

    private struct TagRow: Decodable {
        let resident_id: UUID
        let tag: String
    }

    func tags(of ids: [UUID]) async throws -> [UUID: [String]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.select().columns("resident_id", "tag").from("resident_tags")
            .where("resident_id", .in, ids).all(decoding: TagRow.self)
        return Dictionary(grouping: rows, by: \.resident_id).mapValues { $0.map(\.tag) }
    }
}

extension ResidentReads.Row {
    /// Straight from SQLite's row, without SQLKit's generic decoding (search reads twenty).
    /// Columns are taken by position when the row has them in `ResidentReads.columns` order
    /// (then `tags`), as the search selects them; otherwise by name.
    init(sqlite row: SQLiteRow) throws {
        let columns = row.columns
        let inOrder =
            columns.count >= ResidentReads.columns.count
            && zip(columns, ResidentReads.columns).allSatisfy { $0.name == $1 }
        func value(_ index: Int, _ name: String) -> SQLiteData? {
            inOrder ? columns[index].data : row.column(name)
        }
        func text(_ index: Int, _ name: String) throws -> String {
            guard case .text(let s) = value(index, name) else {
                throw AppError.internalFailure("residents.\(name) is not text")
            }
            return s
        }
        func optional(_ index: Int, _ name: String) -> String? {
            guard case .text(let s) = value(index, name) else { return nil }
            return s
        }
        guard let id = UUIDText.parse(try text(0, "id")) else {
            throw AppError.internalFailure("residents.id is not a UUID")
        }
        self.id = id
        household_code = try text(1, "household_code")
        name = try text(2, "name")
        sex = try text(3, "sex")
        birth_date = try text(4, "birth_date")
        id_number_masked = try text(5, "id_number_masked")
        phone_masked = optional(6, "phone_masked")
        ethnicity = try text(7, "ethnicity")
        relation = try text(8, "relation")
        residency_type = try text(9, "residency_type")
        political_status = try text(10, "political_status")
        if inOrder {
            tags = columns.count > 11 && columns[11].name == "tags" ? optional(11, "tags") : nil
        } else {
            tags = optional(0, "tags")
        }
    }

    /// Column by column, without the keyed-container machinery of `Decodable` (search reads
    /// twenty of these per request).
    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self)
        household_code = try row.decode(column: "household_code", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        sex = try row.decode(column: "sex", as: String.self)
        birth_date = try row.decode(column: "birth_date", as: String.self)
        id_number_masked = try row.decode(column: "id_number_masked", as: String.self)
        phone_masked =
            try row.decodeNil(column: "phone_masked") ? nil : try row.decode(column: "phone_masked", as: String.self)
        ethnicity = try row.decode(column: "ethnicity", as: String.self)
        relation = try row.decode(column: "relation", as: String.self)
        residency_type = try row.decode(column: "residency_type", as: String.self)
        political_status = try row.decode(column: "political_status", as: String.self)
        if row.contains(column: "tags"), try !row.decodeNil(column: "tags") {
            tags = try row.decode(column: "tags", as: String.self)
        } else {
            tags = nil
        }
    }
}

extension ResidentDTO {
    /// The same JSON `JSONEncoder` writes for this type.
    func write(into json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.uuid(id)
        json.key("householdCode")
        json.string(householdCode)
        json.key("name")
        json.string(name)
        json.key("sex")
        json.string(sex)
        json.key("birthDate")
        json.string(birthDate)
        json.key("idNumberMasked")
        json.string(idNumberMasked)
        json.field("phoneMasked", phoneMasked)
        json.key("ethnicity")
        json.string(ethnicity)
        json.key("relation")
        json.string(relation)
        json.key("residencyType")
        json.string(residencyType)
        json.key("politicalStatus")
        json.string(politicalStatus)
        json.key("tags")
        json.strings(tags)
        json.endObject()
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

    init(
        id: UUID, householdCode: String, name: String, sex: String, birthDate: String, idNumberMasked: String,
        phoneMasked: String?,
        ethnicity: String, relation: String, residencyType: String, politicalStatus: String, tags: [String]
    ) {
        self.id = id
        self.householdCode = householdCode
        self.name = name
        self.sex = sex
        self.birthDate = birthDate
        self.idNumberMasked = idNumberMasked
        self.phoneMasked = phoneMasked
        self.ethnicity = ethnicity
        self.relation = relation
        self.residencyType = residencyType
        self.politicalStatus = politicalStatus
        self.tags = tags
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
