import FluentKit
import Foundation
import SQLiteNIO

extension Database {
    /// A transaction for request paths that read and then write. On SQLite a transaction
    /// begins deferred: if another connection commits between its first read and its first
    /// write, SQLite refuses the write (SQLITE_BUSY_SNAPSHOT, "database is locked") and the
    /// transaction is rolled back with nothing written. Every audited read commits, so under
    /// load that happened often enough to fail requests; the whole transaction is started
    /// again, a few times, after a short pause. The body must have no effects outside the
    /// database (wake-ups, cache clearing and audit come after it). PostgreSQL: one attempt.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                let result = try await transaction(body)
                // Live events stored in it are read now, not on the feed's next look.
                LiveFeed.committed()
                return result
            } catch let error as SQLiteError where attempt < 5 && Self.isStaleSnapshot(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...3) * attempt))
            }
        }
    }

    static func isStaleSnapshot(_ error: SQLiteError) -> Bool {
        switch error.reason {
        case .busyInSnapshot, .busy: true
        default: false
        }
    }
}
