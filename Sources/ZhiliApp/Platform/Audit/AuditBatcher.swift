import Foundation
import SQLKit

/// Group commit for the audit log. Every request still waits until its own entry is
/// committed, but entries arriving together share one INSERT and one disk flush, so
/// auditing every read does not cap the server at the disk's flush rate.
final class AuditBatcher: Sendable {
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

        var values: [any Encodable & Sendable] {
            [at, actorID, actorName, role, action, entity, entityID, outcome, ip, detail]
        }
    }

    private let commit: GroupCommit<Entry, Void>

    init(db: any SQLDatabase) {
        commit = GroupCommit(db: db, maxBatch: 500) { entries, db in
            try await AuditBatcher.insert(entries, on: db)
            return entries.map { _ in () }
        }
    }

    func write(_ entry: Entry) async throws {
        try await commit.submit(entry)
    }

    static let columns = [
        "at", "actor_id", "actor_name", "role", "action", "entity", "entity_id", "outcome", "ip", "detail",
    ]

    /// One multi-row INSERT per batch (on SQLite straight to the driver, like bulk imports).
    static func insert(_ entries: [Entry], on db: any SQLDatabase) async throws {
        try await BulkInsert(db: db).run("audit_log", columns, entries.map(\.values), largeCache: false)
    }
}
