import Foundation
import SQLKit

/// Group commit for the audit log. Every request still waits until its own entry is
/// committed, but entries arriving together share one INSERT and one disk flush, so
/// auditing every read does not cap the server at the disk's flush rate.
actor AuditBatcher {
    struct Entry: Sendable {
        let at: Date
        let actorID: UUID?
        let actorName: String?
        let role: String?
        let action: String
        let entity: String
        let entityID: String?
        let outcome: String
        let ip: String?
        let detail: String?
    }

    private let db: any SQLDatabase
    private var pending: [(Entry, CheckedContinuation<Void, any Error>)] = []
    private var flushing = false
    static let maxBatch = 500

    init(db: any SQLDatabase) { self.db = db }

    func write(_ entry: Entry) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            pending.append((entry, c))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            do {
                try await Self.insert(batch.map(\.0), on: db)
                for (_, c) in batch { c.resume() }
            } catch {
                for (_, c) in batch { c.resume(throwing: error) }
            }
        }
        flushing = false
    }

    static func insert(_ entries: [Entry], on db: any SQLDatabase) async throws {
        let insert = db.insert(into: "audit_log")
            .columns("at", "actor_id", "actor_name", "role", "action", "entity", "entity_id", "outcome", "ip", "detail")
        for e in entries {
            insert.values(SQLBind(e.at), SQLBind(e.actorID), SQLBind(e.actorName), SQLBind(e.role), SQLBind(e.action),
                          SQLBind(e.entity), SQLBind(e.entityID), SQLBind(e.outcome), SQLBind(e.ip), SQLBind(e.detail))
        }
        try await insert.run()
    }
}
