import Foundation
import SQLKit

/// Multi-row INSERTs in chunks that stay under both databases' bind-parameter limits
/// (SQLite 32,766; PostgreSQL 65,535). Used by the demo city and by imports.
struct BulkInsert {
    let db: any SQLDatabase

    func run(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) async throws {
        guard !rows.isEmpty else { return }
        let started = Date()
        defer { db.logger.debug("bulk insert \(table): \(rows.count) rows in \(String(format: "%.2f", Date().timeIntervalSince(started))) s") }
        let perChunk = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(start + perChunk, rows.count)
            let insert = db.insert(into: table).columns(columns)
            for row in rows[start..<end] { insert.values(row.map { SQLBind($0) }) }
            try await insert.run()
            start = end
        }
    }
}
