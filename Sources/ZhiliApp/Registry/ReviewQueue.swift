import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Changes waiting for community review (审核). The proposed values are stored encrypted;
/// the reviewer sees a masked summary of the difference and approves or rejects with a reason.
struct ReviewQueue {
    let db: any SQLDatabase
    let cipher: FieldCipher

    struct Item: Content, Sendable {
        let id: UUID
        let entity: String
        let entityId: String
        let householdCode: String
        let kind: String
        let summary: String
        let status: String
        let requestedByName: String?
        let requestedAt: Date
        let reviewedByName: String?
        let reviewedAt: Date?
        let reason: String?
    }

    func submit(
        residentID: UUID, household: String, patch: ResidentService.Patch, summary: String, by p: Principal,
        kind: String = "update"
    ) async throws -> UUID {
        let id = UUID()
        let payload = String(decoding: try JSONEncoder().encode(patch), as: UTF8.self)
        try await db.insert(into: "change_requests")
            .columns(
                "id", "entity", "entity_id", "household_code", "kind", "payload_enc", "summary", "status",
                "requested_by",
                "requested_by_name", "requested_at"
            )
            .values(
                SQLBind(id), SQLBind("resident"), SQLBind(residentID.uuidString), SQLBind(household), SQLBind(kind),
                SQLBind(try cipher.encrypt(payload)), SQLBind(summary), SQLBind("pending"), SQLBind(p.userID),
                SQLBind(p.username), SQLBind(Date())
            )
            .run()
        return id
    }

    private struct Pending: Decodable { let id: UUID }

    /// Someone registered outside the requester's area, named by an import for a household
    /// inside it: a move-in for the destination's reviewers, with the whole record as the
    /// change. Nothing of the person is moved or changed until it is approved, and the
    /// summary shows only what the requester gave. A repeated import adds no second request.
    @discardableResult
    func submitMoveIn(residentID: UUID, value: ValidResident, by p: Principal) async throws -> UUID {
        if let open = try await db.select().column("id").from("change_requests").where(
            "entity_id", .equal, residentID.uuidString
        )
        .where("kind", .equal, "move_in").where("household_code", .equal, value.householdCode).where(
            "status", .equal, "pending"
        )
        .first(decoding: Pending.self) {
            return open.id
        }
        let summary =
            "迁入申请：\(value.name)（\(Masking.idNumber(value.idNumber))）迁入户 \(value.householdCode)；此人现登记在其他辖区，批准后迁入并按导入内容更新"
        return try await submit(
            residentID: residentID, household: value.householdCode,
            patch: ResidentService.patch(from: value, reason: "迁入（批量导入）"), summary: summary, by: p, kind: "move_in")
    }

    static let columns = [
        "id", "entity", "entity_id", "household_code", "kind", "summary", "status", "requested_by_name",
        "requested_at", "reviewed_by_name", "reviewed_at", "reason",
    ]

    func list(status: String?, scope: DataScope, limit: Int = 100) async throws -> [Item] {
        let q = db.select().columns(Self.columns).from("change_requests").scoped(scope, column: "household_code")
        if let status { q.where("status", .equal, status) }
        return try await q.orderBy("requested_at", .descending).limit(limit)
            .all(decoding: Item.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private struct CountRow: Decodable { let n: Int }

    /// How many requests `list(status:scope:)` holds, counted without its page limit.
    func count(status: String?, scope: DataScope) async throws -> Int {
        let q = db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("change_requests")
            .scoped(scope, column: "household_code")
        if let status { q.where("status", .equal, status) }
        return try await q.first(decoding: CountRow.self)?.n ?? 0
    }

    func find(_ id: UUID) async throws -> Item? {
        try await db.select().columns(Self.columns).from("change_requests").where("id", .equal, id)
            .first(decoding: Item.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private struct PayloadRow: Decodable { let payload_enc: String }

    /// Approves: applies the stored change as the reviewer; fails cleanly if it no longer validates.
    func approve(_ item: Item, by p: Principal, service: ResidentService) async throws -> ResidentService.Outcome {
        guard item.status == "pending" else {
            throw AppError.conflict("already_reviewed", zh: "该申请已审核", en: "This request was already reviewed")
        }
        guard
            let row = try await db.select().column("payload_enc").from("change_requests").where("id", .equal, item.id)
                .first(decoding: PayloadRow.self),
            let residentID = UUID(uuidString: item.entityId),
            let current = try await service.load(residentID)
        else { throw AppError.notFound("Review request", zhWhat: "审核申请") }
        var patch = try JSONDecoder().decode(
            ResidentService.Patch.self, from: Data(try cipher.decrypt(row.payload_enc).utf8))
        // A move-in adds the tags it names; the person's care plans from where they lived stay.
        if item.kind == "move_in" { patch.tags = Array(Set(patch.tags ?? []).union(current.valid.tags)).sorted() }
        let outcome = try await service.apply(patch, to: current, by: p)
        if outcome.issues.isEmpty {
            try await close(item.id, status: "approved", by: p, reason: nil)
        }
        return outcome
    }

    func reject(_ item: Item, by p: Principal, reason: String) async throws {
        guard item.status == "pending" else {
            throw AppError.conflict("already_reviewed", zh: "该申请已审核", en: "This request was already reviewed")
        }
        try await close(item.id, status: "rejected", by: p, reason: reason)
    }

    private func close(_ id: UUID, status: String, by p: Principal, reason: String?) async throws {
        try await db.update("change_requests").set("status", to: status).set("reviewed_by_name", to: p.username)
            .set("reviewed_at", to: Date()).set("reason", to: reason).where("id", .equal, id).run()
    }
}
