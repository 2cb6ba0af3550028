import CMosquitto
import Foundation
import Logging
import Synchronization

/// One connection to an MQTT broker through Debian's libmosquitto, on a thread of its own that
/// waits on the socket with poll(2) and drives the library (`mosquitto_loop_read/write/misc`),
/// reconnecting after 1 s, doubling to 10 s. Not the library's own thread
/// (`mosquitto_loop_start`): that one waits with select(2), which refuses sockets numbered
/// 1024 or more, and a server holding a thousand screens' sockets gets such numbers.
///
/// Acknowledgement after storing: libmosquitto queues the PUBACK of a QoS 1 message before it
/// calls the message handler, and (told that threads are in use, `mosquitto_threaded_set`) it
/// writes queued packets only when this loop asks it to, which is after the handler returned.
/// So a handler that returns only once the message is stored acknowledges it only then; if
/// the process dies first, the broker keeps the message in this client's session and delivers
/// it again on reconnect. `abandonInFlight()` closes the socket under a handler that cannot
/// store, so its queued PUBACK never leaves.
final class MQTTClient: @unchecked Sendable {
    struct Subscription: Sendable {
        let filter: String
        let qos: Int32
    }

    /// Called on the network thread, one message at a time per connection; its return
    /// acknowledges a QoS 1 message.
    typealias Handler = @Sendable (_ topic: String, _ payload: [UInt8]) -> Void

    let clientID: String
    private let endpoint: MQTTEndpoint
    private let subscriptions: [Subscription]
    private let handler: Handler
    private let logger: Logger
    private let state = Mutex<(connected: Bool, lastError: String?, stopped: Bool, awaitingSubacks: Int)>(
        (false, nil, false, 0))
    private var mosq: OpaquePointer?
    private var retained: Unmanaged<MQTTClient>?
    /// A pipe that wakes the loop when another thread queued something to send, or on stop.
    private var wake: (read: Int32, write: Int32) = (-1, -1)
    private let finished = DispatchSemaphore(value: 0)
    private let running = Atomic<Bool>(false)

    private static let libraryReady: Bool = {
        mosquitto_lib_init()
        return true
    }()

    init(
        clientID: String, cleanSession: Bool, endpoint: MQTTEndpoint, subscriptions: [Subscription],
        logger: Logger, handler: @escaping Handler
    ) {
        _ = Self.libraryReady
        self.clientID = clientID
        self.endpoint = endpoint
        self.subscriptions = subscriptions
        self.handler = handler
        self.logger = logger
        let box = Unmanaged.passRetained(self)
        retained = box
        mosq = mosquitto_new(clientID, cleanSession, box.toOpaque())
        guard let mosq else { return }
        mosquitto_username_pw_set(mosq, endpoint.username, endpoint.password)
        mosquitto_reconnect_delay_set(mosq, 1, 10, true)
        mosquitto_connect_callback_set(mosq) { _, obj, rc in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().connected(rc)
        }
        mosquitto_disconnect_callback_set(mosq) { _, obj, rc in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().disconnected(rc)
        }
        mosquitto_subscribe_callback_set(mosq) { _, obj, _, _, _ in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().subscribed()
        }
        mosquitto_message_callback_set(mosq) { _, obj, message in
            guard let obj, let m = message?.pointee else { return }
            let topic = m.topic.map { String(cString: $0) } ?? ""
            let bytes: [UInt8] =
                m.payloadlen > 0 && m.payload != nil
                ? Array(UnsafeRawBufferPointer(start: m.payload, count: Int(m.payloadlen))) : []
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().handler(topic, bytes)
        }
    }

    deinit {
        if let mosq { mosquitto_destroy(mosq) }
        if wake.read >= 0 {
            close(wake.read)
            close(wake.write)
        }
    }

    var isConnected: Bool { state.withLock { $0.connected } }
    var lastError: String? { state.withLock { $0.lastError } }

    /// Starts connecting in the background; `waitConnected` tells when it is in.
    func start() throws {
        guard let mosq else { throw MQTTError("libmosquitto could not create a client") }
        guard !running.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw MQTTError("no pipe for the MQTT loop: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wake = (fds[0], fds[1])
        // Packets queued by any thread wait for this loop to write them (see above).
        mosquitto_threaded_set(mosq, true)
        let thread = Thread { [self] in
            defer { self.finished.signal() }
            guard let mosq = self.mosq else { return }
            self.run(mosq)
        }
        thread.name = "mqtt \(clientID)"
        thread.start()
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func run(_ mosq: OpaquePointer) {
        var delay = 1.0
        var linked = false
        var first = true
        while !isStopped {
            if !linked {
                let rc =
                    first
                    ? mosquitto_connect(mosq, endpoint.host, Int32(endpoint.port), 30) : mosquitto_reconnect(mosq)
                first = false
                if rc != MOSQ_ERR_SUCCESS.rawValue {
                    let why = Self.describe(rc)
                    state.withLock { $0.lastError = why }
                    logger.warning("mqtt \(clientID): \(why); retrying in \(Int(delay)) s")
                    pause(seconds: delay)
                    delay = min(delay * 2, 10)
                    continue
                }
                linked = true
            }
            let fd = mosquitto_socket(mosq)
            guard fd >= 0 else {
                linked = false
                pause(seconds: delay)
                delay = min(delay * 2, 10)
                continue
            }
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN) | (mosquitto_want_write(mosq) ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 1000)
            if fds[1].revents != 0 { drainWake() }
            var rc = MOSQ_ERR_SUCCESS.rawValue
            if fds[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { rc = mosquitto_loop_read(mosq, 1) }
            if rc == MOSQ_ERR_SUCCESS.rawValue, mosquitto_want_write(mosq) { rc = mosquitto_loop_write(mosq, 1) }
            if rc == MOSQ_ERR_SUCCESS.rawValue { rc = mosquitto_loop_misc(mosq) }
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                if isConnected { delay = 1 }
            } else {
                // The library closed the socket and told the disconnect handler.
                linked = false
                state.withLock { $0.connected = false }
                if !isStopped { pause(seconds: delay) }
                delay = min(delay * 2, 10)
            }
        }
        // Signing off: the DISCONNECT goes out (the library closes the socket once it is sent).
        if mosquitto_socket(mosq) >= 0 {
            _ = mosquitto_disconnect(mosq)
            for _ in 0..<10 where mosquitto_socket(mosq) >= 0 && mosquitto_want_write(mosq) {
                if mosquitto_loop_write(mosq, 1) != MOSQ_ERR_SUCCESS.rawValue { break }
            }
        }
    }

    /// Sleeps, woken early by `stop()`.
    private func pause(seconds: Double) {
        var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, Int32(seconds * 1000))
        drainWake()
    }

    private func drainWake() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &buf, buf.count) > 0 {}
    }

    private func poke() {
        guard wake.write >= 0 else { return }
        var b: UInt8 = 1
        _ = write(wake.write, &b, 1)
    }

    /// Waits until the broker accepted this client and confirmed its subscriptions.
    func waitConnected(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isConnected {
            if ContinuousClock.now > deadline {
                throw MQTTError("no connection to the MQTT broker: \(lastError ?? "timed out")")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Publishes; QoS 1 is delivered at least once by the library (it resends until acknowledged).
    func publish(_ topic: String, _ payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws {
        guard let mosq else { throw MQTTError("no client") }
        let rc = payload.withUnsafeBytes { buf in
            mosquitto_publish(mosq, nil, topic, Int32(buf.count), buf.baseAddress, qos, retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError(Self.describe(rc)) }
        poke()
    }

    /// Stops taking new messages on a filter (what the broker already sent still arrives).
    func unsubscribe(_ filter: String) {
        guard let mosq else { return }
        _ = mosquitto_unsubscribe(mosq, nil, filter)
        poke()
    }

    /// Makes sure the PUBACK queued for the message being handled never reaches the broker.
    func abandonInFlight() {
        guard let mosq else { return }
        let fd = mosquitto_socket(mosq)
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Signs off and ends the loop (blocks until it has: call it off the cooperative pool, and
    /// never from a handler).
    func stop() {
        guard let mosq else { return }
        let first = state.withLock { s in
            defer { s.stopped = true }
            return !s.stopped
        }
        guard first else { return }
        if running.load(ordering: .sequentiallyConsistent) {
            poke()
            finished.wait()
        }
        _ = mosq
        retained?.release()
        retained = nil
    }

    private func connected(_ rc: Int32) {
        guard rc == 0 else {
            let why = String(cString: mosquitto_connack_string(rc))
            state.withLock { $0.lastError = why }
            logger.warning("mqtt \(clientID): broker refused the connection: \(why)")
            return
        }
        state.withLock {
            $0.awaitingSubacks = subscriptions.count
            $0.connected = subscriptions.isEmpty
            $0.lastError = nil
        }
        for s in subscriptions {
            let r = mosquitto_subscribe(mosq, nil, s.filter, s.qos)
            if r != MOSQ_ERR_SUCCESS.rawValue {
                logger.error("mqtt \(clientID): subscribe \(s.filter): \(Self.describe(r))")
            }
        }
    }

    private func subscribed() {
        state.withLock { s in
            s.awaitingSubacks -= 1
            if s.awaitingSubacks <= 0 { s.connected = true }
        }
    }

    private func disconnected(_ rc: Int32) {
        let stopped = state.withLock { s in
            s.connected = false
            if rc != 0 { s.lastError = Self.describe(rc) }
            return s.stopped
        }
        if rc != 0 && !stopped {
            logger.warning("mqtt \(clientID): connection lost (\(Self.describe(rc))); reconnecting")
        }
    }

    static func describe(_ rc: Int32) -> String {
        if rc == MOSQ_ERR_ERRNO.rawValue { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(rc))
    }
}

struct MQTTError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
