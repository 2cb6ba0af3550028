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
        return try await ComplaintCategories.cached(req.complaints.categories, on: req.sql).filter(\.active)
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
            code: code, parentCode: i.parentCode.flatMap { $0.isEmpty ? nil : $0 },
            nameZh: i.nameZh.trimmingCharacters(in: .whitespaces),
            nameEn: i.nameEn.trimmingCharacters(in: .whitespaces), handlerKind: i.handlerKind, department: i.department,
            tier: i.tier,
            keywords: i.keywords.map { String($0.prefix(500)) }, active: i.active ?? true, questions: i.questions ?? [],
            templates: i.templates ?? [],
            publicListing: i.publicListing ?? true)
        try ComplaintCategories.validate(category, known: try await ComplaintCategories.all(on: req.sql))
        try await ComplaintCategories.save(category, on: req.sql)
        req.complaints.settingsChanged()
        await req.audit.record(
            action: "update", entity: "complaint_category", entityID: code,
            detail: "\(category.tier) \(category.handlerKind)")
        return category
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let input = try req.content.decode(ComplaintSubmission.Input.self)
        let key = try idempotencyKey(req)
        let files = try PhotoUploads.files(req)
        let (id, created, row) = try await ComplaintSubmission(req)
            .submit(input, photos: files, by: p, channel: p.role == .resident ? "app" : "staff", idempotencyKey: key)
        let response = Response(status: created ? .created : .ok)
        if let row {
            // Just written: answer from what was stored rather than reading it back.
            let name = try await ComplaintDesk(req).categoryNames()[row.category_code] ?? row.category_code
            var fresh = ComplaintDTO(
                row, categoryName: name, viewer: p, now: row.created_at,
                timeline: [
                    .init(
                        at: row.created_at, actor_name: p.displayName, actor_role: p.role.rawValue, action: "submit",
                        label_zh: "提交诉求", note: nil, from_status: nil, to_status: ComplaintStatus.submitted.rawValue)
                ])
            fresh.photos =
                files.isEmpty ? [] : try await PhotoUploads.list(ownerKind: "complaint", ownerID: id, db: req.sql)
            try response.content.encode(fresh)
        } else {
            try response.content.encode(try await ComplaintDesk(req).dto(id, viewer: p, timeline: true))
        }
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/complaints/\(id.uuidString)")
        return response
    }

    /// An `Idempotency-Key` header: at most 255 visible ASCII characters, kept per account.
    static func idempotencyKey(_ req: Request) throws -> String? {
        guard let raw = req.headers.first(name: "Idempotency-Key") else { return nil }
        guard (1...255).contains(raw.utf8.count), raw.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw AppError(
                .badRequest, code: "invalid_idempotency_key", zh: "Idempotency-Key 须为 1–255 个可见 ASCII 字符",
                en: "Idempotency-Key must be 1–255 visible ASCII characters", field: "Idempotency-Key")
        }
        return raw
    }

    @Sendable static func detail(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        _ = try await ComplaintFollowers.readable(req, p, id: id)
        return try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
    }

    struct RevealInput: Content { let reason: String }
    struct RevealedSubmitter: Content { let submitterName: String? }

    /// An administrator reads who filed an anonymous complaint, with a stated reason, audited.
    @Sendable static func reveal(req: Request) async throws -> RevealedSubmitter {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let row = try await ComplaintDesk(req).load(id)
        guard p.role == .admin else {
            await req.audit.record(
                action: "reveal_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw ComplaintPolicy.readsInFull(p, row) ? AppError.forbidden : AppError.notFound(entity: "complaint")
        }
        let reason = try RevealReason.validated(try req.content.decode(RevealInput.self).reason)
        await req.audit.record(
            action: "reveal", entity: "complaint", entityID: id.uuidString, detail: "submitter: \(reason)")
        return RevealedSubmitter(submitterName: row.submitter_name)
    }

    @Sendable static func act(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        try await ComplaintDesk(req).perform(id, input: try req.content.decode(ComplaintWorkflow.Input.self), by: p)
        return try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
    }

    /// Handlers add before/after/progress photos; the submitter may add more while it waits for review.
    @Sendable static func addPhotos(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let stage = try req.content.decode(ComplaintInput.PhotoStage.self).stage ?? "progress"
        try await ComplaintDesk(req).attachPhotos(id, files: try PhotoUploads.files(req), stage: stage, by: p)
        return try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
    }

    struct PhotoQuery: Content { var size: String? }

    @Sendable static func photo(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        guard let raw = req.parameters.get("photo"), let photoID = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "照片编号格式错误", en: "Malformed photo id", field: "photo")
        }
        let row = try await ComplaintDesk(req).load(id)
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

    struct Page: Content {
        let items: [ComplaintDTO]
        let limit: Int
        let offset: Int
    }

    @Sendable static func list(req: Request) async throws -> Page {
        let p = try req.requirePrincipal()
        let q = try req.query.decode(ListQuery.self)
        let limit = try QueryValue.int(q.limit, default: 50, in: 1...200, field: "limit")
        let offset = try QueryValue.int(q.offset, default: 0, in: 0...1_000_000, field: "offset")
        let select = try ComplaintStore.visible(to: p, on: req.sql, mine: q.mine == true)
        if let s = q.status {
            guard ComplaintStatus(rawValue: s) != nil else {
                throw AppError.invalid("status", zh: "状态“\(s.prefix(20))”无效", en: "Unknown status")
            }
            select.where("status", .equal, s)
        }
        if q.overdue == true {
            ComplaintStore.overdue(select, now: Date())
        } else {
            select.orderBy("created_at", .descending)
        }
        let rows = try await select.limit(limit).offset(offset).all(decoding: ComplaintRow.self)
        let names = try await ComplaintDesk(req).categoryNames()
        return Page(
            items: rows.map { ComplaintDTO($0, categoryName: names[$0.category_code] ?? $0.category_code, viewer: p) },
            limit: limit, offset: offset)
    }

    struct NearbyQuery: Content {
        let category: String
        let lat: Double
        let lon: Double
    }

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

    struct RatesQuery: Content {
        var under: String?
        var from: String?
        var to: String?
        var fromMonth: String?
        var toMonth: String?
    }

    @Sendable static func rates(req: Request) async throws -> ComplaintRates.Report {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let q = try req.query.decode(RatesQuery.self)
        let code = try parseCode(q.under ?? p.nodeCode ?? "", field: "under")
        guard p.scope.allowsBrowsing(code: code.value) || p.role == .admin else { throw AppError.forbidden }
        let names = Dictionary(
            try await req.hierarchy.reads(try req.sql).children(of: code).map { ($0.code, $0.name) },
            uniquingKeysWith: { a, _ in a })
        // Every given value is checked, whichever window is used.
        let from = try ComplaintInput.instant(q.from, field: "from")
        let to = try ComplaintInput.instant(q.to, field: "to")
        let fromMonth = try ComplaintInput.month(q.fromMonth, field: "fromMonth")
        let toMonth = try ComplaintInput.month(q.toMonth, field: "toMonth")
        let rates = ComplaintRates(db: try req.sql, gate: req.complaints.rateRefresh, cache: req.complaints.reports)
        if from != nil || to != nil {
            return try await rates.report(under: code, from: from, to: to, childNames: names)
        }
        return try await rates.report(under: code, fromMonth: fromMonth, toMonth: toMonth, childNames: names)
    }
}
