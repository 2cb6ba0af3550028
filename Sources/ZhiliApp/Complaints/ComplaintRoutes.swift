import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// JSON API of 接诉即办: categories, submission, the inbox, one complaint with its timeline,
/// the actions of the loop, nearby duplicates and the three rates.
enum ComplaintRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "complaints")
        api.get("categories", use: categories)
        api.post(use: submit)
        api.get(use: list)
        api.get("nearby", use: nearby)
        api.get("rates", use: rates)
        api.get(":id", use: detail)
        api.post(":id", "actions", use: act)
    }

    @Sendable static func categories(req: Request) async throws -> [ComplaintCategories.Category] {
        _ = try req.requirePrincipal()
        return try await ComplaintCategories.all(on: req.sql).filter(\.active)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let input = try req.content.decode(ComplaintSubmission.Input.self)
        let key = req.headers.first(name: "Idempotency-Key").map { String($0.prefix(100)) }
        let (id, created) = try await ComplaintSubmission(db: req.sql, locator: req.zhili.gridLocator)
            .submit(input, by: p, channel: p.role == .resident ? "app" : "staff", idempotencyKey: key)
        if created { await req.audit.record(action: "create", entity: "complaint", entityID: id.uuidString) }
        let response = Response(status: created ? .created : .ok)
        try response.content.encode(try await dto(req, id: id, viewer: p, timeline: true))
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/complaints/\(id.uuidString)")
        return response
    }

    static func load(_ req: Request, id: UUID) async throws -> ComplaintRow {
        guard let row = try await req.sql.select().columns(ComplaintRow.columns).from("complaints").where("id", .equal, id)
            .first(decoding: ComplaintRow.self) else { throw AppError.notFound("Complaint", zhWhat: "诉求") }
        return row
    }

    /// Residents see their own; staff see those in their area, department staff those sent to them.
    static func mayRead(_ p: Principal, _ c: ComplaintRow) -> Bool {
        if c.submitter_id == p.userID || c.handler_user_id == p.userID { return true }
        if p.role == .departmentStaff, c.handler_department == p.department?.rawValue { return true }
        return p.role.isStaff && p.scope.allows(code: c.grid_code)
    }

    static func dto(_ req: Request, id: UUID, viewer: Principal, timeline: Bool) async throws -> ComplaintDTO {
        let row = try await load(req, id: id)
        let names = Dictionary(uniqueKeysWithValues: try await ComplaintCategories.all(on: req.sql).map { ($0.code, $0.nameZh) })
        return ComplaintDTO(row, categoryName: names[row.category_code] ?? row.category_code, viewer: viewer,
                            timeline: timeline ? try await ComplaintTimeline(db: req.sql).events(id) : nil)
    }

    static func complaintID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    @Sendable static func detail(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try complaintID(req)
        let row = try await load(req, id: id)
        guard mayRead(p, row) else {
            await req.audit.record(action: "read_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw AppError.forbidden
        }
        return try await dto(req, id: id, viewer: p, timeline: true)
    }

    @Sendable static func act(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try complaintID(req)
        try await perform(req, id: id, input: try req.content.decode(ComplaintWorkflow.Input.self), by: p)
        return try await dto(req, id: id, viewer: p, timeline: true)
    }

    /// One step of the loop in a transaction, audited; shared by the API and the complaint page.
    @discardableResult
    static func perform(_ req: Request, id: UUID, input: ComplaintWorkflow.Input, by p: Principal) async throws -> ComplaintStatus {
        let status = try await req.db.transaction { db -> ComplaintStatus in
            let sql = db as! any SQLDatabase
            // Re-read inside the transaction so two people acting at once cannot both pass the check.
            guard let row = try await sql.select().columns(ComplaintRow.columns).from("complaints").where("id", .equal, id)
                .first(decoding: ComplaintRow.self) else { throw AppError.notFound("Complaint", zhWhat: "诉求") }
            guard mayRead(p, row) else { throw AppError.forbidden }
            return try await ComplaintWorkflow(db: sql).perform(input, on: row, by: p)
        }
        await req.audit.record(action: "complaint_\(input.action)", entity: "complaint", entityID: id.uuidString, detail: status.rawValue)
        return status
    }

    struct ListQuery: Content {
        var status: String?
        var overdue: Bool?
        var mine: Bool?
        var limit: Int?
        var offset: Int?
    }

    struct Page: Content { let items: [ComplaintDTO]; let limit: Int; let offset: Int }

    @Sendable static func list(req: Request) async throws -> Page {
        let p = try req.requirePrincipal()
        let q = try req.query.decode(ListQuery.self)
        let limit = min(max(q.limit ?? 50, 1), 200), offset = min(max(q.offset ?? 0, 0), 1_000_000)
        let select = try visible(to: p, on: req.sql, mine: q.mine == true)
        if let s = q.status {
            guard ComplaintStatus(rawValue: s) != nil else {
                throw AppError.invalid("status", zh: "状态“\(s.prefix(20))”无效", en: "Unknown status")
            }
            select.where("status", .equal, s)
        }
        if q.overdue == true {
            select.where("status", .in, [ComplaintStatus.dispatched, .signed, .inProgress].map(\.rawValue))
                .where("resolve_by", .lessThan, Date())
        }
        let rows = try await select.orderBy("created_at", .descending).limit(limit).offset(offset).all(decoding: ComplaintRow.self)
        let names = Dictionary(uniqueKeysWithValues: try await ComplaintCategories.all(on: req.sql).map { ($0.code, $0.nameZh) })
        return Page(items: rows.map { ComplaintDTO($0, categoryName: names[$0.category_code] ?? $0.category_code, viewer: p) }, limit: limit, offset: offset)
    }

    /// Complaints a person may list: their own (residents, or anyone asking for "mine"),
    /// those sent to their department, or those in their area plus any assigned to them.
    static func visible(to p: Principal, on db: any SQLDatabase, mine: Bool = false) throws -> SQLSelectBuilder {
        let select = db.select().columns(ComplaintRow.columns).from("complaints")
        if p.role == .resident || mine {
            select.where("submitter_id", .equal, p.userID)
        } else if p.role == .departmentStaff {
            select.where("handler_department", .equal, p.department?.rawValue ?? "")
        } else if p.role.isStaff {
            if let range = p.scope.codeRange {
                select.where { group in
                    group.where { inside in
                        inside.where("grid_code", .greaterThanOrEqual, range.lower).where("grid_code", .lessThan, range.upper)
                    }.orWhere("handler_user_id", .equal, p.userID)
                }
            }
        } else {
            throw AppError.forbidden
        }
        return select
    }

    struct NearbyQuery: Content { let category: String; let lat: Double; let lon: Double }

    @Sendable static func nearby(req: Request) async throws -> [ComplaintSubmission.Nearby] {
        _ = try req.requirePrincipal()
        let q = try req.query.decode(NearbyQuery.self)
        guard (-90...90).contains(q.lat), (-180...180).contains(q.lon) else {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        return try await ComplaintSubmission(db: req.sql, locator: req.zhili.gridLocator).nearby(category: q.category, lat: q.lat, lon: q.lon)
    }

    struct RatesQuery: Content { var under: String?; var from: String?; var to: String? }

    /// ISO 8601 date-times in the query (the OpenAPI format), a clear 400 otherwise.
    static func instant(_ raw: String?, field: String) throws -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        let f = ISO8601DateFormatter()
        if let d = f.date(from: raw) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: raw) { return d }
        throw AppError(.badRequest, code: "invalid_value", zh: "时间格式应为 ISO 8601（如 2026-01-01T00:00:00Z）", en: "Use ISO 8601 date-times", field: field)
    }

    @Sendable static func rates(req: Request) async throws -> ComplaintRates.Report {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let q = try req.query.decode(RatesQuery.self)
        let code = try parseCode(q.under ?? p.nodeCode ?? "", field: "under")
        guard p.scope.allowsBrowsing(code: code.value) || p.role == .admin else { throw AppError.forbidden }
        let names = Dictionary(try await HierarchyRoutes.reads(req).children(of: code).map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await ComplaintRates(db: req.sql).report(under: code, from: try instant(q.from, field: "from"), to: try instant(q.to, field: "to"), childNames: names)
    }
}
