import Foundation
import SQLKit
import ZhiliDomain

/// Children, household and resident counts for every node, computed in one pass and kept
/// for a short time. Listings read from it instead of counting per request; local writes
/// invalidate it, and other app instances' writes show within `maxAge`.
actor HierarchyCounts {
    private let db: any SQLDatabase
    private let maxAge: TimeInterval
    private var cached: (at: Date, counts: [String: NodeCounts])?
    private var inflight: Task<[String: NodeCounts], any Error>?

    init(db: any SQLDatabase, maxAge: TimeInterval = 30) {
        self.db = db
        self.maxAge = maxAge
    }

    func snapshot() async throws -> [String: NodeCounts] {
        if let cached, Date().timeIntervalSince(cached.at) < maxAge { return cached.counts }
        if let inflight { return try await inflight.value }
        let db = self.db
        let task = Task { try await Self.compute(db) }
        inflight = task
        defer { inflight = nil }
        let counts = try await task.value
        cached = (Date(), counts)
        return counts
    }

    func invalidate() {
        cached = nil
    }

    private struct Grouped: Decodable { let k: String?; let n: Int }

    static func compute(_ db: any SQLDatabase) async throws -> [String: NodeCounts] {
        var counts: [String: NodeCounts] = [:]
        let unitLength = NodeLevel.unit.codeLength
        let prefixes = NodeLevel.allCases.filter { $0 != .household }.map(\.codeLength)

        let children = try await db.raw("SELECT parent_code AS k, COUNT(*) AS n FROM nodes WHERE retired = \(bind: false) GROUP BY parent_code")
            .all(decoding: Grouped.self)
        for row in children { if let k = row.k { counts[k, default: NodeCounts()].children = row.n } }

        let households = try await db.raw("SELECT substr(code, 1, \(literal: unitLength)) AS k, COUNT(*) AS n FROM households WHERE retired = \(bind: false) GROUP BY substr(code, 1, \(literal: unitLength))")
            .all(decoding: Grouped.self)
        rollUp(households, prefixes: prefixes, into: &counts) { $0.households += $1 }

        let residents = try await db.raw("SELECT substr(household_code, 1, \(literal: unitLength)) AS k, COUNT(*) AS n FROM residents GROUP BY substr(household_code, 1, \(literal: unitLength))")
            .all(decoding: Grouped.self)
        rollUp(residents, prefixes: prefixes, into: &counts) { $0.residents += $1 }
        return counts
    }

    private static func rollUp(_ rows: [Grouped], prefixes: [Int], into counts: inout [String: NodeCounts],
                               add: (inout NodeCounts, Int) -> Void) {
        for row in rows {
            guard let key = row.k else { continue }
            for length in prefixes where length <= key.count {
                add(&counts[String(key.prefix(length)), default: NodeCounts()], row.n)
            }
        }
    }
}
