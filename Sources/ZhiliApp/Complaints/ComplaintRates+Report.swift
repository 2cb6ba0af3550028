import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The three rates (response, resolution, satisfaction) for a node: in total, for each child
/// node, for each handling department and for each month. Read from the pre-counted cells
/// (`ComplaintRateCells`) by month; an exact time window (`from`/`to` instants) counts the
/// complaints themselves.
struct ComplaintRates {
    let db: any SQLDatabase
    var gate: SingleFlight? = nil
    /// Reports kept against the cells' generation: any recount anywhere makes a new key.
    var cache: ReadCache<String, Report>? = nil

    struct Line: Content, Sendable {
        let code: String
        let name: String
        let total: Int
        let rates: ThreeRates
    }
    struct Report: Content, Sendable {
        let code: String
        let fromMonth: String?
        let toMonth: String?
        let total: ThreeRates
        let complaints: Int
        let children: [Line]
        let departments: [Line]
        let months: [Line]
    }

    private struct Row: Decodable {
        let grid_code: String
        let status: String
        let dispatched_at: Date?
        let signed_at: Date?
        let sign_by: Date?
        let rating: Int?
        let resolved_at: Date?
        let resolve_by: Date?
        let reopened: Int
        let handler_department: String?
        let created_at: Date
    }

    /// By months ("YYYY-MM", inclusive), from the cells.
    func report(under code: HierarchyCode, fromMonth: String?, toMonth: String?, childNames: [String: String])
        async throws -> Report
    {
        let childLength = code.level.child.map(\.codeLength) ?? code.value.count
        let cells = ComplaintRateCells(db: db, gate: gate)
        try await cells.refreshShared()
        let build = { @Sendable () async throws -> Report in
            let sums = try await cells.sums(
                range: (code.value, code.rangeUpperBound), prefix: childLength, fromMonth: fromMonth, toMonth: toMonth,
                refreshed: true)
            return Self.assemble(
                code: code.value, fromMonth: fromMonth, toMonth: toMonth, childNames: childNames,
                cells: sums.map { ($0.grid_code, $0.handler_key, $0.month, $0.total, $0.rates) })
        }
        guard let cache else { return try await build() }
        let key = "rates|\(code.value)|\(fromMonth ?? "")|\(toMonth ?? "")|\(try await cells.generation())"
        return try await cache.value(for: key, compute: build)
    }

    /// Over an exact window of submission times, counting the complaints themselves.
    func report(under code: HierarchyCode, from: Date?, to: Date?, childNames: [String: String]) async throws -> Report
    {
        let q = db.select().columns(
            "grid_code", "status", "dispatched_at", "signed_at", "sign_by", "rating", "resolved_at", "resolve_by",
            "reopened",
            "handler_department", "created_at"
        )
        .from("complaints").where("grid_code", .greaterThanOrEqual, code.value).where(
            "grid_code", .lessThan, code.rangeUpperBound)
        if let from { q.where("created_at", .greaterThanOrEqual, from) }
        if let to { q.where("created_at", .lessThan, to) }
        let rows = try await q.all(decoding: Row.self)
        let childLength = code.level.child.map(\.codeLength) ?? code.value.count
        var groups: [[String]: [RateInput]] = [:]
        for r in rows {
            let input = RateInput(
                dispatchedAt: r.dispatched_at, signedAt: r.signed_at, signBy: r.sign_by,
                status: ComplaintStatus(rawValue: r.status) ?? .submitted, rating: r.rating,
                resolvedAt: r.resolved_at, resolveBy: r.resolve_by, reopened: r.reopened > 0)
            groups[
                [
                    String(r.grid_code.prefix(childLength)), r.handler_department ?? "",
                    ComplaintRateCells.month(of: r.created_at),
                ], default: []
            ].append(input)
        }
        return Self.assemble(
            code: code.value, fromMonth: nil, toMonth: nil, childNames: childNames,
            cells: groups.map { ($0.key[0], $0.key[1], $0.key[2], $0.value.count, ThreeRates.compute($0.value)) })
    }

    /// Adds counts (never averages rates) along each dimension.
    static func assemble(
        code: String, fromMonth: String?, toMonth: String?, childNames: [String: String],
        cells: [(child: String, handler: String, month: String, total: Int, rates: ThreeRates)]
    ) -> Report {
        func lines(_ key: (String, String, String) -> String, name: (String) -> String) -> [Line] {
            var sums: [String: (Int, ThreeRates)] = [:]
            for c in cells {
                let k = key(c.child, c.handler, c.month)
                let old = sums[k] ?? (0, ThreeRates())
                sums[k] = (old.0 + c.total, old.1 + c.rates)
            }
            return sums.keys.sorted().map { Line(code: $0, name: name($0), total: sums[$0]!.0, rates: sums[$0]!.1) }
        }
        let total = cells.reduce(ThreeRates()) { $0 + $1.rates }
        return Report(
            code: code, fromMonth: fromMonth, toMonth: toMonth, total: total,
            complaints: cells.reduce(0) { $0 + $1.total },
            children: lines({ c, _, _ in c }, name: { childNames[$0] ?? $0 }),
            departments: lines({ _, h, _ in h }, name: { departmentName($0) }),
            months: lines({ _, _, m in m }, name: { $0 }))
    }

    static func departmentName(_ key: String) -> String {
        if key.isEmpty { return "网格（社区）" }
        return Department(rawValue: key)?.nameZh ?? key
    }
}
