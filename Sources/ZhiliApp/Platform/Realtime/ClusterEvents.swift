import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import Synchronization
import Vapor

/// Events every instance of the platform must hear at once: a session that ended, and later
/// alarms, mobilisations and the like. With SQLite (one instance) they go to this instance's
/// subscribers directly. With PostgreSQL they go out as NOTIFY on a channel of this schema,
/// sent when the publishing transaction commits; each instance keeps one LISTEN connection
/// of its own (started at boot, reconnected after a second when it drops) and hands what
/// arrives to its subscribers, its own NOTIFYs included. Payloads are short texts
/// (`kind:value`, at most 7,999 bytes as PostgreSQL allows); a subscriber that needs more
/// reads it from the database by the id it was given.
final class ClusterEvents: LifecycleHandler, @unchecked Sendable {
    typealias Handler = @Sendable (_ kind: String, _ value: String) -> Void

    private let handlers = Mutex<[Handler]>([])
    /// PostgreSQL: where to listen; nil on SQLite.
    private let postgres: (configuration: PostgresConnection.Configuration, channel: String)?
    private let listening = Mutex<(task: Task<Void, Never>?, connection: PostgresConnection?)>((nil, nil))
    /// Set once the LISTEN is in place (tests wait for it).
    let ready = Mutex<Bool>(false)

    init(postgres: PostgresConnection.Configuration?, schema: String?) {
        if let postgres {
            // One channel per schema, so databases shared by several platforms (or test runs) keep apart.
            let suffix = (schema ?? "public").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
            self.postgres = (postgres, "zhili_events_" + suffix)
        } else {
            self.postgres = nil
        }
    }

    func subscribe(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    private func deliver(_ payload: String) {
        guard let colon = payload.firstIndex(of: ":") else { return }
        let kind = String(payload[..<colon])
        let value = String(payload[payload.index(after: colon)...])
        for handler in handlers.withLock({ $0 }) { handler(kind, value) }
    }

    /// Publishes on `db` (on PostgreSQL inside its transaction, if it is one).
    func publish(_ kind: String, _ value: String, on db: any SQLDatabase) async throws {
        let payload = kind + ":" + value
        guard let postgres else {
            deliver(payload)
            return
        }
        try await db.raw("SELECT pg_notify(\(bind: postgres.channel), \(bind: payload))").run()
    }

    func didBootAsync(_ application: Application) async throws {
        guard let postgres else {
            ready.withLock { $0 = true }
            return
        }
        let logger = application.logger
        let loop = application.eventLoopGroup.any()
        let task = Task { [weak self] in
            var attempt = 0
            while !Task.isCancelled {
                // Every connection opened here is closed here, whatever ends its LISTEN.
                var opened: PostgresConnection?
                do {
                    let connection = try await PostgresConnection.connect(
                        on: loop, configuration: postgres.configuration, id: 1, logger: logger)
                    opened = connection
                    self?.listening.withLock { $0.connection = connection }
                    if Task.isCancelled { throw CancellationError() }
                    try await connection.listen(on: postgres.channel) { notifications in
                        self?.ready.withLock { $0 = true }
                        attempt = 0
                        for try await n in notifications { self?.deliver(n.payload) }
                    }
                } catch {
                    attempt += 1
                    if !Task.isCancelled, attempt == 1 || attempt % 60 == 0 {
                        logger.warning(
                            "cluster events: LISTEN connection lost (\(String(describing: error))); retrying every second"
                        )
                    }
                }
                self?.listening.withLock { $0.connection = nil }
                self?.ready.withLock { $0 = false }
                if let opened { try? await opened.close() }
                if Task.isCancelled { break }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        listening.withLock { $0.task = task }
    }

    func shutdownAsync(_ application: Application) async {
        let (task, connection) = listening.withLock { ($0.task, $0.connection) }
        task?.cancel()
        // Closing ends a LISTEN in progress; the task then closes what it opened and stops.
        try? await connection?.close()
        await task?.value
        listening.withLock { $0 = (nil, nil) }
    }
}
