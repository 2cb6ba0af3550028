import SQLKit
import Vapor
import ZhiliDomain

/// JSON API for residents and households. Each read of a person is audited, including
/// refused ones.
enum PeopleRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("residents", ":id", use: resident)
        api.get("residents", use: residents)
        api.get("households", ":code", use: household)
        api.get("households", ":code", "qr.svg", use: householdQR)
    }

    @Sendable static func resident(req: Request) async throws -> ResidentDTO {
        let principal = try req.requirePrincipal()
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "居民编号格式错误", en: "Malformed resident id", field: "id")
        }
        let reads = ResidentReads(db: try req.sql)
        guard let row = try await reads.find(id) else { throw AppError.notFound(entity: "resident") }
        try await req.requireInScope(
            code: row.household_code, entity: "resident", id: raw,
            roleAllowed: principal.role.isStaff || principal.role == .resident)
        await req.audit.record(action: "read", entity: "resident", entityID: raw)
        return try await ResidentViews(req, viewer: principal).dtos([row])[0]
    }

    struct ListQuery: Content {
        var under: String?
        var limit: Int?
        var offset: Int?
    }

    struct ResidentPage: Content {
        let items: [ResidentDTO]
        let limit: Int
        let offset: Int
    }

    @Sendable static func residents(req: Request) async throws -> ResidentPage {
        let principal = try req.requirePrincipal()
        let q = try req.query.decode(ListQuery.self)
        guard principal.role.isStaff || principal.role == .resident else { throw AppError.forbidden }
        let under: HierarchyCode
        if let raw = q.under {
            under = try parseCode(raw, field: "under")
        } else if case .subtree(let root) = principal.scope {
            under = root
        } else if let anchor = principal.nodeCode, let code = try? HierarchyCode(validating: anchor) {
            under = code
        } else {
            throw AppError(
                .badRequest, code: "missing_field", zh: "请指定 under（节点编码）", en: "Give 'under' (a node code)",
                field: "under")
        }
        guard principal.scope.allowsBrowsing(code: under.value) else {
            await req.audit.record(action: "list_denied", entity: "resident", entityID: under.value, outcome: .denied)
            throw AppError.forbidden
        }
        let limit = try QueryValue.int(q.limit, default: 50, in: 1...200, field: "limit")
        let offset = try QueryValue.int(q.offset, default: 0, in: 0...10_000_000, field: "offset")
        let reads = ResidentReads(db: try req.sql)
        let rows = try await reads.list(under: under, scope: principal.scope, limit: limit, offset: offset)
        await req.audit.record(action: "list", entity: "resident", entityID: under.value, detail: "\(rows.count) rows")
        return ResidentPage(
            items: try await ResidentViews(req, viewer: principal).dtos(rows), limit: limit, offset: offset)
    }

    @Sendable static func household(req: Request) async throws -> HouseholdDetail {
        let principal = try req.requirePrincipal()
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard code.level == .household else {
            throw AppError(.badRequest, code: "invalid_code", zh: "不是户编码", en: "Not a household code", field: "code")
        }
        guard let detail = try await HouseholdReads(db: req.sql).detail(code) else {
            throw AppError.notFound(entity: "household")
        }
        try await req.requireInScope(
            code: code.value, entity: "household", id: code.value,
            roleAllowed: principal.role.isStaff || principal.role == .resident)
        await req.audit.record(action: "read", entity: "household", entityID: code.value)
        return try await detail.visible(to: principal, db: req.sql)
    }

    /// 一户一码: the door QR code points at the household's page.
    @Sendable static func householdQR(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard code.level == .household else {
            throw AppError(.badRequest, code: "invalid_code", zh: "不是户编码", en: "Not a household code", field: "code")
        }
        guard try await HouseholdReads(db: req.sql).exists(code) else {
            throw AppError.notFound(entity: "household_qr")
        }
        try await req.requireInScope(
            code: code.value, entity: "household_qr", id: code.value,
            roleAllowed: principal.role.isStaff || principal.role == .resident)
        let host = req.headers.first(name: .host) ?? "\(req.zhili.config.host):\(req.zhili.config.port)"
        let qr = try QRCode(text: "http://\(host)/h/\(code.value)", correction: .medium)
        let response = Response(status: .ok, body: .init(string: qr.svg(moduleSize: 8, border: 4)))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(code.value).svg\"")
        return response
    }
}

extension HouseholdDetail {
    /// What the viewer's role may see of the household: tags without those it may not see,
    /// children's names shortened (李*明) for roles that do not care for them directly.
    func visible(to viewer: Principal, db: any SQLDatabase) async throws -> HouseholdDetail {
        visible(to: viewer, catalogue: try await TagCatalogue.byCode(on: db))
    }

    func visible(to viewer: Principal, catalogue: [String: TagCatalogue.Definition]) -> HouseholdDetail {
        let year = ResidentViews.year(of: Date())
        return HouseholdDetail(
            code: code, address: address, houseType: houseType, floor: floor, room: room, path: path,
            members: members.map { m in
                let shown = ResidentViews.name(m.name, birthDate: m.birthDate, for: viewer, currentYear: year)
                guard shown != m.name else { return m }
                return HouseholdMember(
                    id: m.id, name: shown, sex: m.sex, birthDate: m.birthDate,
                    idNumberMasked: m.idNumberMasked, phoneMasked: m.phoneMasked, relation: m.relation,
                    residencyType: m.residencyType)
            },
            tags: tags.filter { TagVisibility.canSee(viewer, catalogue[$0]?.tagSensitivity ?? .normal) })
    }
}

struct HouseholdReads {
    let db: any SQLDatabase

    private struct Row: Decodable {
        let code: String
        let address: String
        let house_type: String
        let floor: Int?
        let room: String
    }

    func exists(_ code: HierarchyCode) async throws -> Bool {
        try await db.select().column("code").from("households").where("code", .equal, code.value)
            .first() != nil
    }

    func detail(_ code: HierarchyCode) async throws -> HouseholdDetail? {
        guard
            let row = try await db.select().columns("code", "address", "house_type", "floor", "room").from("households")
                .where("code", .equal, code.value).first(decoding: Row.self)
        else { return nil }
        let people = ResidentReads(db: db)
        let members = try await people.members(of: code.value)
        let tags = try await people.tags(of: members.map(\.id))
        let path = try await HierarchyReads.path(to: code, db: db)
        return HouseholdDetail(
            code: row.code, address: row.address, houseType: row.house_type, floor: row.floor, room: row.room,
            path: path,
            members: members.map {
                HouseholdMember(
                    id: $0.id, name: $0.name, sex: $0.sex, birthDate: $0.birth_date,
                    idNumberMasked: $0.id_number_masked,
                    phoneMasked: $0.phone_masked, relation: $0.relation, residencyType: $0.residency_type)
            },
            tags: Array(Set(tags.values.flatMap { $0 })).sorted()
        )
    }
}
