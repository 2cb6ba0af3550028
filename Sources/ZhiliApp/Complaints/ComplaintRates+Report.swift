import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The three rates (response, resolution, satisfaction) for a node and each of its children.
struct ComplaintRates {
    let db: any SQLDatabase

    struct Line: Content, Sendable { let code: String; let name: String; let rates: ThreeRates }
    struct Report: Content, Sendable { let code: String; let total: ThreeRates; let children: [Line] }

    private struct Row: Decodable {
        let grid_code: String; let status: String; let dispatched_at: Date?; let signed_at: Date?; let sign_by: Date?
        let rating: Int?; let resolved_at: Date?; let resolve_by: Date?; let reopened: Int
    }

    func report(under code: HierarchyCode, from: Date?, to: Date?, childNames: [String: String]) async throws -> Report {
        let q = db.select().columns("grid_code", "status", "dispatched_at", "signed_at", "sign_by", "rating", "resolved_at", "resolve_by", "reopened")
            .from("complaints").where("grid_code", .greaterThanOrEqual, code.value).where("grid_code", .lessThan, code.rangeUpperBound)
        if let from { q.where("created_at", .greaterThanOrEqual, from) }
        if let to { q.where("created_at", .lessThan, to) }
        let rows = try await q.all(decoding: Row.self)
        let childLength = code.level.child.map(\.codeLength) ?? code.value.count
        var byChild: [String: [RateInput]] = [:]
        for r in rows {
            let input = RateInput(dispatchedAt: r.dispatched_at, signedAt: r.signed_at, signBy: r.sign_by,
                                  status: ComplaintStatus(rawValue: r.status) ?? .submitted, rating: r.rating,
                                  resolvedAt: r.resolved_at, resolveBy: r.resolve_by, reopened: r.reopened > 0)
            byChild[String(r.grid_code.prefix(childLength)), default: []].append(input)
        }
        let lines = byChild.keys.sorted().map { Line(code: $0, name: childNames[$0] ?? $0, rates: ThreeRates.compute(byChild[$0] ?? [])) }
        return Report(code: code.value, total: lines.reduce(ThreeRates.compute([])) { $0 + $1.rates }, children: lines)
    }
}
