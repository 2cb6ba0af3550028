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
        api.put("categories", ":code", use: saveCategory)
        ComplaintInsightRoutes.register(app)
        // Up to 9 photos ride along with a submission; the whole body is capped at 40 MB
        // (each photo at 10 MB), larger bodies are refused before they are read.
        api.on(.POST, body: .collect(maxSize: PhotoUploads.requestLimit), use: submit)
        api.get(use: list)
        api.get("nearby", use: nearby)
        api.get("rates", use: rates)
        api.get(":id", use: detail)
        api.post(":id", "actions", use: act)
        api.post(":id", "follow", use: ComplaintFollowers.followAPI)
        api.post(":id", "reveal", use: reveal)
        api.on(.POST, ":id", "photos", body: .collect(maxSize: PhotoUploads.requestLimit), use: addPhotos)
        api.get(":id", "photos", ":photo", use: photo)
    }

    @Sendable static func categories(req: Request) async throws -> [ComplaintCategories.Category] {
        _ = try req.requirePrincipal()
        return try await ComplaintCategories.cached(req.zhili.settings, on: req.sql).filter(\.active)
    }

    struct CategoryInput: Content {
        var parentCode: String?
        var nameZh: String
        var nameEn: String
        var handlerKind: String
        var department: String?
        var tier: String
        var keywords: String?
        var active: Bool?
        var questions: [CategoryQuestion]?
        var templates: [String]?
        var publicListing: Bool?
    }

    /// Administrators configure the tree: handler, time limit, extra questions, reply templates.
    @Sendable static func saveCategory(req: Request) async throws -> ComplaintCategories.Category {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let code = req.parameters.get("code") ?? ""
        let i = try req.content.decode(CategoryInput.self)
        let category = ComplaintCategories.Category(
            code: code, parentCode: i.parentCode.flatMap { $0.isEmpty ? nil : $0 }, nameZh: i.nameZh.trimmingCharacters(in: .whitespaces),
            nameEn: i.nameEn.trimmingCharacters(in: .whitespaces), handlerKind: i.handlerKind, department: i.department, tier: i.tier,
            keywords: i.keywords.map { String($0.prefix(500)) }, active: i.active ?? true, questions: i.questions ?? [], templates: i.templates ?? [],
            publicListing: i.publicListing ?? true)
        try ComplaintCategories.validate(category, known: try await ComplaintCategories.all(on: req.sql))
        try await ComplaintCategories.save(category, on: req.sql)
        req.zhili.settings.invalidate()
        await req.audit.record(action: "update", entity: "complaint_category", entityID: code, detail: "\(category.tier) \(category.handlerKind)")
        return category
    }

    /// The `photos[]` files of a multipart body; none for JSON.
    static func photoFiles(_ req: Request) throws -> [File] {
        guard req.headers.contentType?.type == "multipart" else { return [] }
        return try req.content.decode(ComplaintSubmission.PhotoFields.self).photos ?? []
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let input = try req.content.decode(ComplaintSubmission.Input.self)
        let key = try idempotencyKey(req)
        let files = try photoFiles(req)
        let (id, created, row) = try await ComplaintSubmission(req)
            .submit(input, photos: files, by: p, channel: p.role == .resident ? "app" : "staff", idempotencyKey: key)
        let response = Response(status: created ? .created : .ok)
        if let row {
            // Just written: answer from what was stored rather than reading it back.
            let name = try await categoryNames(req)[row.category_code] ?? row.category_code
            var fresh = ComplaintDTO(row, categoryName: name, viewer: p, now: row.created_at,
                                     timeline: [.init(at: row.created_at, actor_name: p.displayName, actor_role: p.role.rawValue, action: "submit",
                                                      label_zh: "提交诉求", note: nil, from_status: nil, to_status: ComplaintStatus.submitted.rawValue)])
            fresh.photos = files.isEmpty ? [] : try await PhotoUploads.list(ownerKind: "complaint", ownerID: id, db: req.sql)
            try response.content.encode(fresh)
        } else {
            try response.content.encode(try await dto(req, id: id, viewer: p, timeline: true))
        }
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/complaints/\(id.uuidString)")
        return response
    }

    /// An `Idempotency-Key` header: at most 255 visible ASCII characters, kept per account.
    static func idempotencyKey(_ req: Request) throws -> String? {
        guard let raw = req.headers.first(name: "Idempotency-Key") else { return nil }
        guard (1...255).contains(raw.utf8.count), raw.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw AppError(.badRequest, code: "invalid_idempotency_key", zh: "Idempotency-Key 须为 1–255 个可见 ASCII 字符",
                           en: "Idempotency-Key must be 1–255 visible ASCII characters", field: "Idempotency-Key")
        }
        return raw
    }

    static func load(_ req: Request, id: UUID) async throws -> ComplaintRow {
        guard let row = try await req.sql.select().columns(ComplaintRow.columns).from("complaints").where("id", .equal, id)
            .first(decoding: ComplaintRow.self) else { throw AppError.notFound(entity: "complaint") }
        return row
    }

    static func dto(_ req: Request, id: UUID, viewer: Principal, timeline: Bool) async throws -> ComplaintDTO {
        let row = try await load(req, id: id)
        let names = try await categoryNames(req)
        var dto = ComplaintDTO(row, categoryName: names[row.category_code] ?? row.category_code, viewer: viewer,
                               timeline: timeline ? try await ComplaintTimeline(db: req.sql).events(id) : nil)
        if timeline {
            // Photos show people and places; the public view has none.
            dto.photos = dto.full ? try await PhotoUploads.list(ownerKind: "complaint", ownerID: id, db: req.sql) : []
            dto.followers = try await ComplaintFollowers.count(id, db: req.sql)
        }
        return dto
    }

    /// Category code → Chinese name, from the settings cache.
    static func categoryNames(_ req: Request) async throws -> [String: String] {
        let all = try await ComplaintCategories.cached(req.zhili.settings, on: req.sql)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0.nameZh) })
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
        guard try await ComplaintFollowers.mayRead(req, p, row) else {
            await req.audit.record(action: "read_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw AppError.notFound(entity: "complaint")
        }
        return try await dto(req, id: id, viewer: p, timeline: true)
    }

    struct RevealInput: Content { let reason: String }
    struct RevealedSubmitter: Content { let submitterName: String? }

    /// An administrator reads who filed an anonymous complaint, with a stated reason, audited.
    @Sendable static func reveal(req: Request) async throws -> RevealedSubmitter {
        let p = try req.requirePrincipal()
        let id = try complaintID(req)
        let row = try await load(req, id: id)
        guard p.role == .admin else {
            await req.audit.record(action: "reveal_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw ComplaintPolicy.readsInFull(p, row) ? AppError.forbidden : AppError.notFound(entity: "complaint")
        }
        let reason = try RevealReason.validated(try req.content.decode(RevealInput.self).reason)
        await req.audit.record(action: "reveal", entity: "complaint", entityID: id.uuidString, detail: "submitter: \(reason)")
        return RevealedSubmitter(submitterName: row.submitter_name)
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
        let status = try await req.db.writeTransaction { db -> ComplaintStatus in
            let sql = db as! any SQLDatabase
            // Re-read inside the transaction so two people acting at once cannot both pass the
            // check; a merge locks its target too (PostgreSQL; SQLite has one writer).
            try await Dialect(sql).lockRows(sql, table: "complaints", ids: [id] + (input.action == "merge" ? input.into.map { [$0] } ?? [] : []))
            guard let row = try await sql.select().columns(ComplaintRow.columns).from("complaints").where("id", .equal, id)
                .first(decoding: ComplaintRow.self) else { throw AppError.notFound("Complaint", zhWhat: "诉求") }
            guard ComplaintPolicy.readsInFull(p, row) else { throw AppError.notFound(entity: "complaint") }
            return try await ComplaintWorkflow(db: sql, channels: req.zhili.config.notifications).perform(input, on: row, by: p)
        }
        req.zhili.notifications.wake()
        await req.audit.record(action: "complaint_\(input.action)", entity: "complaint", entityID: id.uuidString, detail: status.rawValue)
        return status
    }

    struct PhotoStage: Content { var stage: String? }

    /// Photo stages and their timeline labels.
    static let photoStages: [String: String] = ["before": "处理前照片", "after": "处理后照片", "progress": "现场照片", "report": "补充照片"]

    /// Handlers add before/after/progress photos; the submitter may add more while it waits for review.
    @Sendable static func addPhotos(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try complaintID(req)
        let stage = try req.content.decode(PhotoStage.self).stage ?? "progress"
        try await attachPhotos(req, id: id, files: try photoFiles(req), stage: stage, by: p)
        return try await dto(req, id: id, viewer: p, timeline: true)
    }

    /// Shared by the API and the complaint page: checks who may add, then stores all or nothing.
    static func attachPhotos(_ req: Request, id: UUID, files: [File], stage: String, by p: Principal) async throws {
        guard let label = photoStages[stage] else {
            throw AppError.invalid("stage", zh: "照片阶段应为 before、after、progress 或 report", en: "stage must be before, after, progress or report")
        }
        let row = try await load(req, id: id)
        guard ComplaintPolicy.readsInFull(p, row) else { throw AppError.notFound(entity: "complaint") }
        guard ComplaintPolicy.addsPhotosAtSomeStage(p, row) else { throw AppError.forbidden }
        guard ComplaintPolicy.mayAddPhotos(p, row) else {
            throw AppError(.conflict, code: "photos_not_allowed", zh: "当前状态下您不能为该诉求添加照片", en: "You cannot add photos to this complaint now")
        }
        guard files.contains(where: { $0.data.readableBytes > 0 || !$0.filename.isEmpty }) else {
            throw AppError.invalid("photos", zh: "请选择至少一张照片", en: "Choose at least one photo")
        }
        let prepared = try await PhotoUploads.prepare(files, on: req.application.threadPool).map { (UUID(), $0) }
        let media = req.zhili.media
        do {
            try await req.db.writeTransaction { tx in
                let db = tx as! any SQLDatabase
                try await PhotoUploads.save(prepared, ownerKind: "complaint", ownerID: id, stage: stage, by: p, store: media, db: db)
                try await ComplaintTimeline(db: db).add(id, actor: p, action: "photos", label: label, note: "\(prepared.count) 张", from: nil, to: nil)
            }
        } catch {
            PhotoUploads.discard(prepared.map(\.0), store: media)
            throw error
        }
        await req.audit.record(action: "complaint_photos", entity: "complaint", entityID: id.uuidString, detail: "\(stage):\(prepared.count)")
    }

    struct PhotoQuery: Content { var size: String? }

    @Sendable static func photo(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let id = try complaintID(req)
        guard let raw = req.parameters.get("photo"), let photoID = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "照片编号格式错误", en: "Malformed photo id", field: "photo")
        }
        let row = try await load(req, id: id)
        guard ComplaintPolicy.readsInFull(p, row) else { throw AppError.notFound("Photo", zhWhat: "照片") }
        guard try await PhotoUploads.belongs(photoID, ownerKind: "complaint", ownerID: id, db: req.sql) else {
            throw AppError.notFound("Photo", zhWhat: "照片")
        }
        let size = try req.query.decode(PhotoQuery.self).size
        return try PhotoUploads.response(photoID, variant: size == "thumb" ? .thumb : .image, store: req.zhili.media)
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
            overdue(select, now: Date())
        } else {
            select.orderBy("created_at", .descending)
        }
        let rows = try await select.limit(limit).offset(offset).all(decoding: ComplaintRow.self)
        let names = try await categoryNames(req)
        return Page(items: rows.map { ComplaintDTO($0, categoryName: names[$0.category_code] ?? $0.category_code, viewer: p) }, limit: limit, offset: offset)
    }

    /// Open complaints past their resolve deadline, most overdue first. The status list is
    /// written out (not bound) so both databases can use the partial index of open deadlines.
    static func overdue(_ select: SQLSelectBuilder, now: Date) {
        select.where(SQLRaw("status IN ('dispatched', 'signed', 'in_progress')")).where("resolve_by", .lessThan, now).orderBy("resolve_by")
    }

    /// Complaints a person may list: their own (residents, or anyone asking for "mine"),
    /// those sent to their department, or those in their area plus any assigned to them.
    static func visible(to p: Principal, on db: any SQLDatabase, mine: Bool = false) throws -> SQLSelectBuilder {
        let select = db.select().columns(ComplaintRow.columns).from("complaints")
        if p.role == .resident || mine {
            // Their own, and those they follow.
            select.where { group in
                group.where("submitter_id", .equal, p.userID)
                    .orWhere(SQLColumn("id"), .in, SQLSubquery.select { $0.column("complaint_id").from("complaint_followers").where("user_id", .equal, p.userID) })
            }
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

    /// Residents (before filing) and staff see open complaints of a category around a point,
    /// as the public may: no names, phones or ID numbers in the words.
    @Sendable static func nearby(req: Request) async throws -> [ComplaintSubmission.Nearby] {
        let p = try req.requirePrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let q = try req.query.decode(NearbyQuery.self)
        guard (-90...90).contains(q.lat), (-180...180).contains(q.lon) else {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        return try await ComplaintSubmission(req).nearby(category: q.category, lat: q.lat, lon: q.lon)
    }

    struct RatesQuery: Content { var under: String?; var from: String?; var to: String?; var fromMonth: String?; var toMonth: String? }

    static func month(_ raw: String?, field: String) throws -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        guard raw.count == 7, ComplaintRateCells.bounds(of: raw) != nil else {
            throw AppError(.badRequest, code: "invalid_value", zh: "月份格式应为 YYYY-MM（如 2026-01）", en: "Use YYYY-MM months", field: field)
        }
        return raw
    }

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
        let from = try instant(q.from, field: "from"), to = try instant(q.to, field: "to")
        let rates = ComplaintRates(db: req.sql, gate: req.zhili.rateRefresh, cache: req.zhili.reports)
        if from != nil || to != nil {
            return try await rates.report(under: code, from: from, to: to, childNames: names)
        }
        return try await rates.report(under: code, fromMonth: try month(q.fromMonth, field: "fromMonth"),
                                      toMonth: try month(q.toMonth, field: "toMonth"), childNames: names)
    }
}
