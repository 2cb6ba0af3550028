import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// 感知预警: devices and their credentials, ingestion through one pipeline, the alarm rules,
/// alarms with their lifecycle and escalation ladder, and the console that shows them live.
struct SensingCapability: Capability {
    let name = "sensing"

    var migrations: [any Migration] { [CreateDevices(), CreateBrokerCommands()] }

    func boot(_ app: Application) throws {
        let events = app.zhili.events
        let rules = AlarmRuleBook(events: events)
        let config = app.zhili.config
        let broker = config.mqtt.map { _ in
            BrokerAccounts(cipher: app.zhili.cipher, topics: MQTTTopics(root: config.mqttTopicRoot))
        }
        app.storage[SensingServices.Key.self] = SensingServices(
            keys: DeviceKeys(events: events), rules: rules,
            ingest: SensingIngest(
                db: try app.db.sql, rules: rules, ladder: config.alarmLadder, channels: config.notifications),
            broker: broker, door: broker.map { _ in MQTTDoor() })
    }

    func routes(_ app: Application) throws {
        SensingRoutes.register(app)
        SensingPages.register(app)
    }

    var operations: [APIOperation] { SensingAPI.operations }
    var schemas: [(String, JSONValue)] { SensingAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        guard principal.role.isStaff else { return [] }
        var entries = [
            NavigationEntry(
                key: "alarms", label: "sensing.nav.alarms", url: "/alarms", order: 30,
                tab: principal.role == .gridWorker,
                icon: "bell"),
            NavigationEntry(key: "devices", label: "sensing.nav.devices", url: "/devices", order: 31, icon: "grid"),
            NavigationEntry(
                key: "alarm-figures", label: "sensing.nav.figures", url: "/alarm-figures", order: 32, icon: "chart"),
        ]
        if principal.role == .admin {
            entries.append(
                NavigationEntry(
                    key: "alarm-rules", label: "sensing.nav.rules", url: "/alarm-rules", order: 915, icon: "gear"))
        }
        return entries
    }

    /// Open alarms in the person's area, the console's open tab.
    func todo(_ context: ToDoContext) async throws -> [ToDoItem] {
        let p = context.principal
        guard p.role.isStaff else { return [] }
        struct N: Decodable { let n: Int }
        let n =
            try await context.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("alarms")
            .where("status", .in, AlarmDesk.openStatuses).scoped(p.scope, column: "node_code").first(decoding: N.self)?
            .n
            ?? 0
        return [
            ToDoItem(
                key: "sensing.open", label: "sensing.todo.open", count: n, url: "/alarms?open=1",
                tone: n > 0 ? .bad : .normal,
                order: 5)
        ]
    }

    var vocabularies: [VocabularyKeys] {
        [
            .of(DeviceKind.self), .of(AlarmSeverity.self), .of(AlarmStatus.self), .of(AlarmAction.self),
            .of(AlarmRuleKey.self),
        ]
    }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.sensing_zh_json, en: PackageResources.sensing_en_json)
    }

    var assets: [Asset] { [Asset(name: "alarms.js", bytes: PackageResources.alarms_js)] }

    func services(_ app: Application) -> [any LifecycleHandler] {
        var doors: [any LifecycleHandler] = [SensingClock()]
        if let mqtt = app.sensing.door { doors.append(mqtt) }
        if app.zhili.config.wristbandPort != nil { doors.append(WristbandDoor()) }
        return doors
    }

    var commands: [OperatorCommand] {
        [
            OperatorCommand(
                name: "simulate",
                usage: [
                    "zhili simulate --base-url URL [--heartbeat S]   (the demo city's devices send to an instance serving it)"
                ],
                run: { _, _, loader in try await SensingCommands.simulate(loader) }),
            OperatorCommand(
                name: "device-key",
                usage: ["zhili device-key --code DEVICE_CODE              (a new key for a device, shown once)"],
                run: { _, _, loader in try await SensingCommands.deviceKey(loader) }),
            OperatorCommand(
                name: "bench-live",
                usage: [
                    "zhili bench-live --base-url URL --key DEVICE_KEY [--username U] [--screens N] [--presses M]   (SOS-to-screen latency)"
                ],
                run: { _, _, loader in try await LiveLatencyBench.run(loader) }),
            OperatorCommand(
                name: "bench-mqtt",
                usage: [
                    "zhili bench-mqtt --broker mqtt://x:x@HOST:PORT --devices FILE [--messages M]   (MQTT messages/s into the database)"
                ],
                run: { _, _, loader in try await MQTTBench.run(loader) }),
        ]
    }

    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        try await SensingDemo.write(city, on: sql)
    }

    var liveEvents: [String] {
        [AlarmDesk.liveKind, SensingClock.deviceKind, DeviceKeys.changedEvent, AlarmRuleBook.changedEvent]
    }
}

/// The names of the rules, as a vocabulary (their messages are `sensing.rule.<key>`).
enum AlarmRuleKey: String, CaseIterable, Vocabulary {
    case sos, fall, heartRate = "heart_rate", geofence, inactivity, batteryLow = "battery_low", smoke, intrusion, crowd
    case fireLane = "fire_lane", offline
    static var messagePrefix: String { "sensing.rule" }
}

extension DeviceKind: Vocabulary { static var messagePrefix: String { "sensing.kind" } }
extension AlarmSeverity: Vocabulary { static var messagePrefix: String { "sensing.severity" } }
extension AlarmStatus: Vocabulary { static var messagePrefix: String { "sensing.status" } }
extension AlarmAction: Vocabulary { static var messagePrefix: String { "sensing.action" } }

/// Sensing's services: credentials checked, the rules in effect, the ingestion pipeline, and
/// with a broker configured its account queue and the MQTT door.
final class SensingServices: Sendable {
    struct Key: StorageKey { typealias Value = SensingServices }
    let keys: DeviceKeys
    let rules: AlarmRuleBook
    let ingest: SensingIngest
    let broker: BrokerAccounts?
    let door: MQTTDoor?

    init(keys: DeviceKeys, rules: AlarmRuleBook, ingest: SensingIngest, broker: BrokerAccounts?, door: MQTTDoor?) {
        self.keys = keys
        self.rules = rules
        self.ingest = ingest
        self.broker = broker
        self.door = door
    }
}

extension Application {
    var sensing: SensingServices { service(SensingServices.Key.self) }
}
