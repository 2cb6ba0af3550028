import Foundation
import SQLKit
import ZhiliDomain

/// Writes new complaints with group commit: submissions arriving together share one
/// transaction (complaints, first timeline entries, photos, rate-cell marks, theme counts and
/// the audit entries) and one disk flush. Each submitter is answered only after its complaint
/// is committed. Idempotency keys are settled inside the transaction: a key already stored,
/// or repeated within the batch, yields the first complaint's id.
final class ComplaintIntake: Sendable {
    struct Photo: Sendable {
        let id: UUID
        let width: Int
        let height: Int
        let bytes: Int
    }

    struct New: Sendable {
        var row: ComplaintRow
        let idempotencyKey: String?
        /// A digest of what was sent with the key (see `ComplaintSubmission.fingerprint`).
        let fingerprint: String?
        let actorName: String
        let actorRole: String
        let userID: UUID?
        let note: String?
        let themes: [String]
        let photos: [Photo]
        let audit: AuditBatcher.Entry
    }

    /// What became of a submission: written, a repeat of one written before (same key, same
    /// content), or a key used before for something else.
    enum Outcome: Sendable { case created, repeated, keyReused }

    /// The complaint's id, what became of the submission, and the number given (for a new one).
    typealias Result = (id: UUID, outcome: Outcome, number: String?)

    private let commit: GroupCommit<New, Result>

    init(db: any SQLDatabase, channels: NotificationConfig = NotificationConfig()) {
        commit = GroupCommit(db: db, maxBatch: 256) { items, db in
            try await ComplaintIntake.write(items, on: db, channels: channels)
        }
    }

    /// The complaint's id (the earlier one for a repeat), what became of it, and its number.
    func submit(_ new: New) async throws -> Result {
        try await commit.submit(new)
    }

    private struct KeyRow: Decodable {
        let id: UUID
        let idempotency_key: String
        let idempotency_fingerprint: String?
    }

    static func write(_ items: [New], on db: any SQLDatabase, channels: NotificationConfig = NotificationConfig())
        async throws -> [Result]
    {
        try await db.transactionally { tx in
            let keys = items.compactMap(\.idempotencyKey)
            var known: [String: (id: UUID, fingerprint: String?)] = [:]
            if !keys.isEmpty {
                for r in try await tx.select().columns("id", "idempotency_key", "idempotency_fingerprint").from(
                    "complaints"
                )
                .where("idempotency_key", .in, keys).all(decoding: KeyRow.self) {
                    known[r.idempotency_key] = (r.id, r.idempotency_fingerprint)
                }
            }
            var results: [Result] = []
            var fresh: [New] = []
            var freshAt: [Int] = []
            for item in items {
                if let key = item.idempotencyKey, let first = known[key] {
                    // Keys stored before fingerprints were kept count as the same request.
                    let same = first.fingerprint == nil || first.fingerprint == item.fingerprint
                    results.append((first.id, same ? .repeated : .keyReused, nil))
                    continue
                }
                if let key = item.idempotencyKey { known[key] = (item.row.id, item.fingerprint) }
                freshAt.append(results.count)
                results.append((item.row.id, .created, nil))
                fresh.append(item)
            }
            guard !fresh.isEmpty else { return results }
            let numbers = try await ComplaintNumbers(db: tx).assign(fresh.map(\.row.created_at))
            for (i, at) in freshAt.enumerated() {
                fresh[i].row.number = numbers[i]
                results[at].number = numbers[i]
            }
            let complaints = tx.insert(into: "complaints")
                .columns(
                    "id", "number", "category_code", "text", "lat", "lon", "grid_code", "address", "channel",
                    "anonymous", "submitter_id",
                    "submitter_name", "status", "tier", "reopened", "escalation_level", "idempotency_key", "created_at",
                    "updated_at", "answers",
                    "contact_phone_enc", "idempotency_fingerprint")
            let events = tx.insert(into: "complaint_events")
                .columns(
                    "id", "complaint_id", "at", "actor_name", "actor_role", "action", "label_zh", "note", "from_status",
                    "to_status")
            var photoCount = 0
            let photos = tx.insert(into: "photos").columns(
                "id", "owner_kind", "owner_id", "stage", "width", "height", "bytes",
                "uploaded_by", "uploaded_by_name", "created_at")
            var cells: [String: Int] = [:]
            var themes: [String: Int] = [:]
            for n in fresh {
                let r = n.row
                complaints.values(
                    SQLBind(r.id), SQLBind(r.number), SQLBind(r.category_code), SQLBind(r.text), SQLBind(r.lat),
                    SQLBind(r.lon),
                    SQLBind(r.grid_code), SQLBind(r.address), SQLBind(r.channel), SQLBind(r.anonymous),
                    SQLBind(r.submitter_id),
                    SQLBind(r.submitter_name), SQLBind(r.status), SQLBind(r.tier), SQLBind(0), SQLBind(0),
                    SQLBind(n.idempotencyKey),
                    SQLBind(r.created_at), SQLBind(r.created_at), SQLBind(r.answers), SQLBind(r.contact_phone_enc),
                    SQLBind(n.fingerprint))
                events.values(
                    SQLBind(UUID()), SQLBind(r.id), SQLBind(r.created_at), SQLBind(n.actorName), SQLBind(n.actorRole),
                    SQLBind("submit"),
                    SQLBind("提交诉求"), SQLBind(n.note), SQLBind(Optional<String>.none),
                    SQLBind(ComplaintStatus.submitted.rawValue))
                for p in n.photos {
                    photoCount += 1
                    photos.values(
                        SQLBind(p.id), SQLBind("complaint"), SQLBind(r.id), SQLBind("report"), SQLBind(p.width),
                        SQLBind(p.height),
                        SQLBind(p.bytes), SQLBind(n.userID), SQLBind(n.actorName), SQLBind(r.created_at))
                }
                let month = ComplaintRateCells.month(of: r.created_at)
                cells[r.grid_code + "|" + month, default: 0] += 1
                for t in n.themes { themes[r.grid_code + "|" + month + "|" + t, default: 0] += 1 }
            }
            try await complaints.run()
            try await events.run()
            if photoCount > 0 { try await photos.run() }
            for (key, n) in cells {
                let p = key.split(separator: "|").map(String.init)
                try await ComplaintRateCells(db: tx).touch(grid: p[0], month: p[1], changes: n)
            }
            for (key, n) in themes {
                let p = key.split(separator: "|").map(String.init)
                try await tx.raw(
                    """
                    INSERT INTO complaint_theme_counts (grid_code, month, theme, count) VALUES (\(bind: p[0]), \(bind: p[1]), \(bind: p[2]), \(bind: n))
                    ON CONFLICT (grid_code, month, theme) DO UPDATE SET count = complaint_theme_counts.count + \(bind: n)
                    """
                ).run()
            }
            try await AuditBatcher.insert(fresh.map(\.audit), on: tx)
            try await ComplaintNotices(db: tx, channels: channels).submitted(fresh.map(\.row))
            return results
        }
    }
}
