import Foundation
import Synchronization

/// A short-lived cache of slowly changing, non-personal data (the tag catalogue, node
/// profiles, complaint categories), typed by its key and value: each capability owns its
/// caches as members of its services. Local writes clear them; other instances' writes
/// show within `maxAge`.
final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let at: Date
        let value: Value
    }
    private let entries = Mutex<[Key: Entry]>([:])
    let maxAge: TimeInterval
    /// Keys that carry a version (reports) leave old entries behind: past this many
    /// entries, the stale ones are dropped.
    let capacity: Int

    init(maxAge: TimeInterval = 30, capacity: Int = 2000) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    func value(for key: Key, compute: () async throws -> Value) async throws -> Value {
        if let hit = entries.withLock({ $0[key] }), Date().timeIntervalSince(hit.at) < maxAge {
            return hit.value
        }
        let value = try await compute()
        let now = Date()
        entries.withLock { entries in
            if entries.count > capacity {
                entries = entries.filter { now.timeIntervalSince($0.value.at) < maxAge }
            }
            entries[key] = Entry(at: now, value: value)
        }
        return value
    }

    func invalidate() {
        entries.withLock { $0.removeAll() }
    }
}

/// A cache of one value (a settings list): a `ReadCache` with a single key.
final class SettingCache<Value: Sendable>: Sendable {
    private let cache: ReadCache<Int, Value>

    init(maxAge: TimeInterval = 30) { cache = ReadCache(maxAge: maxAge) }

    func value(compute: () async throws -> Value) async throws -> Value {
        try await cache.value(for: 0, compute: compute)
    }

    func invalidate() { cache.invalidate() }
}
