import Foundation
import Synchronization

/// Short-lived caches of slowly changing, non-personal data (the tag catalogue, node
/// profiles). Local writes clear them; other instances' writes show within `maxAge`.
final class ReadCaches: Sendable {
    private struct Entry: Sendable { let at: Date; let value: any Sendable }
    private let entries = Mutex<[String: Entry]>([:])
    let maxAge: TimeInterval

    init(maxAge: TimeInterval = 30) { self.maxAge = maxAge }

    func value<T: Sendable>(_ key: String, as type: T.Type = T.self, compute: () async throws -> T) async throws -> T {
        if let hit = entries.withLock({ $0[key] }), Date().timeIntervalSince(hit.at) < maxAge, let value = hit.value as? T {
            return value
        }
        let value = try await compute()
        let now = Date()
        entries.withLock { entries in
            // Keys that carry a version (reports) leave old entries behind: drop the stale ones.
            if entries.count > 2000 { entries = entries.filter { now.timeIntervalSince($0.value.at) < maxAge } }
            entries[key] = Entry(at: now, value: value)
        }
        return value
    }

    func invalidate() {
        entries.withLock { $0.removeAll() }
    }
}
