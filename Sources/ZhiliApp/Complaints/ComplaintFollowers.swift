import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// "Same problem? Follow it instead": a resident who finds an open complaint of the same
/// category nearby follows it rather than filing a duplicate. Followers read it and its
/// timeline like the submitter and see it among their complaints; the handling page shows how
/// many residents wait on it.
struct CreateComplaintFollowers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await database.schema("complaint_followers")
            .field("complaint_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "complaint_id", "user_id")
            .create()
        try await sql.raw("CREATE INDEX complaint_followers_user ON complaint_followers (user_id, created_at)").run()
    }

    func revert(on database: any Database) async throws { try await database.schema("complaint_followers").delete() }
}

enum ComplaintFollowers {
    private struct One: Decodable { let complaint_id: UUID }

    static func isFollower(_ userID: UUID, of id: UUID, db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("complaint_id").from("complaint_followers").where("complaint_id", .equal, id)
            .where("user_id", .equal, userID).first(decoding: One.self) != nil
    }

    static func count(_ id: UUID, db: any SQLDatabase) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("complaint_followers")
            .where("complaint_id", .equal, id).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Read access: whoever reads it in full, and residents who follow it (the public view).
    /// The complaint, if this person may read it; otherwise the refusal is audited and it
    /// answers as a complaint that does not exist.
    static func readable(_ req: Request, _ p: Principal, id: UUID) async throws -> ComplaintRow {
        let row = try await ComplaintDesk(req).load(id)
        guard try await mayRead(req, p, row) else {
            await req.audit.record(
                action: "read_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw AppError.notFound(entity: "complaint")
        }
        return row
    }

    static func mayRead(_ req: Request, _ p: Principal, _ row: ComplaintRow) async throws -> Bool {
        if ComplaintPolicy.readsInFull(p, row) { return true }
        return p.role == .resident ? try await isFollower(p.userID, of: row.id, db: req.sql) : false
    }

    /// Where the follower stands (given by the phone or the tap on the map) or else where
    /// their household is.
    struct FollowInput: Content {
        var lat: Double?
        var lon: Double?
    }

    /// Residents follow an open complaint that is not their own, within the radius the
    /// "same problem nearby?" offer searches, of where they stand or of their household.
    /// Anything farther (or not open to them) answers as a complaint that does not exist.
    /// Following twice is harmless.
    static func follow(_ req: Request, id: UUID, by p: Principal, at point: GeoPoint?) async throws {
        guard p.role == .resident else { throw AppError.forbidden }
        let row = try await ComplaintDesk(req).load(id)
        guard row.submitter_id != p.userID else {
            throw AppError.conflict("own_complaint", zh: "这是您本人提交的诉求", en: "This is your own complaint")
        }
        let origin: GeoPoint?
        if let point { origin = point } else { origin = try await householdPoint(p, db: req.sql) }
        guard let origin,
            distanceMeters(origin, GeoPoint(lat: row.lat, lon: row.lon)) <= ComplaintPolicy.followRadiusMeters
        else {
            await req.audit.record(
                action: "complaint_follow_denied", entity: "complaint", entityID: id.uuidString, outcome: .denied)
            throw AppError.notFound(entity: "complaint")
        }
        guard row.status.isOpen else {
            throw AppError.conflict(
                "not_open", zh: "该诉求已办结，无法关注；如问题仍在，请重新提交", en: "Only open complaints can be followed")
        }
        guard try await !isFollower(p.userID, of: id, db: req.sql) else { return }
        try await req.db.writeTransaction { tx in
            let sql = try tx.sql
            try await sql.insert(into: "complaint_followers").columns("complaint_id", "user_id", "created_at")
                .values(SQLBind(id), SQLBind(p.userID), SQLBind(Date())).run()
            try await ComplaintTimeline(db: sql).add(
                id, actor: p, action: "follow", label: "又有居民反映同一问题", note: nil, from: nil, to: nil)
        }
        await req.audit.record(action: "complaint_follow", entity: "complaint", entityID: id.uuidString)
    }

    private struct PointRow: Decodable {
        let lat: Double?
        let lon: Double?
    }

    /// The resident's household on the map: its building's point, else its compound's or grid's.
    static func householdPoint(_ p: Principal, db: any SQLDatabase) async throws -> GeoPoint? {
        guard p.role == .resident, let household = p.nodeCode, household.count > 15 else { return nil }
        let ancestors = [21, 18, 15].filter { $0 < household.count }.map { String(household.prefix($0)) }
        let rows = try await db.select().columns("code", "lat", "lon").from("nodes").where("code", .in, ancestors).all()
        var points: [String: GeoPoint] = [:]
        for row in rows {
            guard let code = try? row.decode(column: "code", as: String.self),
                let r = try? row.decode(model: PointRow.self),
                let lat = r.lat, let lon = r.lon
            else { continue }
            points[code] = GeoPoint(lat: lat, lon: lon)
        }
        return ancestors.lazy.compactMap { points[$0] }.first
    }

    static func point(_ input: FollowInput?) throws -> GeoPoint? {
        guard let input, let lat = input.lat, let lon = input.lon else { return nil }
        guard (-90...90).contains(lat), (-180...180).contains(lon) else {
            throw AppError.invalid("lat", zh: "经纬度超出范围", en: "Latitude/longitude out of range")
        }
        return GeoPoint(lat: lat, lon: lon)
    }

    /// Merging a duplicate: its submitter and followers now wait on the complaint it joins,
    /// so they read its progress and hear of its result.
    static func carryOver(from duplicate: ComplaintRow, to target: UUID, db: any SQLDatabase, now: Date) async throws {
        struct Row: Decodable { let user_id: UUID }
        struct Owner: Decodable { let submitter_id: UUID? }
        var waiting = duplicate.submitter_id.map { [$0] } ?? []
        waiting += try await db.select().column("user_id").from("complaint_followers").where(
            "complaint_id", .equal, duplicate.id
        )
        .all(decoding: Row.self).map(\.user_id)
        guard !waiting.isEmpty else { return }
        let owner = try await db.select().column("submitter_id").from("complaints").where("id", .equal, target).first(
            decoding: Owner.self)?.submitter_id
        let already = Set(
            try await db.select().column("user_id").from("complaint_followers").where("complaint_id", .equal, target)
                .all(decoding: Row.self).map(\.user_id))
        var added = Set<UUID>()
        let fresh = waiting.filter { $0 != owner && !already.contains($0) && added.insert($0).inserted }
        guard !fresh.isEmpty else { return }
        let insert = db.insert(into: "complaint_followers").columns("complaint_id", "user_id", "created_at")
        for user in fresh { insert.values(SQLBind(target), SQLBind(user), SQLBind(now)) }
        try await insert.run()
    }

    @Sendable static func followAPI(req: Request) async throws -> ComplaintDTO {
        let p = try req.requirePrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let input = req.headers.contentType == nil ? nil : try req.content.decode(FollowInput.self)
        try await follow(req, id: id, by: p, at: try point(input))
        return try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
    }

    @Sendable static func followForm(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let id = try ComplaintInput.id(req.parameters.get("id"))
        try await follow(req, id: id, by: p, at: try point(try? req.content.decode(FollowInput.self)))
        return WebResponse.redirect("/complaints/\(id.uuidString)")
    }
}
