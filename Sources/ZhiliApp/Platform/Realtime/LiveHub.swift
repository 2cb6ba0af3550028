import Synchronization
import Vapor

/// Who listens on a connection.
struct LiveListener: Sendable {
    let userID: UUID
    let isStaff: Bool
    let scope: DataScope
    let sessionID: String?

    init(_ principal: Principal, sessionID: String?) {
        userID = principal.userID
        isStaff = principal.role.isStaff
        scope = principal.scope
        self.sessionID = sessionID
    }

    func receives(_ event: LiveEvent) -> Bool {
        if let user = event.userID { return user == userID }
        guard isStaff, let node = event.node else { return false }
        return scope.allows(code: node)
    }
}

/// The connected screens of this instance.
final class LiveHub: Sendable {
    final class Subscriber: Sendable {
        let ws: WebSocket
        let listener: LiveListener
        /// Until its missed events are sent, live ones wait here (then those already replayed
        /// are skipped), so a screen gets each event once and in order.
        private let waiting = Mutex<[LiveEvent]?>([])

        init(ws: WebSocket, listener: LiveListener) {
            self.ws = ws
            self.listener = listener
        }

        /// `frame` is the event's text, encoded once for every screen it goes to (a ByteBuffer
        /// is shared, not copied, by each socket's write).
        func offer(_ event: LiveEvent, frame: ByteBuffer, feed: LiveFeed) {
            let queued = waiting.withLock { w -> Bool in
                guard w != nil else { return false }
                w!.append(event)
                return true
            }
            if !queued {
                ws.send(frame, opcode: .text, fin: true, promise: nil)
                feed.sent.increment()
            }
        }

        func finishReplay(skipping replayed: Set<Int64>, feed: LiveFeed) {
            let held = waiting.withLock { w -> [LiveEvent] in
                let held = w ?? []
                w = nil
                return held
            }
            for event in held where !replayed.contains(event.seq) {
                ws.send(event.frame, promise: nil)
                feed.sent.increment()
            }
        }
    }

    private struct State {
        var byUser: [UUID: [ObjectIdentifier: Subscriber]] = [:]
        var staff: [ObjectIdentifier: Subscriber] = [:]
    }
    private let state = Mutex(State())

    func add(_ ws: WebSocket, listener: LiveListener) -> Subscriber {
        let s = Subscriber(ws: ws, listener: listener)
        state.withLock { st in
            st.byUser[listener.userID, default: [:]][ObjectIdentifier(s)] = s
            if listener.isStaff { st.staff[ObjectIdentifier(s)] = s }
        }
        return s
    }

    func remove(_ s: Subscriber) {
        state.withLock { st in
            st.byUser[s.listener.userID]?.removeValue(forKey: ObjectIdentifier(s))
            if st.byUser[s.listener.userID]?.isEmpty == true { st.byUser.removeValue(forKey: s.listener.userID) }
            st.staff.removeValue(forKey: ObjectIdentifier(s))
        }
    }

    var count: Int { state.withLock { $0.byUser.values.reduce(0) { $0 + $1.count } } }

    func all() -> [WebSocket] { state.withLock { $0.byUser.values.flatMap { $0.values.map(\.ws) } } }

    func deliver(_ events: [LiveEvent], feed: LiveFeed) {
        for event in events {
            let targets: [Subscriber] = state.withLock { st in
                if let user = event.userID { return st.byUser[user].map { Array($0.values) } ?? [] }
                guard let node = event.node else { return [] }
                return st.staff.values.filter { $0.listener.scope.allows(code: node) }
            }
            guard !targets.isEmpty else { continue }
            let frame = ByteBuffer(string: event.frame)
            // One task per event loop writes to all of its sockets: a thousand screens cost
            // two hops between threads, not a thousand.
            var byLoop: [ObjectIdentifier: (any EventLoop, [Subscriber])] = [:]
            for s in targets { byLoop[ObjectIdentifier(s.ws.eventLoop), default: (s.ws.eventLoop, [])].1.append(s) }
            for (loop, subscribers) in byLoop.values {
                loop.execute { for s in subscribers { s.offer(event, frame: frame, feed: feed) } }
            }
        }
    }

    /// A session ended (signed out, disabled, signed out by an administrator): its screens close.
    func closeSession(_ id: String) {
        let sockets = state.withLock { st in
            st.byUser.values.flatMap { $0.values }.filter { $0.listener.sessionID == id }.map(\.ws)
        }
        for ws in sockets { _ = ws.close(code: .policyViolation) }
    }
}

/// The live events table. On PostgreSQL a trigger announces each committed row on the
/// schema's cluster channel (see `ClusterEvents`), whichever instance or command wrote it.
