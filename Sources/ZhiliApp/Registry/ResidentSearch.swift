import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit
import Vapor
import ZhiliDomain

/// Finding people: by name (exact or prefix), pinyin initials ("zs" finds 张三), ID number
/// or phone (exact, through the keyed hash, never decrypting), address, tag and place in
/// the hierarchy. Always inside the caller's scope.
struct ResidentSearch {
    let db: any SQLDatabase
    let cipher: FieldCipher
    /// The read-only connections, when the server has them (SQLite).
    var readers: SQLiteReaders? = nil

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
        if upper.count == 18, upper.dropLast().allSatisfy(\.isNumber),
            upper.last.map({ $0.isNumber || $0 == "X" }) == true
        {
            return .idNumber
        }
        if q.count == 11, q.allSatisfy(\.isNumber), q.hasPrefix("1") { return .phone }
        if q.allSatisfy({ $0.isASCII && $0.isLetter }) { return .initials }
        if q.unicodeScalars.allSatisfy({ $0.properties.isIdeographic || $0 == "·" }) { return .name }
        return .address
    }

    /// A search as `viewer`: inside their scope, filtering only by tags their role may see.
    func run(_ query: Query, viewer: Principal, catalogue: [String: TagCatalogue.Definition]) async throws -> (
        kind: Kind, rows: [ResidentReads.Row]
    ) {
        var query = query
        query.tag = try RegistryPolicy.filterTag(query.tag, viewer: viewer, catalogue: catalogue)
        return try await run(query, scope: viewer.scope)
    }

    /// The search itself; `query.tag` must already have passed `RegistryPolicy.filterTag`.
    func run(_ query: Query, scope: DataScope) async throws -> (kind: Kind, rows: [ResidentReads.Row]) {
        let limit = try QueryValue.int(query.limit, default: 20, in: 1...200, field: "limit")
        let offset = try QueryValue.int(query.offset, default: 0, in: 0...100_000, field: "offset")
        let text = query.q?.trimmingCharacters(in: .whitespaces) ?? ""
        let kind = Self.classify(text)
        let under = try query.under.map { try parseCode($0, field: "under") }
        let tag = query.tag.flatMap { $0.isEmpty ? nil : $0 }
        let condition = condition(kind, text)
        let dialect = Dialect(db)
        guard !dialect.isPostgres, let lite = db as? any SQLiteDatabase else {
            return (
                kind,
                try await select(kind, condition, scope, under, tag, limit, offset).all().map(
                    ResidentReads.Row.init(row:))
            )
        }
        // SQLite: the statement goes to the driver directly and its text is remembered per
        // shape (kind, scope, filters, page); only the values change between searches.
        let values = Self.bindValues(condition, scope, under, tag)
        let shape = "\(kind.rawValue)|\(scope.conditionShape)|\(under != nil)|\(tag != nil)|\(limit)|\(offset)"
        let encoder = SQLiteDataEncoder()
        var binds = try values.map { try BulkInsert.sqliteData($0, encoder: encoder) }
        let sql: String
        if let remembered = Self.statements.withLockedValue({ $0[shape] }) {
            sql = remembered
        } else {
            var serializer = SQLSerializer(database: db)
            select(kind, condition, scope, under, tag, limit, offset).query.serialize(to: &serializer)
            let serialized = try serializer.binds.map { try BulkInsert.sqliteData($0, encoder: encoder) }
            if serialized == binds {
                Self.statements.withLockedValue { cache in
                    if cache.count >= 512 { cache.removeAll() }
                    cache[shape] = serializer.sql
                }
            } else {
                db.logger.error(
                    "resident search: statement values out of step with SQLKit for \(shape); not remembered")
                binds = serialized
            }
            sql = serializer.sql
        }
        var rows = try await readers?.query(sql, binds)
        if rows == nil { rows = try await lite.query(sql, binds) }
        return (kind, try (rows ?? []).map(ResidentReads.Row.init(sqlite:)))
    }

    /// Statement texts by shape (SQLite); bounded, emptied when full.
    private static let statements = NIOLockedValueBox<[String: String]>([:])

    /// What the kind of query compares, with its values.
    enum Condition {
        case hash(column: String, value: String)
        case prefix(column: String, value: String)
        case address(pattern: String)
        case none
    }

    func condition(_ kind: Kind, _ text: String) -> Condition {
        switch kind {
        case .idNumber: .hash(column: "id_number_hash", value: cipher.searchHash(text))
        case .phone: .hash(column: "phone_hash", value: cipher.searchHash(text))
        case .initials: .prefix(column: "name_initials", value: text.lowercased())
        case .name: .prefix(column: "name", value: text)
        case .address:
            .address(
                pattern: "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
                    + "%")
        case .none: .none
        }
    }

    /// The bound values of `select(...)`, in the order its statement binds them.
    static func bindValues(_ condition: Condition, _ scope: DataScope, _ under: HierarchyCode?, _ tag: String?)
        -> [any Encodable & Sendable]
    {
        var values: [any Encodable & Sendable] = []
        values += scope.boundValues
        if let under { values += [under.value, under.rangeUpperBound] }
        switch condition {
        case .hash(_, let value): values.append(value)
        case .prefix(_, let value): values += [value, value + "\u{10FFFF}"]
        case .address(let pattern): values.append(pattern)
        case .none: break
        }
        if let tag { values.append(tag) }
        return values
    }

    func select(
        _ kind: Kind, _ condition: Condition, _ scope: DataScope, _ under: HierarchyCode?, _ tag: String?,
        _ limit: Int, _ offset: Int
    ) -> SQLSelectBuilder {
        let dialect = Dialect(db)
        let select = db.select().column(ResidentReads.qualifiedColumns)
            .column(dialect.residentTagsColumn(residentIDColumn: "residents.id"), as: "tags")
            .from("residents")
            .scoped(scope, column: "household_code")
        if let under {
            select.where(SQLColumn("household_code", table: "residents"), .greaterThanOrEqual, SQLBind(under.value))
                .where(SQLColumn("household_code", table: "residents"), .lessThan, SQLBind(under.rangeUpperBound))
        }
        switch condition {
        case .hash(let column, let value): select.where(SQLIdentifier(column), .equal, SQLBind(value))
        case .prefix(let column, let value):
            select.where(dialect.codepoint(column), .greaterThanOrEqual, SQLBind(value))
                .where(dialect.codepoint(column), .lessThan, SQLBind(value + "\u{10FFFF}"))
        case .address(let pattern):
            select.where(
                SQLColumn("household_code", table: "residents"), .in,
                SQLGroupExpression(
                    db.select().column("code").from("households").where("address", .like, SQLBind(pattern)).query))
        case .none: break
        }
        if let tag {
            select.where(
                SQLColumn("id", table: "residents"), .in,
                SQLGroupExpression(
                    db.select().column("resident_id").from("resident_tags").where("tag", .equal, SQLBind(tag)).query))
        }
        // Order by the column the index walks, so the scan stops after one page.
        switch kind {
        case .initials:
            select.orderBy(dialect.codepoint("name_initials")).orderBy(dialect.pagingTieBreaker(table: "residents"))
        case .name: select.orderBy(dialect.codepoint("name")).orderBy(dialect.pagingTieBreaker(table: "residents"))
        default:
            select.orderBy(SQLColumn("household_code", table: "residents")).orderBy(SQLColumn("id", table: "residents"))
        }
        return select.limit(limit).offset(offset)
    }
}
