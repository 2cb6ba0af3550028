import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// The photos table: any capability may attach pictures to one of its records (a complaint
/// today; visits and inspections later) by owner kind, owner id and stage.
struct CreatePhotos: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("photos")
            .field("id", .uuid, .identifier(auto: false))
            .field("owner_kind", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("stage", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("bytes", .int, .required)
            .field("uploaded_by", .uuid)
            .field("uploaded_by_name", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.raw("CREATE INDEX photos_owner ON photos (owner_kind, owner_id, created_at)").run()
    }

    func revert(on database: any Database) async throws { try await database.schema("photos").delete() }
}

struct PhotoInfo: Content, Sendable {
    let id: UUID
    let stage: String
    let width: Int
    let height: Int
    let uploadedBy: String?
    let createdAt: Date
}

enum PhotoUploads {
    static let maxPerUpload = 9
    /// The largest request that carries photos (9 photos, each at most 10 MB, after any
    /// shrinking in the phone); larger bodies are refused before they are read.
    static let requestLimit: ByteCount = "40mb"

    /// Checks and normalises every file before anything is stored: one bad file refuses the
    /// whole upload, so a submission never keeps half of its pictures.
    static func prepare(_ files: [File], on pool: NIOThreadPool) async throws -> [NormalizedPhoto] {
        // A form's file field with nothing chosen sends an empty part without a name; a named
        // file with no bytes is a failed upload, refused rather than silently dropped.
        for (index, file) in files.enumerated() where file.data.readableBytes == 0 && !file.filename.isEmpty {
            throw AppError(
                .unprocessableEntity, code: "empty_photo",
                zh: "第 \(index + 1) 个文件“\(file.filename.prefix(40))”是空文件，请重新选择",
                en: "File \(index + 1) is empty; choose it again", field: "photos")
        }
        let files = files.filter { $0.data.readableBytes > 0 }
        guard files.count <= maxPerUpload else {
            throw AppError(
                .unprocessableEntity, code: "too_many_photos", zh: "最多上传 \(maxPerUpload) 张照片",
                en: "At most \(maxPerUpload) photos", field: "photos")
        }
        var out: [NormalizedPhoto] = []
        for (index, file) in files.enumerated() {
            let data = Data(buffer: file.data)
            let n = index + 1
            do {
                out.append(
                    try await pool.runIfActive { () throws -> NormalizedPhoto in try PhotoProcessing.normalize(data) })
            } catch let problem as PhotoProblem {
                throw error(problem, number: n)
            }
        }
        return out
    }

    static func error(_ problem: PhotoProblem, number n: Int) -> AppError {
        switch problem {
        case .notAnImage:
            return AppError(
                .unprocessableEntity, code: "not_an_image", zh: "第 \(n) 个文件不是 JPEG 或 PNG 照片",
                en: "File \(n) is not a JPEG or PNG photo", field: "photos")
        case .corrupt:
            return AppError(
                .unprocessableEntity, code: "corrupt_image", zh: "第 \(n) 张照片已损坏，无法读取",
                en: "Photo \(n) is damaged and cannot be read", field: "photos")
        case .tooManyPixels:
            return AppError(
                .unprocessableEntity, code: "image_too_large", zh: "第 \(n) 张照片像素过多（上限 5000 万像素）",
                en: "Photo \(n) has too many pixels (50 megapixels at most)", field: "photos")
        case .tooLarge(let bytes):
            return AppError(
                .payloadTooLarge, code: "photo_too_large",
                zh: "第 \(n) 张照片 \(bytes / 1_048_576) MB，超过每张 \(PhotoProcessing.maxBytes / 1_048_576) MB 的上限",
                en:
                    "Photo \(n) is \(bytes / 1_048_576) MB; each may be at most \(PhotoProcessing.maxBytes / 1_048_576) MB",
                field: "photos")
        case .outOfMemory:
            return AppError(
                .serviceUnavailable, code: "busy", zh: "服务器繁忙，请稍后重试", en: "Server busy, try again", field: "photos")
        }
    }

    /// Writes the image and thumbnail files; the database rows make them exist.
    static func writeFiles(_ photos: [(UUID, NormalizedPhoto)], store: MediaStore) throws {
        for (id, photo) in photos {
            try store.write(id, .image, photo.image)
            try store.write(id, .thumb, photo.thumbnail)
        }
    }

    /// Writes the files, then the rows (in the caller's transaction). On a failure the caller
    /// passes the ids to `discard` so no orphan file stays behind.
    static func save(
        _ photos: [(UUID, NormalizedPhoto)], ownerKind: String, ownerID: UUID, stage: String, by p: Principal?,
        store: MediaStore, db: any SQLDatabase
    ) async throws {
        guard !photos.isEmpty else { return }
        try writeFiles(photos, store: store)
        let now = Date()
        let insert = db.insert(into: "photos").columns(
            "id", "owner_kind", "owner_id", "stage", "width", "height", "bytes",
            "uploaded_by", "uploaded_by_name", "created_at")
        for (id, photo) in photos {
            insert.values(
                SQLBind(id), SQLBind(ownerKind), SQLBind(ownerID), SQLBind(stage), SQLBind(photo.width),
                SQLBind(photo.height),
                SQLBind(photo.image.count), SQLBind(p?.userID), SQLBind(p?.displayName), SQLBind(now))
        }
        try await insert.run()
    }

    struct Fields: Content { var photos: [File]? }

    /// The files of a form's `photos[]` field; none when the request is not multipart.
    static func files(_ req: Request) throws -> [File] {
        guard req.headers.contentType?.type == "multipart" else { return [] }
        return try req.content.decode(Fields.self).photos ?? []
    }

    static func discard(_ ids: [UUID], store: MediaStore) {
        for id in ids { store.remove(id) }
    }

    static func list(ownerKind: String, ownerID: UUID, db: any SQLDatabase) async throws -> [PhotoInfo] {
        try await db.select().columns("id", "stage", "width", "height", "uploaded_by_name", "created_at").from("photos")
            .where("owner_kind", .equal, ownerKind).where("owner_id", .equal, ownerID).orderBy("created_at")
            .all(decoding: Row.self).map {
                PhotoInfo(
                    id: $0.id, stage: $0.stage, width: $0.width, height: $0.height, uploadedBy: $0.uploaded_by_name,
                    createdAt: $0.created_at)
            }
    }

    private struct Row: Decodable {
        let id: UUID
        let stage: String
        let width: Int
        let height: Int
        let uploaded_by_name: String?
        let created_at: Date
    }

    /// Whether the photo exists and belongs to that owner.
    static func belongs(_ id: UUID, ownerKind: String, ownerID: UUID, db: any SQLDatabase) async throws -> Bool {
        struct One: Decodable { let id: UUID }
        return try await db.select().column("id").from("photos").where("id", .equal, id).where(
            "owner_kind", .equal, ownerKind
        )
        .where("owner_id", .equal, ownerID).first(decoding: One.self) != nil
    }

    /// The JPEG as a private, cacheable response.
    static func response(_ id: UUID, variant: MediaStore.Variant, store: MediaStore) throws -> Response {
        guard let data = store.read(id, variant) else { throw AppError.notFound("Photo", zhWhat: "照片") }
        var headers = HTTPHeaders()
        headers.contentType = .jpeg
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400, immutable")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
