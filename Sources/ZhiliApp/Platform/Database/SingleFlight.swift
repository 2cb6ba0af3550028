import Synchronization

/// Runs one piece of work at a time for many callers: a caller arriving while it runs waits
/// for that run instead of starting its own (no thundering herd of identical recounts).
final class SingleFlight: Sendable {
    private let current = Mutex<Task<Void, any Error>?>(nil)

    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = current.withLock { slot -> Task<Void, any Error> in
            if let running = slot { return running }
            let started = Task { try await body() }
            slot = started
            return started
        }
        defer { current.withLock { if $0 == task { $0 = nil } } }
        try await task.value
    }
}
