import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// What handling a complaint needs, shared by the JSON API and the complaint pages: a
/// complaint as a person may see it, one step of the loop, photos added to it. Built at the
/// edge from a request (`ComplaintDesk(req)`); its methods take no request.
struct ComplaintDesk {
    let database: any Database
    let categories: SettingCache<[ComplaintCategories.Category]>
    let channels: NotificationConfig
    let dispatcher: NotificationDispatcher
    let audit: AuditService
    let media: MediaStore
    let pool: NIOThreadPool

    init(_ req: Request) {
        database = req.db
        categories = req.complaints.categories
        channels = req.zhili.config.notifications
        dispatcher = req.notifications.dispatcher
        audit = req.audit
        media = req.zhili.media
        pool = req.application.threadPool
    }

    var sql: any SQLDatabase { get throws { try database.sql } }

    func load(_ id: UUID) async throws -> ComplaintRow { try await ComplaintStore.load(id, on: sql) }

    /// Category code → Chinese name, from the settings cache.
    func categoryNames() async throws -> [String: String] {
        let all = try await ComplaintCategories.cached(categories, on: sql)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0.nameZh) })
    }

    func dto(_ id: UUID, viewer: Principal, timeline: Bool) async throws -> ComplaintDTO {
        let db = try sql
        let row = try await load(id)
        let names = try await categoryNames()
        var dto = ComplaintDTO(
            row, categoryName: names[row.category_code] ?? row.category_code, viewer: viewer,
            timeline: timeline ? try await ComplaintTimeline(db: db).events(id) : nil)
        if timeline {
            // Photos show people and places; the public view has none.
            dto.photos = dto.full ? try await PhotoUploads.list(ownerKind: "complaint", ownerID: id, db: db) : []
            dto.followers = try await ComplaintFollowers.count(id, db: db)
        }
        return dto
    }

    /// One step of the loop in a transaction, audited.
    @discardableResult
    func perform(_ id: UUID, input: ComplaintWorkflow.Input, by p: Principal) async throws -> ComplaintStatus {
        let channels = self.channels
        let status = try await database.writeTransaction { db -> ComplaintStatus in
            let sql = try db.sql
            // Re-read inside the transaction so two people acting at once cannot both pass the
            // check; a merge locks its target too (PostgreSQL; SQLite has one writer).
            let merged = input.action == "merge" ? input.into.map { [$0] } ?? [] : []
            try await Dialect(sql).lockRows(sql, table: "complaints", ids: [id] + merged)
            let row = try await ComplaintStore.load(id, on: sql)
            guard ComplaintPolicy.readsInFull(p, row) else { throw AppError.notFound(entity: "complaint") }
            return try await ComplaintWorkflow(db: sql, channels: channels).perform(input, on: row, by: p)
        }
        dispatcher.wake()
        await audit.record(
            action: "complaint_\(input.action)", entity: "complaint", entityID: id.uuidString,
            detail: status.rawValue)
        return status
    }

    /// Photo stages and their timeline labels.
    static let photoStages: [String: String] = [
        "before": "处理前照片", "after": "处理后照片", "progress": "现场照片", "report": "补充照片",
    ]

    /// Checks who may add, then stores all or nothing.
    func attachPhotos(_ id: UUID, files: [File], stage: String, by p: Principal) async throws {
        guard let label = Self.photoStages[stage] else {
            throw AppError.invalid(
                "stage", zh: "照片阶段应为 before、after、progress 或 report",
                en: "stage must be before, after, progress or report")
        }
        let row = try await load(id)
        guard ComplaintPolicy.readsInFull(p, row) else { throw AppError.notFound(entity: "complaint") }
        guard ComplaintPolicy.addsPhotosAtSomeStage(p, row) else { throw AppError.forbidden }
        guard ComplaintPolicy.mayAddPhotos(p, row) else {
            throw AppError(
                .conflict, code: "photos_not_allowed", zh: "当前状态下您不能为该诉求添加照片",
                en: "You cannot add photos to this complaint now")
        }
        guard files.contains(where: { $0.data.readableBytes > 0 || !$0.filename.isEmpty }) else {
            throw AppError.invalid("photos", zh: "请选择至少一张照片", en: "Choose at least one photo")
        }
        let prepared = try await PhotoUploads.prepare(files, on: pool).map { (UUID(), $0) }
        let media = self.media
        do {
            try await database.writeTransaction { tx in
                let db = try tx.sql
                try await PhotoUploads.save(
                    prepared, ownerKind: "complaint", ownerID: id, stage: stage, by: p, store: media, db: db)
                try await ComplaintTimeline(db: db).add(
                    id, actor: p, action: "photos", label: label,
                    note: "\(prepared.count) 张", from: nil, to: nil)
            }
        } catch {
            PhotoUploads.discard(prepared.map(\.0), store: media)
            throw error
        }
        await audit.record(
            action: "complaint_photos", entity: "complaint", entityID: id.uuidString,
            detail: "\(stage):\(prepared.count)")
    }
}

/// Reading a complaint request's parts: the id in the path, photo files, months, instants.
enum ComplaintInput {
    static func id(_ raw: String?) throws -> UUID {
        guard let raw, let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    struct PhotoStage: Content { var stage: String? }

    /// "YYYY-MM"; empty is an error in the API, "not given" in forms (`emptyIsAbsent`).
    static func month(_ raw: String?, field: String, emptyIsAbsent: Bool = false) throws -> String? {
        guard let raw, !(raw.isEmpty && emptyIsAbsent) else { return nil }
        guard raw.count == 7, ComplaintRateCells.bounds(of: raw) != nil else {
            throw AppError(
                .badRequest, code: "invalid_value", zh: "月份格式应为 YYYY-MM（如 2026-01）",
                en: "Use YYYY-MM months", field: field)
        }
        return raw
    }

    /// ISO 8601 date-times in the query (the OpenAPI format), a clear 400 otherwise.
    static func instant(_ raw: String?, field: String, emptyIsAbsent: Bool = false) throws -> Date? {
        try QueryValue.instant(raw, field: field, emptyIsAbsent: emptyIsAbsent)
    }
}
