import Foundation
import SQLKit
import SQLiteKit

/// Multi-row INSERTs in chunks that stay under both databases' bind-parameter limits
/// (SQLite 32,766; PostgreSQL 65,535). Used by the demo city and by imports.
/// On SQLite the statement goes straight to the driver with ready-made values: building
/// millions of generic bind expressions cost more than SQLite's own work.
struct BulkInsert {
    let db: any SQLDatabase

    /// `largeCache`: a bulk write of many rows into big indexes (an import, the demo city)
    /// gets SQLite's large page cache for the rest of its transaction; small frequent writes
    /// (audit batches) do not.
    func run(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]], largeCache: Bool = true)
        async throws
    {
        guard !rows.isEmpty else { return }
        let started = Date()
        defer {
            db.logger.debug(
                "bulk insert \(table): \(rows.count) rows in \(String(format: "%.2f", Date().timeIntervalSince(started))) s"
            )
        }
        let dialect = Dialect(db)
        if largeCache { try await dialect.prepareBulkWrite(db) }
        let perChunk = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(start + perChunk, rows.count)
            if !dialect.isPostgres, let lite = db as? any SQLiteDatabase {
                try await sqlite(lite, table, columns, rows[start..<end])
            } else {
                let insert = db.insert(into: table).columns(columns)
                for row in rows[start..<end] { insert.values(row.map { SQLBind($0) }) }
                try await insert.run()
            }
            start = end
        }
    }

    private func sqlite(
        _ lite: any SQLiteDatabase, _ table: String, _ columns: [String],
        _ rows: ArraySlice<[any Encodable & Sendable]>
    ) async throws {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        // OR ROLLBACK: a conflict undoes the whole transaction (bulk writes are all-or-nothing
        // anyway), so SQLite keeps no statement journal to undo one statement of many rows.
        let sql =
            "INSERT OR ROLLBACK INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
            + Array(repeating: placeholders, count: rows.count).joined(separator: ",")
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * columns.count)
        let encoder = SQLiteDataEncoder()
        for row in rows {
            for value in row { binds.append(try Self.sqliteData(value, encoder: encoder)) }
        }
        _ = try await lite.query(sql, binds)
    }

    /// The same conversion SQLiteKit applies, without its generic detour for the common types.
    static func sqliteData(_ value: any Encodable & Sendable, encoder: SQLiteDataEncoder) throws -> SQLiteData {
        // The types bulk rows are made of, by concrete casts (cheap) before protocol casts (not).
        switch value {
        case let v as String: return .text(v)
        case let v as UUID: return .text(UUIDText.string(v))
        case let v as Date: return v.sqliteData ?? .null
        case let v as Int: return .integer(v)
        case let v as Double: return .float(v)
        case let v as String?: return v.map { .text($0) } ?? .null
        case let v as UUID?: return v.map { .text(UUIDText.string($0)) } ?? .null
        case let v as Date?: return v.flatMap(\.sqliteData) ?? .null
        case let v as Int?: return v.map { .integer($0) } ?? .null
        default: break
        }
        if let optional = value as? any OptionalValue {
            guard let wrapped = optional.wrappedValue else { return .null }
            if let convertible = wrapped as? any SQLiteDataConvertible, let data = convertible.sqliteData {
                return data
            }
            guard let encodable = wrapped as? any Encodable else { return .null }
            return try encoder.encode(encodable)
        }
        if let convertible = value as? any SQLiteDataConvertible, let data = convertible.sqliteData { return data }
        return try encoder.encode(value)
    }
}

/// Lets `BulkInsert` see through optionals without knowing their wrapped type.
protocol OptionalValue {
    var wrappedValue: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedValue: Any? { self.map { $0 as Any } }
}
