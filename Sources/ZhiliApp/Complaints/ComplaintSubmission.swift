import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Taking a complaint in: from a resident, from staff on a resident's behalf (a call or a
/// visit), or from an integration. A retried submission with the same key creates nothing new.
struct ComplaintSubmission {
    let database: any Database
    let locator: GridLocatorCache
    var db: any SQLDatabase { get throws { try database.sql } }

    init(_ req: Request) {
        database = req.db
        locator = req.hierarchy.gridLocator
        media = req.zhili.media
        pool = req.application.threadPool
        intake = req.complaints.intake
        themes = req.complaints.themes
        categories = req.complaints.categories
        cipher = req.zhili.cipher
        address = req.remoteAddress?.ipAddress ?? req.headers.first(name: "X-Forwarded-For")
    }

    let media: MediaStore
    let pool: NIOThreadPool
    let intake: ComplaintIntake
    let themes: SettingCache<ThemeMatcher>
    let categories: SettingCache<[ComplaintCategories.Category]>
    let cipher: FieldCipher
    let address: String?

    struct Input: Content, Sendable {
        var categoryCode: String
        var text: String
        var lat: Double?
        var lon: Double?
        var address: String?
        var anonymous: Bool?
        /// Staff taking a call or a visit write the resident's name here.
        var onBehalfOf: String?
        /// The caller's phone when staff take a complaint on a resident's behalf, for SMS updates.
        var contactPhone: String?
        /// Answers to the category's extra questions: code → text, number, date or choice(s).
        var answers: [String: FlexibleAnswer]?
    }

    /// An answer as JSON text, number, boolean or list of choices, or a form field.
    struct FlexibleAnswer: Codable, Sendable {
        let text: String
        init(_ text: String) { self.text = text }
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                text = s
            } else if let list = try? c.decode([String].self) {
                text = list.joined(separator: ",")
            } else if let n = try? c.decode(Double.self) {
                text = n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            } else if let b = try? c.decode(Bool.self) {
                text = b ? "是" : "否"
            } else {
                text = ""
            }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(text)
        }
    }

    /// The photo files of a multipart submission, sent as `photos[]`.
    /// Validates everything (photos included) before writing, then hands the complaint to the
    /// intake, which writes it with its first timeline entry, photos, counts and audit entry in
    /// one transaction: all of it or nothing. Returns the complaint as stored.
    func submit(_ input: Input, photos: [File] = [], by p: Principal, channel: String, idempotencyKey: String?)
        async throws -> (id: UUID, created: Bool, row: ComplaintRow?)
    {
        // A repeated key is settled by the intake, inside its transaction; no read here.
        let text = TextSafety.cleaned(input.text).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (5...2000).contains(text.count) else {
            throw AppError.invalid("text", zh: "请用 5–2000 字描述诉求", en: "Describe the matter in 5–2000 characters")
        }
        let db = try self.db
        guard
            let category = try await ComplaintCategories.cached(categories, on: db).first(where: {
                $0.code == input.categoryCode && $0.active
            })
        else {
            throw AppError.invalid(
                "categoryCode", zh: "诉求分类“\(input.categoryCode.prefix(40))”不存在", en: "Unknown category")
        }
        guard let lat = input.lat, let lon = input.lon else {
            throw AppError.invalid(input.lat == nil ? "lat" : "lon", zh: "请在地图上选择位置或允许定位", en: "A location is required")
        }
        guard (-90...90).contains(lat), (-180...180).contains(lon) else {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        guard let grid = try await locator.locate(GeoPoint(lat: lat, lon: lon)) else {
            throw AppError(
                .unprocessableEntity, code: "outside_all_grids", zh: "该位置不在本平台管辖的任何网格内",
                en: "The location lies outside every grid", field: "lat")
        }
        if (input.address?.count ?? 0) > 200 { throw AppError.invalid("address", zh: "地址过长", en: "Address too long") }
        let answers: [String: String]
        do {
            answers = try CategoryAnswers.validate(
                (input.answers ?? [:]).mapValues(\.text), against: category.questions)
        } catch {
            throw AppError(
                .unprocessableEntity, code: "invalid_answer", zh: error.messageZh, en: error.messageEn,
                field: "answers.\(error.code)")
        }
        let submitterName: String?
        if p.role == .resident {
            submitterName = p.displayName
        } else if let name = ResidentValidation.clean(input.onBehalfOf) {
            submitterName = String(name.prefix(40))
        } else {
            submitterName = nil
        }
        // Residents are reached through their account; a phone is only taken for someone else.
        var contactPhone: String? = nil
        if p.role != .resident, let raw = ResidentValidation.clean(input.contactPhone) {
            let phone = PhoneNumber.normalised(raw)
            guard PhoneNumber.isValidMobile(phone) else {
                throw AppError.invalid(
                    "contactPhone", zh: "联系手机号“\(raw.prefix(20))”无效", en: "Invalid contact mobile number")
            }
            contactPhone = try cipher.encrypt(phone)
        }
        guard let tier = TimeLimitTier(rawValue: category.tier) else {
            throw AppError.internalFailure("category \(category.code) has an unknown time limit \(category.tier)")
        }
        let prepared = try await PhotoUploads.prepare(photos, on: pool).map { (UUID(), $0) }
        let id = UUID()
        let now = Date()
        let row = ComplaintRow(
            id: id, number: "", category_code: category.code, text: text, lat: lat, lon: lon,
            grid_code: grid.gridCode,
            address: ResidentValidation.clean(input.address), channel: channel, anonymous: input.anonymous ?? false,
            submitter_id: p.role == .resident ? p.userID : nil,
            submitter_name: submitterName, status: .submitted, tier: tier, handler_kind: nil, handler_user_id: nil,
            handler_department: nil, handler_name: nil, dispatch_reason: nil, dispatched_at: nil, sign_by: nil,
            contact_by: nil, resolve_by: nil,
            signed_at: nil, contacted_at: nil, resolved_at: nil, closed_at: nil, rating: nil, rating_comment: nil,
            reopened: 0, escalation_level: 0,
            merged_into: nil, created_at: now,
            answers: answers.isEmpty ? nil : String(decoding: try JSONEncoder().encode(answers), as: UTF8.self),
            contact_phone_enc: contactPhone)
        let audit = AuditBatcher.Entry(
            at: now, actorID: p.userID, actorName: p.username, role: p.role.rawValue, action: "create",
            entity: "complaint",
            entityID: id.uuidString, outcome: AuditOutcome.ok.rawValue, ip: address, detail: channel)
        // A key belongs to the account that sent it, and is remembered with what it was sent with.
        let key = idempotencyKey.map { "\(p.userID.uuidString):\($0)" }
        let fingerprint = Self.fingerprint(input, photos: prepared.map { $0.1.image.count }, channel: channel)
        let new = ComplaintIntake.New(
            row: row, idempotencyKey: key, fingerprint: fingerprint, actorName: p.displayName,
            actorRole: p.role.rawValue, userID: p.userID,
            note: prepared.isEmpty ? nil : "附照片 \(prepared.count) 张",
            themes: try await themes.value { ThemeMatcher(try await ComplaintThemes(db: db).all()) }.themes(of: text),
            photos: prepared.map {
                ComplaintIntake.Photo(id: $0.0, width: $0.1.width, height: $0.1.height, bytes: $0.1.image.count)
            },
            audit: audit)
        do {
            try PhotoUploads.writeFiles(prepared, store: media)
            let (stored, outcome, number) = try await intake.submit(new)
            if outcome != .created { PhotoUploads.discard(prepared.map(\.0), store: media) }
            if outcome == .keyReused {
                throw AppError(
                    .unprocessableEntity, code: "idempotency_key_reused", zh: "该 Idempotency-Key 已用于内容不同的另一次提交，请换一个新的",
                    en: "This Idempotency-Key was used with a different request; use a new key",
                    field: "Idempotency-Key")
            }
            var written = row
            if let number { written.number = number }
            return (stored, outcome == .created, outcome == .created ? written : nil)
        } catch {
            PhotoUploads.discard(prepared.map(\.0), store: media)
            throw error
        }
    }

    /// What a submission said, as a digest: a repeat with the same key must say the same.
    static func fingerprint(_ i: Input, photos: [Int], channel: String) -> String {
        var text = [
            i.categoryCode, i.text, i.lat.map { String($0) } ?? "", i.lon.map { String($0) } ?? "", i.address ?? "",
            String(i.anonymous ?? false), i.onBehalfOf ?? "", i.contactPhone ?? "", channel,
        ].joined(separator: "\u{1F}")
        for (k, v) in (i.answers ?? [:]).sorted(by: { $0.key < $1.key }) { text += "\u{1F}\(k)=\(v.text)" }
        text += "\u{1F}" + photos.map(String.init).joined(separator: ",")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    struct Nearby: Content, Sendable {
        let id: UUID
        let number: String
        let text: String
        let status: String
        let distanceMeters: Double
    }

    /// Open complaints of the same category within `radius` metres: "same problem? follow it".
    func nearby(category: String, lat: Double, lon: Double, radius: Double = 300) async throws -> [Nearby] {
        struct Row: Decodable {
            let id: UUID
            let number: String
            let text: String
            let status: String
            let lat: Double
            let lon: Double
            let submitter_name: String?
        }
        let dLat = radius / 111_320
        let dLon = radius / (111_320 * max(cos(lat * .pi / 180), 0.01))
        let open = [ComplaintStatus.submitted, .dispatched, .signed, .inProgress].map(\.rawValue)
        let rows = try await db.select().columns("id", "number", "text", "status", "lat", "lon", "submitter_name").from(
            "complaints"
        )
        .where("category_code", .equal, category).where("status", .in, open)
        .where("lat", .greaterThanOrEqual, lat - dLat).where("lat", .lessThanOrEqual, lat + dLat)
        .where("lon", .greaterThanOrEqual, lon - dLon).where("lon", .lessThanOrEqual, lon + dLon)
        .limit(200).all(decoding: Row.self)
        let here = GeoPoint(lat: lat, lon: lon)
        return rows.map {
            Nearby(
                id: $0.id, number: $0.number,
                text: String(PublicText.redacted($0.text, names: $0.submitter_name.map { [$0] } ?? []).prefix(80)),
                status: $0.status,
                distanceMeters: (distanceMeters(here, GeoPoint(lat: $0.lat, lon: $0.lon)) * 10).rounded() / 10)
        }
        .filter { $0.distanceMeters <= radius }.sorted { $0.distanceMeters < $1.distanceMeters }.prefix(10).map { $0 }
    }
}

/// The timeline every state change writes and the resident can read.
struct ComplaintTimeline {
    let db: any SQLDatabase

    func add(
        _ id: UUID, actor: Principal?, action: String, label: String, note: String?, from: ComplaintStatus?,
        to: ComplaintStatus?
    ) async throws {
        try await db.insert(into: "complaint_events")
            .columns(
                "id", "complaint_id", "at", "actor_name", "actor_role", "action", "label_zh", "note", "from_status",
                "to_status"
            )
            .values(
                SQLBind(UUID()), SQLBind(id), SQLBind(Date()), SQLBind(actor?.displayName ?? "系统"),
                SQLBind(actor?.role.rawValue ?? "system"),
                SQLBind(action), SQLBind(label), SQLBind(note), SQLBind(from?.rawValue), SQLBind(to?.rawValue)
            )
            .run()
    }

    func events(_ id: UUID) async throws -> [ComplaintEventRow] {
        try await db.select().columns(
            "at", "actor_name", "actor_role", "action", "label_zh", "note", "from_status", "to_status"
        )
        .from("complaint_events").where("complaint_id", .equal, id).orderBy("at").all(decoding: ComplaintEventRow.self)
    }
}
