import CoreMetrics
import Fluent
import Foundation
import SQLKit
import Synchronization
import Vapor

/// Who may receive a live event.
enum LiveAudience: Sendable, Equatable {
    /// One account (its unread count, its own alarm of a family member …).
    case user(UUID)
    /// Staff whose scope holds this hierarchy code (administrators always): an alarm in a
    /// grid reaches that grid's worker, the community's and the street's staff, never the
    /// staff of another grid.
    case staff(node: String)
}

/// One event to store: its kind (`notice`, `alarm`, `device` …), who may receive it, and its
/// data as a JSON object's text.
struct LiveItem: Sendable {
    let kind: String
    let audience: LiveAudience
    let json: String

    /// `kind` is a word of lower-case letters, digits, dots and dashes (it is written into
    /// frames unquoted by any encoder); other characters are dropped.
    init(kind: String, to audience: LiveAudience, json: String) {
        self.kind = String(
            kind.unicodeScalars.filter {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_"
            })
        self.audience = audience
        self.json = json
    }

    init(kind: String, to audience: LiveAudience, data: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(kind: kind, to: audience, json: String(decoding: try encoder.encode(data), as: UTF8.self))
    }
}

/// A stored live event as it is read back.
struct LiveEvent: Sendable, Equatable {
    let seq: Int64
    let kind: String
    let at: Date
    let userID: UUID?
    let node: String?
    let json: String

    /// The frame a screen receives: `{"seq":…,"kind":…,"at":…,"data":{…}}`.
    var frame: String {
        "{\"seq\":\(seq),\"kind\":\"\(kind)\",\"at\":\"\(Self.stamp(at))\",\"data\":\(json)}"
    }

    static func stamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// The live push every screen listens to (`/api/v1/live`): events are rows of `live_events`,
/// written in the transaction of the change they report, so nothing is announced that did
/// not happen. Each instance hands them to its connected screens, filtered by audience:
///
/// - SQLite (one instance): a writer wakes the feed, which reads rows after its cursor on a
///   read-only connection and retries briefly until the writer's transaction has committed;
///   a poll every half second catches writes by other processes (operator commands).
/// - PostgreSQL (several instances): a trigger sends `live:<seq>` on the schema's
///   `ClusterEvents` channel when the row commits; every instance reads each row it is told
///   of, once, and hands it to its own screens.
///
/// A screen that reconnects with `since` gets what it missed (events are kept a day), or a
/// `reset` when too much happened or its cursor is unknown, after which it reloads its data.
final class LiveFeed: LifecycleHandler, Sendable {
    static let table = "live_events"
    /// Events kept for screens that come back (a day).
    static let retention: TimeInterval = 24 * 3600
    /// At most this many missed events are replayed; beyond it the screen is told to reload.
    static let replayLimit = 1000
    /// On PostgreSQL rows can commit out of sequence order (two writers, the later one first):
    /// a replay also reads this many before the cursor, and screens skip what they have seen.
    static let replayOverlap: Int64 = 64

    private let db: any SQLDatabase
    private let readers: SQLiteReaders?
    private let isPostgres: Bool
    private let hub = LiveHub()

    private struct Drain {
        var running = false
        var again = false
        var cursor: Int64 = 0
        /// PostgreSQL: sequence numbers announced and not yet read.
        var announced: [Int64] = []
        /// SQLite: events stored by this process, and those read back since. While fewer
        /// were read than stored (a writer's transaction is still open), the feed looks again
        /// shortly; once they match it goes back to waiting.
        var stored: Int = 0
        var read: Int = 0
    }
    private let drain = Mutex(Drain())
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Running feeds of this process, woken by `store` (SQLite: one instance per database).
    private static let running = Mutex<[ObjectIdentifier: LiveFeed]>([:])

    let sent = Counter(label: "zhili_live_frames_sent_total")
    let connectionsGauge = Gauge(label: "zhili_live_connections")

    init(db: any SQLDatabase, readers: SQLiteReaders?, events: ClusterEvents) {
        self.db = db
        self.readers = readers
        self.isPostgres = Dialect(db).isPostgres
        events.subscribe { [weak self] kind, value in
            guard let self else { return }
            if kind == "live", let seq = Int64(value) {
                self.drain.withLock { $0.announced.append(seq) }
                self.kick()
            } else if kind == SessionCache.endedEvent {
                self.hub.closeSession(value)
            }
        }
    }

    // MARK: Writing

    /// Stores events on `db` (the caller's transaction: they are delivered when it commits).
    static func store(_ items: [LiveItem], on db: any SQLDatabase, at now: Date = Date()) async throws {
        guard !items.isEmpty else { return }
        for chunk in stride(from: 0, to: items.count, by: 200).map({ items[$0..<min($0 + 200, items.count)] }) {
            let insert = db.insert(into: table).columns("kind", "at", "user_id", "node_code", "body")
            for item in chunk {
                var user: UUID?
                var node: String?
                switch item.audience {
                case .user(let id): user = id
                case .staff(let code): node = code
                }
                insert.values(SQLBind(item.kind), SQLBind(now), SQLBind(user), SQLBind(node), SQLBind(item.json))
            }
            try await insert.run()
        }
        if !Dialect(db).isPostgres {
            // Inside a transaction the rows are not there for the feed's reader until the
            // commit, which kicks the feed (`Database.writeTransaction`, `committed()`);
            // written outside one they are there now.
            let open = (db as? any Database)?.inTransaction ?? false
            for feed in running.withLock({ Array($0.values) }) {
                feed.drain.withLock { $0.stored += items.count }
                if !open { feed.kick() }
            }
        }
    }

    static func store(_ item: LiveItem, on db: any SQLDatabase, at now: Date = Date()) async throws {
        try await store([item], on: db, at: now)
    }

    /// After a transaction that stored events committed: the feeds of this process read them
    /// now rather than on their retry (SQLite; on PostgreSQL the commit announces them).
    static func committed() {
        for feed in running.withLock({ Array($0.values) }) where !feed.isPostgres {
            if feed.drain.withLock({ $0.read < $0.stored }) { feed.kick() }
        }
    }

    /// Reads and delivers what is new now (after a commit that stored events).
    func kick() {
        let start = drain.withLock { d -> Bool in
            if d.running {
                d.again = true
                return false
            }
            d.running = true
            return true
        }
        if start { Task { await self.drainLoop() } }
    }

    private func drainLoop() async {
        var idle = 0
        while true {
            drain.withLock { $0.again = false }
            let found = (try? await drainOnce()) ?? 0
            if found > 0 { idle = 0 }
            let stop = drain.withLock { d -> Bool in
                if d.again || (isPostgres && !d.announced.isEmpty) { return false }
                // SQLite: events this process stored that are not read yet belong to a
                // transaction not yet committed (or one rolled back); look again a few times
                // (1, 2, 4 … 64 ms), then leave the rest to the commit's kick and the poll.
                if !isPostgres, d.read < d.stored, idle < 7 { return false }
                if !isPostgres, idle >= 7 { d.read = d.stored }
                d.running = false
                return true
            }
            if stop { return }
            if found == 0 && !drain.withLock({ $0.again }) {
                // Waits in steps of a millisecond, so a commit announced meanwhile
                // (`committed()`) is read at once rather than after the whole pause.
                for _ in 0..<(1 << idle) where !drain.withLock({ $0.again }) {
                    try? await Task.sleep(for: .milliseconds(1))
                }
                idle += 1
            }
        }
    }

    /// One read of new rows; returns how many were delivered.
    private func drainOnce() async throws -> Int {
        if isPostgres {
            let seqs = drain.withLock { d -> [Int64] in
                let taken = Array(d.announced.prefix(500))
                d.announced.removeFirst(taken.count)
                return taken
            }
            guard !seqs.isEmpty else { return 0 }
            let rows = try await select(on: db).where("seq", .in, seqs).orderBy("seq").all(decoding: Row.self)
            let events = rows.map(\.event)
            hub.deliver(events, feed: self)
            if let last = events.last?.seq { drain.withLock { $0.cursor = max($0.cursor, last) } }
            return events.count
        }
        let cursor = drain.withLock { $0.cursor }
        let reader = readers?.sql() ?? db
        let rows = try await select(on: reader).where("seq", .greaterThan, SQLBind(cursor)).orderBy("seq").limit(500)
            .all(decoding: Row.self)
        guard let last = rows.last?.seq else { return 0 }
        drain.withLock {
            $0.cursor = max($0.cursor, last)
            // Rows of other processes count too: what matters is that nothing of ours waits.
            $0.read = min($0.stored, $0.read + rows.count)
        }
        hub.deliver(rows.map(\.event), feed: self)
        return rows.count
    }

    private struct Row: Decodable {
        let seq: Int64
        let kind: String
        let at: Date
        let user_id: UUID?
        let node_code: String?
        let body: String

        var event: LiveEvent {
            LiveEvent(seq: seq, kind: kind, at: at, userID: user_id, node: node_code, json: body)
        }
    }

    private func select(on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().columns("seq", "kind", "at", "user_id", "node_code", "body").from(Self.table)
    }

    /// The newest sequence number stored.
    func head() async throws -> Int64 {
        struct Max: Decodable { let m: Int64? }
        let reader = isPostgres ? db : (readers?.sql() ?? db)
        let row = try await reader.select().column(SQLFunction("max", args: SQLIdentifier("seq")), as: "m")
            .from(Self.table).first(decoding: Max.self)
        return row?.m ?? 0
    }

    // MARK: Reading back

    enum Missed: Equatable {
        case events([LiveEvent])
        /// The screen should reload what it shows (too much happened, or its cursor is unknown).
        case reset
    }

    /// What a listener missed after `since`, filtered by its audience; more than `limit` is a reset.
    func missed(since: Int64, for listener: LiveListener, limit: Int = LiveFeed.replayLimit) async throws -> Missed {
        let head = try await head()
        if since > head { return .reset }
        let reader = isPostgres ? db : (readers?.sql() ?? db)
        struct Min: Decodable { let m: Int64? }
        let oldest = try await reader.select().column(SQLFunction("min", args: SQLIdentifier("seq")), as: "m")
            .from(Self.table).first(decoding: Min.self)?.m
        if let oldest, since + 1 < oldest { return .reset }
        let from = isPostgres ? since - Self.replayOverlap : since
        let query = select(on: reader).where("seq", .greaterThan, SQLBind(from))
        query.where { w in
            w.where("user_id", .equal, SQLBind(listener.userID))
            if listener.isStaff {
                switch listener.scope {
                case .everything:
                    w.orWhere("node_code", .isNot, SQLLiteral.null)
                case .subtree:
                    if let range = listener.scope.codeRange {
                        let column = Dialect(reader).codepoint("node_code")
                        w.orWhere { r in
                            r.where(column, .greaterThanOrEqual, SQLBind(range.lower))
                                .where(column, .lessThan, SQLBind(range.upper))
                        }
                    }
                default: break
                }
            }
            return w
        }
        let rows = try await query.orderBy("seq").limit(limit + 1).all(decoding: Row.self)
        if rows.count > limit { return .reset }
        return .events(rows.map(\.event))
    }

    // MARK: Screens

    func attach(_ ws: WebSocket, listener: LiveListener, since: Int64?) {
        let subscriber = hub.add(ws, listener: listener)
        connectionsGauge.record(hub.count)
        ws.onClose.whenComplete { [weak self] _ in
            guard let self else { return }
            self.hub.remove(subscriber)
            self.connectionsGauge.record(self.hub.count)
        }
        ws.onText { ws, text in
            if text == "ping" { ws.send("pong", promise: nil) }
        }
        Task {
            var frames: [String] = []
            var replayed = Set<Int64>()
            do {
                let head = try await self.head()
                frames.append("{\"kind\":\"hello\",\"seq\":\(head)}")
                if let since, since > 0 {
                    switch try await self.missed(since: since, for: listener) {
                    case .reset:
                        frames.append("{\"kind\":\"reset\",\"seq\":\(head)}")
                    case .events(let events):
                        for event in events {
                            replayed.insert(event.seq)
                            frames.append(event.frame)
                        }
                    }
                }
            } catch {
                frames.append("{\"kind\":\"reset\",\"seq\":0}")
            }
            for frame in frames { ws.send(frame, promise: nil) }
            self.sent.increment(by: Int64(frames.count))
            subscriber.finishReplay(skipping: replayed, feed: self)
        }
    }

    /// Closes every screen's connection (shutdown; tests before stopping their server).
    func closeAll() async {
        for ws in hub.all() { try? await ws.close(code: .goingAway) }
    }

    var connections: Int { hub.count }

    // MARK: Lifecycle

    func didBootAsync(_ application: Application) async throws {
        let head = (try? await head()) ?? 0
        drain.withLock { $0.cursor = head }
        Self.running.withLock { $0[ObjectIdentifier(self)] = self }
        let poll = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                guard let self, !Task.isCancelled else { return }
                if !self.isPostgres { self.kick() }
            }
        }
        let purge = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
                guard let self, !Task.isCancelled else { return }
                try? await self.purge()
            }
        }
        tasks.withLock { $0 = [poll, purge] }
    }

    /// Deletes events older than the retention.
    func purge(now: Date = Date()) async throws {
        try await db.delete(from: Self.table).where("at", .lessThan, SQLBind(now.addingTimeInterval(-Self.retention)))
            .run()
    }

    func shutdownAsync(_ application: Application) async {
        _ = Self.running.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        await closeAll()
    }
}
