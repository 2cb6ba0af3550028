import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The duty roster (值班表): who of the staff answers for a grid, a community or a street, and
/// when. Community staff and street officials keep it for their area (administrators for
/// all); every member of staff reads it for theirs. The alarm page names the nearest people on
/// duty (`DutyRoster.onDuty`), and whoever else reads "who answers here now" asks here.
///
/// A shift's person must be staff whose own area holds the shift's node (a grid worker answers
/// for their grid, not another community's); a shift lasts at most a week.
enum DutyShifts {
    static let table = "duty_shifts"

    struct Input: Content, Sendable {
        var userID: UUID?
        var nodeCode: String?
        /// ISO 8601 date-times.
        var startsAt: String?
        var endsAt: String?
        var note: String?
    }

    /// A shift as the API and the pages show it.
    struct View: Content, Sendable, Equatable {
        let id: UUID
        let userID: UUID
        let displayName: String
        let role: String
        let nodeCode: String
        let nodeName: String?
        let startsAt: Date
        let endsAt: Date
        let note: String?
    }

    struct Row: Decodable, Sendable {
        let id: UUID
        let user_id: UUID
        let node_code: String
        let starts_at: Date
        let ends_at: Date
        let note: String?
        let display_name: String
        let role: String
        let node_name: String?

        var shift: DutyShift {
            DutyShift(id: id, userID: user_id, nodeCode: node_code, startsAt: starts_at, endsAt: ends_at)
        }

        var view: View {
            View(
                id: id, userID: user_id, displayName: display_name, role: role, nodeCode: node_code,
                nodeName: node_name, startsAt: starts_at, endsAt: ends_at, note: note)
        }
    }

    private static func select(on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .column(SQLColumn("id", table: table)).column(SQLColumn("user_id", table: table))
            .column(SQLColumn("node_code", table: table)).column(SQLColumn("starts_at", table: table))
            .column(SQLColumn("ends_at", table: table)).column(SQLColumn("note", table: table))
            .column(SQLColumn("display_name", table: "users")).column(SQLColumn("role", table: "users"))
            .column(SQLAlias(SQLColumn("name", table: "nodes"), as: SQLIdentifier("node_name")))
            .from(table)
            .join("users", on: SQLColumn("user_id", table: table), .equal, SQLColumn("id", table: "users"))
            .join(
                "nodes", method: SQLJoinMethod.left, on: SQLColumn("node_code", table: table), .equal,
                SQLColumn("code", table: "nodes"))
    }

    /// The shifts in the viewer's area that have not ended by `from` and start before `to`,
    /// earliest first.
    static func list(for p: Principal, from: Date, to: Date, limit: Int = 500, on db: any SQLDatabase) async throws
        -> [Row]
    {
        try await select(on: db).where(SQLColumn("ends_at", table: table), .greaterThan, SQLBind(from))
            .where(SQLColumn("starts_at", table: table), .lessThan, SQLBind(to))
            .scoped(p.scope, on: SQLColumn("node_code", table: table))
            .orderBy(SQLColumn("starts_at", table: table)).orderBy(SQLColumn("node_code", table: table))
            .limit(limit).all(decoding: Row.self)
    }

    /// Who is on duty for `node` at `moment`, nearest first (the shifts of the node and the
    /// nodes above it; disabled accounts are left out).
    static func onDuty(for node: String, at moment: Date = Date(), on db: any SQLDatabase) async throws -> [Row] {
        let ancestors = (1...node.count).map { String(node.prefix($0)) }.filter {
            NodeLevel(codeLength: $0.count) != nil
        }
        guard !ancestors.isEmpty else { return [] }
        let rows = try await select(on: db).where(SQLColumn("node_code", table: table), .in, SQLBind.group(ancestors))
            .where(SQLColumn("starts_at", table: table), .lessThanOrEqual, SQLBind(moment))
            .where(SQLColumn("ends_at", table: table), .greaterThan, SQLBind(moment))
            .where(SQLColumn("disabled", table: "users"), .equal, SQLBind(false))
            .orderBy(SQLColumn("created_at", table: table)).limit(200).all(decoding: Row.self)
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return DutyRoster.onDuty(for: node, at: moment, among: rows.map(\.shift)).compactMap { byID[$0.id] }
    }

    /// Staff who may be put on the roster by `p`: active staff accounts whose area lies within
    /// `p`'s (for the page's list of names).
    static func candidates(for p: Principal, on db: any SQLDatabase) async throws -> [(UUID, String, String, String)] {
        struct U: Decodable {
            let id: UUID
            let display_name: String
            let role: String
            let node_code: String?
        }
        let staffRoles = Role.allCases.filter { $0.isStaff && $0 != .admin }.map(\.rawValue)
        return try await db.select().columns("id", "display_name", "role", "node_code").from("users")
            .where("disabled", .equal, false).where("role", .in, staffRoles).where("node_code", .isNot, SQLLiteral.null)
            .scoped(p.scope, column: "node_code").orderBy("node_code").orderBy("display_name").limit(500)
            .all(decoding: U.self).map { ($0.id, $0.display_name, $0.role, $0.node_code ?? "") }
    }

    /// Checks everything, then writes the shift.
    static func create(_ input: Input, by p: Principal, on db: any SQLDatabase) async throws -> View {
        guard let node = input.nodeCode, let code = try? HierarchyCode(validating: node),
            [.grid, .community, .street].contains(code.level)
        else {
            throw AppError.invalid(
                "nodeCode", zh: "请选择值班的网格、社区或街道", en: "nodeCode must be a grid, a community or a street")
        }
        guard p.scope.allows(code: node) else {
            throw AppError(
                .forbidden, code: "out_of_scope", zh: "只能安排本辖区的值班", en: "Shifts can be set for your own area only",
                field: "nodeCode")
        }
        guard try await db.select().column("code").from("nodes").where("code", .equal, node).first() != nil else {
            throw AppError.invalid("nodeCode", zh: "该节点不存在", en: "No such node")
        }
        guard let starts = try QueryValue.instant(input.startsAt, field: "startsAt"),
            let ends = try QueryValue.instant(input.endsAt, field: "endsAt")
        else {
            throw AppError.invalid(
                input.startsAt == nil ? "startsAt" : "endsAt", zh: "请填写值班的开始和结束时间",
                en: "startsAt and endsAt are required")
        }
        switch DutyRoster.check(startsAt: starts, endsAt: ends) {
        case .endsBeforeItStarts:
            throw AppError.invalid("endsAt", zh: "结束时间应晚于开始时间", en: "endsAt must be after startsAt")
        case .tooLong:
            throw AppError.invalid("endsAt", zh: "一个班次最长 7 天", en: "A shift lasts at most 7 days")
        case nil: break
        }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 200 else {
            throw AppError.invalid("note", zh: "备注最多 200 字", en: "note is at most 200 characters")
        }
        struct U: Decodable {
            let role: String
            let node_code: String?
            let disabled: Bool
        }
        guard let userID = input.userID,
            let user = try await db.select().columns("role", "node_code", "disabled").from("users")
                .where("id", .equal, userID).first(decoding: U.self)
        else {
            throw AppError.invalid("userID", zh: "请选择值班人员", en: "userID must name an account")
        }
        guard let role = Role(rawValue: user.role), role.isStaff, role != .admin, !user.disabled,
            let own = user.node_code, node.hasPrefix(own) || own.hasPrefix(node), p.scope.allows(code: own)
        else {
            throw AppError.invalid(
                "userID", zh: "值班人员应为本辖区该节点的在岗工作人员",
                en: "The person must be active staff of this area whose own area holds the node")
        }
        let id = UUID()
        try await db.insert(into: table).columns(
            "id", "user_id", "node_code", "starts_at", "ends_at", "note", "created_by", "created_at"
        ).values(
            SQLBind(id), SQLBind(userID), SQLBind(node), SQLBind(starts), SQLBind(ends),
            SQLBind(note.isEmpty ? nil : TextSafety.cleaned(note)), SQLBind(p.userID), SQLBind(Date())
        ).run()
        guard
            let row = try await select(on: db).where(SQLColumn("id", table: table), .equal, SQLBind(id))
                .first(decoding: Row.self)
        else { throw AppError.internalFailure("duty shift not read back") }
        return row.view
    }

    /// A shift in the viewer's area, or not found (another area's shifts do not exist for them).
    static func readable(_ id: UUID, for p: Principal, on db: any SQLDatabase) async throws -> Row {
        guard
            let row = try await select(on: db).where(SQLColumn("id", table: table), .equal, SQLBind(id))
                .first(decoding: Row.self), p.scope.allows(code: row.node_code)
        else { throw AppError.notFound("Duty shift", zhWhat: "值班班次") }
        return row
    }

    static func delete(_ id: UUID, on db: any SQLDatabase) async throws {
        try await db.delete(from: table).where("id", .equal, id).run()
    }

    /// The demo's roster from yesterday for two weeks, in Beijing days: each grid worker on
    /// duty for their grid from 08:00 to 20:00; the community's staff for the community in
    /// office hours (08:30 to 17:30); through the night (20:00 to 08:00) one of the community's
    /// grid workers in turn (its staff where it has no grid workers); the street's officials
    /// for the street at weekends.
    static func demo(on sql: any SQLDatabase, now: Date = Date()) async throws {
        struct U: Decodable {
            let id: UUID
            let role: String
            let node_code: String?
        }
        let staff = try await sql.select().columns("id", "role", "node_code").from("users")
            .where(
                "role", .in,
                [Role.gridWorker, .communityStaff, .streetOfficial].map(\.rawValue)
            ).where("node_code", .isNot, SQLLiteral.null).orderBy("username").all(decoding: U.self)
        struct C: Decodable { let code: String }
        let communities = try await sql.select().column("code").from("nodes")
            .where("level", .equal, NodeLevel.community.rawValue).orderBy("code").all(decoding: C.self).map(\.code)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BeijingMonth.zone
        let today = calendar.startOfDay(for: now)
        let author = staff.first?.id ?? UUID()
        var rows: [[any SQLExpression]] = []
        func add(_ user: UUID, _ node: String, _ starts: Date, hours: Double) {
            rows.append([
                SQLBind(UUID()), SQLBind(user), SQLBind(node), SQLBind(starts),
                SQLBind(starts.addingTimeInterval(hours * 3600)), SQLBind(nil as String?), SQLBind(author),
                SQLBind(now),
            ])
        }
        for day in -1..<14 {
            guard let start = calendar.date(byAdding: .day, value: day, to: today) else { continue }
            for u in staff {
                guard let node = u.node_code, let role = Role(rawValue: u.role) else { continue }
                switch role {
                case .gridWorker: add(u.id, node, start.addingTimeInterval(8 * 3600), hours: 12)
                case .communityStaff: add(u.id, node, start.addingTimeInterval(8.5 * 3600), hours: 9)
                case .streetOfficial where calendar.isDateInWeekend(start): add(u.id, node, start, hours: 24)
                default: break
                }
            }
            for community in communities {
                let own = staff.filter { $0.role == Role.communityStaff.rawValue && $0.node_code == community }
                let workers = staff.filter {
                    $0.role == Role.gridWorker.rawValue && ($0.node_code ?? "").hasPrefix(community)
                }
                let night = workers.isEmpty ? own : workers
                guard !night.isEmpty else { continue }
                let person = night[(day + 1) % night.count]
                add(person.id, community, start.addingTimeInterval(20 * 3600), hours: 12)
            }
        }
        for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
            let insert = sql.insert(into: table).columns(
                "id", "user_id", "node_code", "starts_at", "ends_at", "note", "created_by", "created_at")
            for r in chunk { insert.values(r) }
            try await insert.run()
        }
    }
}

/// The duty roster's table.
struct CreateDutyShifts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DutyShifts.table)
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("node_code", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("note", .string)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        let sql = try database.sql
        try await sql.create(index: "duty_shifts_node_time").on(DutyShifts.table)
            .column("node_code").column("ends_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DutyShifts.table).delete()
    }
}
