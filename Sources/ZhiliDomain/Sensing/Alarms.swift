import Foundation

/// Kinds of device the platform registers. Raw values are stored and sent to clients.
public enum DeviceKind: String, Codable, CaseIterable, Sendable {
    case camera  // AI 摄像头
    case sos  // 一键报警按钮
    case wristband  // 智能手环
    case door  // 门磁/活动传感器
    case smoke  // 烟感
    case screen  // 调度屏

    /// Whether it is normally bound to a person (a wristband to the key person wearing it).
    public var wornByPerson: Bool { self == .wristband }
}

/// How urgent an alarm is, most urgent first.
public enum AlarmSeverity: String, Codable, CaseIterable, Sendable, Comparable {
    case critical
    case major
    case warning
    case minor

    public var rank: Int {
        switch self {
        case .critical: 0
        case .major: 1
        case .warning: 2
        case .minor: 3
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// Where an alarm stands: raised → acknowledged → dispatched → resolved, or marked false at
/// any open step. Raw values are stored.
public enum AlarmStatus: String, Codable, CaseIterable, Sendable {
    case raised
    case acknowledged
    case dispatched
    case resolved
    case falseAlarm = "false"

    public var isOpen: Bool { self == .raised || self == .acknowledged || self == .dispatched }
}

/// What a person does to an alarm.
public enum AlarmAction: String, Codable, CaseIterable, Sendable {
    case acknowledge
    case dispatch
    case resolve
    case markFalse = "false"

    /// The status the action leads to from `status`, or nil when it is not allowed there.
    /// Resolving or marking false needs someone to have answered first (acknowledged), so
    /// no alarm is closed unseen; dispatching may be done again (to someone else).
    public func next(from status: AlarmStatus) -> AlarmStatus? {
        switch (self, status) {
        case (.acknowledge, .raised): .acknowledged
        case (.dispatch, .raised), (.dispatch, .acknowledged), (.dispatch, .dispatched): .dispatched
        case (.resolve, .acknowledged), (.resolve, .dispatched): .resolved
        case (.markFalse, .acknowledged), (.markFalse, .dispatched): .falseAlarm
        default: nil
        }
    }
}

/// What a device reported, once authenticated and parsed, whichever door it came through.
public struct SensorReading: Sendable, Equatable {
    /// heartbeat, sos, fall, heart_rate, location, battery, smoke, fire, intrusion, crowd,
    /// fire_lane, activity.
    public var kind: String
    public var at: Date
    public var value: Double?
    public var point: GeoPoint?
    public var battery: Int?
    /// A camera's region or channel name, a free text of the device.
    public var detail: String?

    public init(
        kind: String, at: Date, value: Double? = nil, point: GeoPoint? = nil, battery: Int? = nil,
        detail: String? = nil
    ) {
        self.kind = kind
        self.at = at
        self.value = value
        self.point = point
        self.battery = battery
        self.detail = detail
    }

    /// The kinds a device may send.
    public static let kinds: Set<String> = [
        "heartbeat", "sos", "fall", "heart_rate", "location", "battery", "smoke", "fire", "intrusion", "crowd",
        "fire_lane", "activity",
    ]
}

/// One rule: what raises an alarm and how urgent it is. Administrators change severity,
/// thresholds and whether it is on; the keys are fixed.
public struct AlarmRule: Sendable, Equatable, Codable {
    public var key: String
    public var severity: AlarmSeverity
    public var enabled: Bool
    /// Numbers the rule reads (`low`, `high`, `seconds`, `threshold`, `meters`, `hours`).
    public var params: [String: Double]
    /// The person tag the rule is limited to (geofence: those at risk of wandering), or nil.
    public var tag: String?

    public init(
        key: String, severity: AlarmSeverity, enabled: Bool = true, params: [String: Double] = [:], tag: String? = nil
    ) {
        self.key = key
        self.severity = severity
        self.enabled = enabled
        self.params = params
        self.tag = tag
    }

    public func param(_ name: String) -> Double? { params[name] }
}

/// The rules and their defaults (I2).
public enum AlarmRules {
    public static let defaults: [AlarmRule] = [
        AlarmRule(key: "sos", severity: .critical),
        AlarmRule(key: "fall", severity: .critical),
        AlarmRule(key: "heart_rate", severity: .major, params: ["low": 45, "high": 130, "seconds": 60]),
        // Any wristband's wearer (wristbands are given to those who need watching); a tag limits it.
        AlarmRule(key: "geofence", severity: .major, params: ["meters": 800]),
        AlarmRule(key: "inactivity", severity: .warning, params: ["hours": 24], tag: "elderly_alone"),
        AlarmRule(key: "battery_low", severity: .minor, params: ["threshold": 20]),
        AlarmRule(key: "smoke", severity: .critical),
        AlarmRule(key: "intrusion", severity: .major),
        AlarmRule(key: "crowd", severity: .warning, params: ["threshold": 50]),
        AlarmRule(key: "fire_lane", severity: .warning),
        AlarmRule(key: "offline", severity: .warning, params: ["seconds": 180]),
    ]

    public static var keys: [String] { defaults.map(\.key) }

    /// What the platform knows of a device's wearer or place when a reading arrives.
    public struct Context: Sendable {
        public var deviceKind: DeviceKind
        /// Tags of the person the device is bound to.
        public var personTags: Set<String>
        /// The household's position, for the geofence.
        public var home: GeoPoint?
        /// Since when the heart rate has been outside its band (kept per device), if it is.
        public var heartOutSince: Date?

        public init(
            deviceKind: DeviceKind, personTags: Set<String> = [], home: GeoPoint? = nil, heartOutSince: Date? = nil
        ) {
            self.deviceKind = deviceKind
            self.personTags = personTags
            self.home = home
            self.heartOutSince = heartOutSince
        }
    }

    /// An alarm a reading raises (or updates, when one of the same rule is open on the source).
    public struct Trigger: Sendable, Equatable {
        public let rule: String
        public let severity: AlarmSeverity
        /// Words for the responder, in Chinese and English.
        public let zh: String
        public let en: String
    }

    public struct Outcome: Sendable, Equatable {
        public var triggers: [Trigger]
        /// The heart-rate state to keep for the device.
        public var heartOutSince: Date?
    }

    /// Evaluates one reading against the rules (those switched off raise nothing).
    public static func evaluate(_ r: SensorReading, rules: [AlarmRule], context: Context) -> Outcome {
        let byKey = Dictionary(rules.map { ($0.key, $0) }, uniquingKeysWith: { _, b in b })
        var triggers: [Trigger] = []
        var heartOutSince = context.heartOutSince
        func fire(_ key: String, _ zh: String, _ en: String) {
            guard let rule = byKey[key], rule.enabled else { return }
            if let tag = rule.tag, !tag.isEmpty, ["geofence"].contains(key), !context.personTags.contains(tag) {
                return
            }
            triggers.append(Trigger(rule: key, severity: rule.severity, zh: zh, en: en))
        }
        let place = r.detail.map { "（\($0)）" } ?? ""
        let placeEn = r.detail.map { " (\($0))" } ?? ""
        switch r.kind {
        case "sos": fire("sos", "一键呼救" + place, "SOS pressed" + placeEn)
        case "fall": fire("fall", "检测到跌倒" + place, "Fall detected" + placeEn)
        case "smoke", "fire": fire("smoke", "烟雾/火情" + place, "Smoke or fire" + placeEn)
        case "intrusion": fire("intrusion", "重点区域闯入" + place, "Intrusion into a key area" + placeEn)
        case "fire_lane": fire("fire_lane", "消防通道占用" + place, "Fire lane blocked" + placeEn)
        case "crowd":
            if let rule = byKey["crowd"], let count = r.value, count >= (rule.param("threshold") ?? 50) {
                fire("crowd", "人员聚集 \(Int(count)) 人" + place, "Crowd of \(Int(count))" + placeEn)
            } else if byKey["crowd"] != nil, r.value == nil {
                // A camera that judged the density itself and sent no count.
                fire("crowd", "人员聚集（摄像机判定）" + place, "Crowd (the camera's judgement)" + placeEn)
            }
        case "heart_rate":
            if let rule = byKey["heart_rate"], let bpm = r.value {
                let low = rule.param("low") ?? 45
                let high = rule.param("high") ?? 130
                if bpm < low || bpm > high {
                    let since = heartOutSince ?? r.at
                    heartOutSince = since
                    if r.at.timeIntervalSince(since) >= (rule.param("seconds") ?? 60) {
                        fire("heart_rate", "心率异常 \(Int(bpm)) 次/分", "Heart rate \(Int(bpm)) bpm out of range")
                    }
                } else {
                    heartOutSince = nil
                }
            }
        case "location":
            if let rule = byKey["geofence"], let home = context.home, let at = r.point {
                let meters = distanceMeters(home, at)
                if meters > (rule.param("meters") ?? 800) {
                    fire("geofence", "离开居住地 \(Int(meters)) 米", "\(Int(meters)) m away from home")
                }
            }
        default: break
        }
        if let level = r.battery, let rule = byKey["battery_low"], Double(level) <= (rule.param("threshold") ?? 20) {
            fire("battery_low", "电量低 \(level)%", "Battery low (\(level)%)")
        }
        return Outcome(triggers: triggers, heartOutSince: heartOutSince)
    }
}

/// Who is called while nobody acknowledges: each rung after its delay from the raise.
public struct EscalationLadder: Sendable, Equatable, Codable {
    public struct Rung: Sendable, Equatable, Codable {
        /// grid, community, street, district, city.
        public var level: String
        public var afterSeconds: Int

        public init(level: String, afterSeconds: Int) {
            self.level = level
            self.afterSeconds = afterSeconds
        }
    }

    public var rungs: [Rung]

    public init(rungs: [Rung]) { self.rungs = rungs.sorted { $0.afterSeconds < $1.afterSeconds } }

    /// The default: the grid worker at once, the community's staff after a minute (the
    /// telecare standard answers within one), the street after three.
    public static let standard = EscalationLadder(rungs: [
        Rung(level: "grid", afterSeconds: 0), Rung(level: "community", afterSeconds: 60),
        Rung(level: "street", afterSeconds: 180),
    ])

    /// The rung reached `elapsed` seconds after the raise (index into `rungs`).
    public func rung(after elapsed: TimeInterval) -> Int {
        var reached = 0
        for (i, rung) in rungs.enumerated() where elapsed >= Double(rung.afterSeconds) { reached = i }
        return reached
    }

    /// When the next rung after `index` is due, relative to the raise; nil at the top.
    public func nextDelay(after index: Int) -> Int? {
        index + 1 < rungs.count ? rungs[index + 1].afterSeconds : nil
    }

    /// Parses `grid:0,community:60,street:180`.
    public init?(text: String) {
        var rungs: [Rung] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let s = Int(pair[1]), s >= 0, !pair[0].isEmpty else { return nil }
            rungs.append(Rung(level: pair[0], afterSeconds: s))
        }
        guard !rungs.isEmpty else { return nil }
        self.init(rungs: rungs)
    }
}
