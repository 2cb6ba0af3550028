import CoreMetrics
import Foundation
import SQLKit
import Vapor

/// The snapshot pictures a camera sends beside its alert, kept with the alarm the alert
/// raised or updated, so that the responder sees what the camera saw. Each picture is decoded
/// and encoded afresh like every photo of the platform (JPEG or PNG only, no metadata kept,
/// shrunk); a picture that cannot be read is counted and left out, never a reason to refuse
/// the alert itself. A camera repeats its alert while the event lasts: only an alert stored
/// now (not a repeat already stored) keeps pictures, at most `perAlert` of them, and an alarm
/// keeps at most `perAlarm` in all.
enum AlarmSnapshots {
    static let ownerKind = "alarm"
    static let stage = "snapshot"
    static let perAlert = 3
    static let perAlarm = 12

    static func count(_ outcome: String) {
        Counter(label: "zhili_camera_pictures_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// Keeps the pictures for the receipt's first alarm; returns how many were kept.
    @discardableResult
    static func keep(_ pictures: [Data], for receipt: SensingIngest.Receipt, req: Request) async -> Int {
        guard !pictures.isEmpty else { return 0 }
        guard receipt.accepted > 0, let alarm = receipt.alarms.first else {
            count("repeat")
            return 0
        }
        do {
            struct N: Decodable { let n: Int }
            let held =
                try await req.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("photos")
                .where("owner_kind", .equal, ownerKind).where("owner_id", .equal, alarm).first(decoding: N.self)?.n ?? 0
            let room = max(0, min(perAlert, perAlarm - held))
            if pictures.count > room { for _ in 0..<(pictures.count - room) { count("over_limit") } }
            var prepared: [(UUID, NormalizedPhoto)] = []
            for picture in pictures.prefix(room) {
                do {
                    let photo = try await req.application.threadPool.runIfActive { () throws -> NormalizedPhoto in
                        try PhotoProcessing.normalize(picture)
                    }
                    prepared.append((UUID(), photo))
                } catch {
                    count("unreadable")
                }
            }
            guard !prepared.isEmpty else { return 0 }
            let media = req.zhili.media
            let kept = prepared
            do {
                try await req.sql.transactionally { db in
                    try await PhotoUploads.save(
                        kept, ownerKind: ownerKind, ownerID: alarm, stage: stage, by: nil, store: media, db: db)
                }
            } catch {
                PhotoUploads.discard(prepared.map(\.0), store: media)
                throw error
            }
            for _ in prepared { count("kept") }
            return prepared.count
        } catch {
            count("failed")
            req.logger.warning("camera snapshot not kept for alarm \(alarm): \(String(describing: error))")
            return 0
        }
    }

    static func list(_ alarm: UUID, on db: any SQLDatabase) async throws -> [PhotoInfo] {
        try await PhotoUploads.list(ownerKind: ownerKind, ownerID: alarm, db: db)
    }

    /// `GET /api/v1/alarms/{id}/photos/{photo}` (`?size=thumb`): staff who may read the alarm.
    @Sendable static func photo(req: Request) async throws -> Response {
        let row = try await AlarmDesk.readable(req, try SensingRoutes.id(req))
        guard let raw = req.parameters.get("photo"), let photoID = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "照片编号格式错误", en: "Malformed photo id", field: "photo")
        }
        guard try await PhotoUploads.belongs(photoID, ownerKind: ownerKind, ownerID: row.id, db: req.readSQL) else {
            throw AppError.notFound("Photo", zhWhat: "照片")
        }
        let size = try? req.query.get(String.self, at: "size")
        guard size == nil || size == "thumb" || size == "full" else {
            throw AppError.invalid("size", zh: "size 应为 thumb 或 full", en: "size must be thumb or full")
        }
        return try PhotoUploads.response(photoID, variant: size == "thumb" ? .thumb : .image, store: req.zhili.media)
    }
}
