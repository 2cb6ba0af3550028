import Foundation
import SQLiteKit
import SQLKit
import Vapor
import ZhiliDomain

/// Finding people: by name (exact or prefix), pinyin initials ("zs" finds 张三), ID number
/// or phone (exact, through the keyed hash, never decrypting), address, tag and place in
/// the hierarchy. Always inside the caller's scope.
struct ResidentSearch {
    let db: any SQLDatabase
    let cipher: FieldCipher

    struct Query: Content, Sendable {
        var q: String?
        var tag: String?
        var under: String?
        var limit: Int?
        var offset: Int?
    }

    enum Kind: String, Sendable { case idNumber = "id_number", phone, initials, name, address, none }

    static func classify(_ raw: String) -> Kind {
        let q = raw.trimmingCharacters(in: .whitespaces)
        if q.isEmpty { return .none }
        let upper = q.uppercased()
        if upper.count == 18, upper.dropLast().allSatisfy(\.isNumber), upper.last.map({ $0.isNumber || $0 == "X" }) == true { return .idNumber }
        if q.count == 11, q.allSatisfy(\.isNumber), q.hasPrefix("1") { return .phone }
        if q.allSatisfy({ $0.isASCII && $0.isLetter }) { return .initials }
        if q.unicodeScalars.allSatisfy({ $0.properties.isIdeographic || $0 == "·" }) { return .name }
        return .address
    }

    func run(_ query: Query, scope: DataScope) async throws -> (kind: Kind, rows: [ResidentReads.Row]) {
        let limit = min(max(query.limit ?? 20, 1), 200)
        let offset = min(max(query.offset ?? 0, 0), 100_000)
        let text = query.q?.trimmingCharacters(in: .whitespaces) ?? ""
        let kind = Self.classify(text)
        let dialect = Dialect(db)
        let select = db.select().column(ResidentReads.qualifiedColumns)
            .column(dialect.residentTagsColumn(residentIDColumn: "residents.id"), as: "tags")
            .from("residents")
            .scoped(scope, column: "household_code")
        if let under = query.under {
            let code = try parseCode(under, field: "under")
            select.where(SQLColumn("household_code", table: "residents"), .greaterThanOrEqual, SQLBind(code.value))
                .where(SQLColumn("household_code", table: "residents"), .lessThan, SQLBind(code.rangeUpperBound))
        }
        switch kind {
        case .idNumber: select.where("id_number_hash", .equal, cipher.searchHash(text))
        case .phone: select.where("phone_hash", .equal, cipher.searchHash(text))
        case .initials:
            let prefix = text.lowercased()
            select.where(dialect.codepoint("name_initials"), .greaterThanOrEqual, SQLBind(prefix))
                .where(dialect.codepoint("name_initials"), .lessThan, SQLBind(prefix + "\u{10FFFF}"))
        case .name:
            select.where(dialect.codepoint("name"), .greaterThanOrEqual, SQLBind(text))
                .where(dialect.codepoint("name"), .lessThan, SQLBind(text + "\u{10FFFF}"))
        case .address:
            let pattern = "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            select.where(SQLColumn("household_code", table: "residents"), .in,
                         SQLGroupExpression(db.select().column("code").from("households").where("address", .like, pattern).query))
        case .none: break
        }
        if let tag = query.tag, !tag.isEmpty {
            select.where(SQLColumn("id", table: "residents"), .in,
                         SQLGroupExpression(db.select().column("resident_id").from("resident_tags").where("tag", .equal, tag).query))
        }
        // Order by the column the index walks, so the scan stops after one page.
        switch kind {
        case .initials: select.orderBy(dialect.codepoint("name_initials")).orderBy(dialect.pagingTieBreaker(table: "residents"))
        case .name: select.orderBy(dialect.codepoint("name")).orderBy(dialect.pagingTieBreaker(table: "residents"))
        default: select.orderBy(SQLColumn("household_code", table: "residents")).orderBy(SQLColumn("id", table: "residents"))
        }
        select.limit(limit).offset(offset)
        if !dialect.isPostgres, let lite = db as? any SQLiteDatabase {
            // The same statement, handed to SQLite directly: rows come back as SQLite values.
            var serializer = SQLSerializer(database: db)
            select.query.serialize(to: &serializer)
            let encoder = SQLiteDataEncoder()
            let binds = try serializer.binds.map { try BulkInsert.sqliteData($0, encoder: encoder) }
            return (kind, try await lite.query(serializer.sql, binds).map(ResidentReads.Row.init(sqlite:)))
        }
        return (kind, try await select.all().map(ResidentReads.Row.init(row:)))
    }
}
