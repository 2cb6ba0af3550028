import Foundation
import SQLKit
import ZhiliDomain

/// The browsable tree (each node's active children, by code) with children, household and
/// resident counts for every node, computed in one pass and kept for a short time. Listings
/// are answered from it without touching the database; local writes invalidate it, and
/// other app instances' writes show within `maxAge`.
struct HierarchySnapshot: Sendable {
    struct Child: Sendable, Decodable {
        let code: String
        let level: String
        let name: String
        let parent_code: String?
    }
    var counts: [String: NodeCounts] = [:]
    var children: [String: [Child]] = [:]
    var roots: [Child] = []

    subscript(code: String) -> NodeCounts? { counts[code] }
}

actor HierarchyCounts {
    private let db: any SQLDatabase
    /// On SQLite, a connection of its own: the pass takes most of a second at 800,000
    /// residents, and on a pooled connection requests queued behind it.
    private let background: SQLiteReaders?
    private let maxAge: TimeInterval
    private var cached: (at: Date, snapshot: HierarchySnapshot)?
    private var inflight: Task<HierarchySnapshot, any Error>?

    init(db: any SQLDatabase, background: SQLiteReaders? = nil, maxAge: TimeInterval = 30) {
        self.db = db
        self.background = background
        self.maxAge = maxAge
    }

    /// A snapshot only aged (not invalidated) is still answered at once while a fresh one is
    /// computed in the background: at 800,000 residents the pass takes most of a second, and
    /// without this every `maxAge` some requests waited for it.
    func snapshot() async throws -> HierarchySnapshot {
        if let cached {
            if Date().timeIntervalSince(cached.at) >= maxAge, inflight == nil { _ = refresh() }
            return cached.snapshot
        }
        return try await (inflight ?? refresh()).value
    }

    private func refresh() -> Task<HierarchySnapshot, any Error> {
        let db = background?.sql() ?? self.db
        let task = Task { try await Self.compute(db) }
        inflight = task
        Task { await self.finish(task) }
        return task
    }

    private func finish(_ task: Task<HierarchySnapshot, any Error>) async {
        let result = await task.result
        // A local write that invalidated meanwhile started its own computation; keep that one.
        guard inflight == task else { return }
        inflight = nil
        if case .success(let snapshot) = result { cached = (Date(), snapshot) }
    }

    /// After a local write: the next caller waits for a fresh snapshot.
    func invalidate() {
        cached = nil
        inflight = nil
    }

    private struct Grouped: Decodable {
        let k: String?
        let n: Int
    }

    static func compute(_ db: any SQLDatabase) async throws -> HierarchySnapshot {
        var snapshot = HierarchySnapshot()
        let nodes = try await db.select().columns("code", "level", "name", "parent_code").from("nodes")
            .where("retired", .equal, false).orderBy("code").all(decoding: HierarchySnapshot.Child.self)
        for node in nodes {
            if let parent = node.parent_code {
                snapshot.children[parent, default: []].append(node)
            } else {
                snapshot.roots.append(node)
            }
        }
        var counts: [String: NodeCounts] = [:]
        for (parent, list) in snapshot.children { counts[parent, default: NodeCounts()].children = list.count }
        let unitLength = NodeLevel.unit.codeLength
        let prefixes = NodeLevel.allCases.filter { $0 != .household }.map(\.codeLength)

        let households = try await db.raw(
            "SELECT substr(code, 1, \(literal: unitLength)) AS k, COUNT(*) AS n FROM households WHERE retired = \(bind: false) GROUP BY substr(code, 1, \(literal: unitLength))"
        )
        .all(decoding: Grouped.self)
        rollUp(households, prefixes: prefixes, into: &counts) { $0.households += $1 }

        let residents = try await db.raw(
            "SELECT substr(household_code, 1, \(literal: unitLength)) AS k, COUNT(*) AS n FROM residents GROUP BY substr(household_code, 1, \(literal: unitLength))"
        )
        .all(decoding: Grouped.self)
        rollUp(residents, prefixes: prefixes, into: &counts) { $0.residents += $1 }
        snapshot.counts = counts
        return snapshot
    }

    private static func rollUp(
        _ rows: [Grouped], prefixes: [Int], into counts: inout [String: NodeCounts],
        add: (inout NodeCounts, Int) -> Void
    ) {
        for row in rows {
            guard let key = row.k else { continue }
            for length in prefixes where length <= key.count {
                add(&counts[String(key.prefix(length)), default: NodeCounts()], row.n)
            }
        }
    }
}
