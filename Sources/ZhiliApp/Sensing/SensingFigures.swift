import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// 感知预警 figures per node and month (`GET /api/v1/alarm-figures`, the figures page): the
/// area's alarms by rule and severity, answer times (p50/p90), the share answered within a
/// minute against the telecare standard's 98.5%, the false-alarm share, the devices online;
/// and the same per area one level down.
enum SensingFigures {
    struct Line: Content, Sendable {
        let code: String
        let name: String
        let figures: AlarmFigures
    }

    struct Report: Content, Sendable {
        let code: String
        let name: String
        let month: String
        let figures: AlarmFigures
        let devicesOnline: Int
        let devicesTotal: Int
        /// The telecare standard's grade for alarms answered within a minute.
        let answerGrade: Double
        let children: [Line]
    }

    static func month(of date: Date) -> String { BeijingMonth.month(of: date) }

    /// The instants a Beijing month starts and ends; nil for anything but YYYY-MM.
    static func bounds(_ month: String) -> (Date, Date)? {
        month.count == 7 ? BeijingMonth.bounds(of: month) : nil
    }

    static func previousMonths(_ n: Int, from month: String) -> [String] {
        guard let (start, _) = bounds(month) else { return [] }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = BeijingMonth.zone
        return (0..<n).compactMap { i in cal.date(byAdding: .month, value: -i, to: start).map { Self.month(of: $0) } }
    }

    private struct Row: Decodable {
        let rule: String
        let severity: String
        let status: String
        let node_code: String
        let first_at: Date
        let acknowledged_at: Date?
    }

    /// The report for `under` (a node in the viewer's area) and a month.
    static func report(
        under code: HierarchyCode, name: String, month: String, children: [(code: String, name: String)],
        for p: Principal, on db: any SQLDatabase, now: Date = Date()
    ) async throws -> Report {
        guard let (start, end) = bounds(month) else {
            throw AppError.invalid("month", zh: "月份格式应为 YYYY-MM（如 2026-01）", en: "Use YYYY-MM months")
        }
        let node = code.value
        let rows = try await db.select().columns(
            "rule", "severity", "status", "node_code", "first_at", "acknowledged_at"
        )
        .from("alarms").where("node_code", .greaterThanOrEqual, node).where("node_code", .lessThan, node + ":")
        .where("first_at", .greaterThanOrEqual, start).where("first_at", .lessThan, end)
        .scoped(p.scope, column: "node_code").all(decoding: Row.self)
        func alarm(_ r: Row) -> AlarmFigures.Alarm {
            .init(
                rule: r.rule, severity: r.severity, status: r.status, raisedAt: r.first_at,
                acknowledgedAt: r.acknowledged_at)
        }
        let clock = min(now, end)
        var byChild: [String: [AlarmFigures.Alarm]] = [:]
        let width = children.first?.code.count ?? 0
        if width > node.count {
            for r in rows where r.node_code.count >= width {
                byChild[String(r.node_code.prefix(width)), default: []].append(alarm(r))
            }
        }
        struct D: Decodable {
            let online: Bool
            let n: Int
        }
        let devices = try await db.select().column("online").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from("devices").where("status", .equal, "active").where("node_code", .greaterThanOrEqual, node)
            .where("node_code", .lessThan, node + ":").scoped(p.scope, column: "node_code").groupBy("online")
            .all(decoding: D.self)
        return Report(
            code: node, name: name, month: month, figures: AlarmFigures.of(rows.map(alarm), now: clock),
            devicesOnline: devices.filter(\.online).map(\.n).reduce(0, +), devicesTotal: devices.map(\.n).reduce(0, +),
            answerGrade: AlarmFigures.answerGrade,
            children: children.map { c in
                Line(code: c.code, name: c.name, figures: AlarmFigures.of(byChild[c.code] ?? [], now: clock))
            })
    }

    struct Query: Content {
        var under: String?
        var month: String?
    }

    /// Reads the query, checks the area, and builds the report (the API and the page).
    static func report(_ req: Request) async throws -> Report {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let q = try req.query.decode(Query.self)
        let raw = q.under.flatMap { $0.isEmpty ? nil : $0 } ?? p.nodeCode ?? ""
        guard let code = try? parseCode(raw, field: "under") else {
            throw AppError.invalid("under", zh: "区域编码无效", en: "under is not a node code")
        }
        guard p.scope.allowsBrowsing(code: code.value) || p.role == .admin else { throw AppError.forbidden }
        let reads = req.hierarchy.reads(try req.sql)
        let children = try await reads.children(of: code).map { (code: $0.code, name: $0.name) }
        let name = try await reads.detail(code)?.name ?? code.value
        let month = q.month ?? Self.month(of: Date())
        return try await report(
            under: code, name: name, month: month, children: children, for: p, on: try req.readSQL)
    }
}
