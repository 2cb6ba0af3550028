import CoreMetrics
import Foundation
import Logging
import SQLKit
import Synchronization
import Vapor

/// The MQTT door of ingestion: devices publish to a standard broker (Eclipse mosquitto) and the
/// platform is one of its clients, through Debian's libmosquitto.
///
/// - `mqttConnections` connections (client ids `<prefix>-1…n`, persistent sessions) share the
///   subscription `$share/<root>/<root>/devices/+/events` at QoS 1, with every other instance's.
///   Each handles one message at a time and acknowledges it only once it is stored (see
///   `MQTTClient`): a message the platform had not stored when it died is delivered again when
///   the same client id comes back, and the device's event id makes that a no-op.
/// - The topic names the device; the broker lets only that device publish there, so the
///   platform looks the device up by code and takes its events through the same checks and
///   pipeline as HTTP. A refused message (unknown device, malformed, oversized, stale) is
///   acknowledged (sending it again would not help), counted in `/metrics` and answered on
///   `<root>/devices/<code>/errors` with the same bilingual error body as HTTP.
/// - If storing fails (the database is away), the message is retried with a growing pause,
///   holding that connection: the broker queues the rest, nothing is lost.
/// - A control connection applies the broker account queue (`BrokerAccounts`) every few
///   seconds and at once when this instance queued something.
/// - On shutdown the connections sign off without unsubscribing: the broker keeps queueing this
///   instance's share in its sessions, delivered when it starts again under the same client ids
///   (with one instance, that is every message sent while it restarts). An instance retired for
///   good leaves its share queued until the broker's `persistent_client_expiration`.
final class MQTTDoor: LifecycleHandler, Sendable {
    static let maxPayload = 512 * 1024

    private struct Parts: Sendable {
        var control: MQTTClient?
        var ingest: [MQTTClient] = []
        var worker: Task<Void, Never>?
    }

    private let parts = Mutex(Parts())
    private let stopping = Atomic<Bool>(false)
    private let nudged = Atomic<Bool>(true)
    let dynsec = DynamicSecurity()

    init() {}

    func didBootAsync(_ application: Application) async throws {
        let app = application
        let config = app.zhili.config
        guard let endpoint = config.mqtt, let accounts = app.sensing.broker else { return }
        let topics = accounts.topics
        let prefix = config.mqttClientPrefix ?? "zhili-\(ProcessInfo.processInfo.hostName)-\(config.port)"
        let logger = app.logger
        let control = MQTTClient(
            clientID: "\(prefix)-control", cleanSession: true, endpoint: endpoint,
            subscriptions: [DynamicSecurity.subscription], logger: logger
        ) { [dynsec] topic, payload in
            if topic == DynamicSecurity.responseTopic { dynsec.received(payload) }
        }
        dynsec.attach(control)
        try control.start()
        var ingest: [MQTTClient] = []
        for n in 1...config.mqttConnections {
            let me = ClientRef()
            let client = MQTTClient(
                clientID: "\(prefix)-\(n)", cleanSession: false, endpoint: endpoint,
                subscriptions: [.init(filter: topics.sharedEvents, qos: 1)], logger: logger
            ) { [self] topic, payload in
                let done = DispatchSemaphore(value: 0)
                Task {
                    await self.handle(topic: topic, payload: payload, via: me, app: app, topics: topics)
                    done.signal()
                }
                // Holding libmosquitto's thread is what keeps the acknowledgement back.
                done.wait()
            }
            me.client.withLock { $0 = client }
            try client.start()
            ingest.append(client)
        }
        let worker = Task { await self.keepAccounts(app, accounts: accounts, control: control) }
        parts.withLock {
            $0.control = control
            $0.ingest = ingest
            $0.worker = worker
        }
    }

    func shutdownAsync(_ application: Application) async {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let p = parts.withLock { $0 }
        p.worker?.cancel()
        await p.worker?.value
        // Joining libmosquitto's threads blocks: off the cooperative pool.
        let all = p.ingest + [p.control].compactMap { $0 }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                for client in all { client.stop() }
                c.resume()
            }
        }
    }

    /// This instance queued an account change: apply it now rather than at the next poll.
    func nudge() { nudged.store(true, ordering: .relaxed) }

    /// Has the account queue applied now and waits until it is empty (tests and the demo).
    func applyAccounts(_ app: Application, timeout: Duration = .seconds(10)) async throws {
        guard parts.withLock({ $0.control }) != nil else { throw MQTTError("the MQTT door is not running") }
        let deadline = ContinuousClock.now + timeout
        nudge()
        while try await BrokerAccounts.pending(on: app.db.sql) > 0 {
            guard ContinuousClock.now < deadline else {
                throw MQTTError("the broker accounts were not applied in time")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Every ingest connection is signed in and subscribed.
    func waitReady(timeout: Duration = .seconds(10)) async throws {
        let p = parts.withLock { $0 }
        for c in p.ingest + [p.control].compactMap({ $0 }) { try await c.waitConnected(timeout: timeout) }
    }

    private let platformRoleReady = Atomic<Bool>(false)

    /// The platform's account may answer devices on their errors topics (granted once; the
    /// broker signs the account's connections out when its roles change, and they come back).
    private func ensurePlatformRole(_ app: Application, topics: MQTTTopics) async throws {
        guard !platformRoleReady.load(ordering: .relaxed), let admin = app.zhili.config.mqtt?.username else { return }
        let me = try await dynsec.run([.getClient(admin)])
        let roles = me.first?.data?.client?.roles?.map(\.rolename) ?? []
        if !roles.contains(MQTTTopics.platformRole) {
            app.logger.notice(
                "mqtt: granting \(admin) the role \(MQTTTopics.platformRole) (its connections restart once)")
            _ = try await dynsec.run([
                .createRole(
                    MQTTTopics.platformRole, acls: [(type: "publishClientSend", topic: MQTTTopics.platformACL)]),
                .addClientRole(admin, role: MQTTTopics.platformRole),
            ])
        }
        platformRoleReady.store(true, ordering: .relaxed)
    }

    private func keepAccounts(_ app: Application, accounts: BrokerAccounts, control: MQTTClient) async {
        var turn = 0
        while !Task.isCancelled {
            // Queued here: at once; queued elsewhere (another instance, the command line): every 5 s.
            if control.isConnected, nudged.exchange(false, ordering: .relaxed) || turn % 50 == 0 {
                do {
                    try await ensurePlatformRole(app, topics: accounts.topics)
                    try await accounts.apply(through: dynsec, on: app.db.sql)
                } catch {
                    app.logger.warning("mqtt: broker accounts: \(String(describing: error))")
                }
            }
            turn += 1
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func handle(topic: String, payload: [UInt8], via ref: ClientRef, app: Application, topics: MQTTTopics)
        async
    {
        Counter(label: "zhili_mqtt_messages_total").increment()
        guard let code = topics.code(ofEvents: topic) else {
            SensingIngest.reject("topic")
            return
        }
        var pause = Duration.milliseconds(100)
        while true {
            do {
                try await ingest(code: code, payload: payload, app: app)
                return
            } catch let e as AppError {
                // The message itself is wrong: acknowledged, counted (by the checks), answered.
                if let body = try? JSONEncoder().encode(ErrorBody(e)) {
                    try? ref.client.withLock { $0 }?.publish(topics.errors(code), Array(body), qos: 0)
                }
                return
            } catch {
                // Storing failed: not acknowledged until it is stored.
                if stopping.load(ordering: .relaxed) {
                    ref.client.withLock { $0 }?.abandonInFlight()
                    return
                }
                app.logger.warning("mqtt: storing \(code)'s message failed, retrying: \(String(describing: error))")
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    private struct Probe: Decodable {
        let events: [SensingWire.Event]?
    }

    private func ingest(code: String, payload: [UInt8], app: Application) async throws {
        guard payload.count <= Self.maxPayload else {
            SensingIngest.reject("oversized")
            throw AppError(
                .payloadTooLarge, code: "oversized", zh: "消息超过 512 KB", en: "The message is larger than 512 KB")
        }
        let db = try app.zhili.readers?.sql() ?? app.db.sql
        guard let device = try await app.sensing.keys.identify(code: code, on: db) else {
            SensingIngest.reject("unauthenticated")
            throw AppError(
                .unauthorized, code: "device_unauthenticated", zh: "设备未登记或已吊销",
                en: "Unknown or revoked device")
        }
        let data = Data(payload)
        let events: [SensingWire.Event]
        do {
            if let batch = try JSONDecoder().decode(Probe.self, from: data).events {
                events = batch
            } else {
                events = [try JSONDecoder().decode(SensingWire.Event.self, from: data)]
            }
        } catch {
            SensingIngest.reject("malformed")
            throw AppError(
                .badRequest, code: "malformed_event", zh: "事件格式错误（应为 JSON）", en: "Malformed event (JSON expected)")
        }
        guard (1...SensingWire.maxBatch).contains(events.count) else {
            SensingIngest.reject("oversized")
            throw AppError.invalid(
                "events", zh: "每批 1–\(SensingWire.maxBatch) 条事件", en: "A batch holds 1–\(SensingWire.maxBatch) events")
        }
        let incoming = try SensingWire.incoming(events, now: Date())
        _ = try await app.sensing.ingest.submit(.init(device: device, events: incoming))
    }
}

/// The connection a handler runs on, known once it exists.
private final class ClientRef: Sendable {
    let client = Mutex<MQTTClient?>(nil)
}
