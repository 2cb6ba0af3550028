import Foundation
import ZhiliDomain

/// Reads `--flag value` pairs and ZHILI_* environment variables into an `AppConfig`.
/// Flags win over the environment, the environment over defaults.
public struct ConfigLoader {
    public var flags: [String: String]
    public var switches: Set<String>
    public var environment: [String: String]

    static let valueFlags: Set<String> = [
        "host", "port", "data-dir", "media-dir", "database-url", "log-level", "tile-url", "tile-attribution",
        "public-url", "phone", "scale", "count", "username", "password", "role", "node", "name", "department", "seed",
        "under", "format", "out", "reason", "base-url", "heartbeat", "code", "key", "screens", "presses",
        "mqtt-url", "wristband-port", "broker", "devices", "messages", "topic-root", "volunteers", "decisions",
    ]

    public init(arguments: [String], environment: [String: String]) throws {
        var flags: [String: String] = [:]
        var switches: Set<String> = []
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            guard arg.hasPrefix("--") else {
                throw ConfigError("unexpected argument '\(arg)' / 无法识别的参数 '\(arg)'")
            }
            var name = String(arg.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                flags[String(name[..<eq])] = String(name[name.index(after: eq)...])
                index += 1
                continue
            }
            if Self.valueFlags.contains(name) {
                guard index + 1 < arguments.count else {
                    throw ConfigError("--\(name) needs a value / --\(name) 缺少取值")
                }
                flags[name] = arguments[index + 1]
                index += 2
            } else {
                name = name.lowercased()
                switches.insert(name)
                index += 1
            }
        }
        self.flags = flags
        self.switches = switches
        self.environment = environment
    }

    func value(_ flag: String, env: String) -> String? {
        if let v = flags[flag] { return v }
        if let v = environment[env], !v.isEmpty { return v }
        return nil
    }

    public func load() throws -> AppConfig {
        var config = AppConfig()
        if let host = value("host", env: "ZHILI_HOST") { config.host = host }
        if let raw = value("port", env: "ZHILI_PORT") {
            guard let port = Int(raw), (1...65535).contains(port) else {
                throw ConfigError("port must be 1–65535, got '\(raw)' / 端口必须在 1–65535 之间")
            }
            config.port = port
        }
        if let dir = value("data-dir", env: "ZHILI_DATA_DIR") { config.dataDir = dir }
        if let dir = value("media-dir", env: "ZHILI_MEDIA_DIR") { config.mediaDir = dir }
        config.database = .sqlite(path: (config.dataDir as NSString).appendingPathComponent("zhili.sqlite"))
        if let url = value("database-url", env: "DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
                URL(string: url)?.host != nil
            else {
                throw ConfigError(
                    "DATABASE_URL must look like postgres://user:pass@host:5432/db / DATABASE_URL 格式应为 postgres://用户:密码@主机:5432/库名"
                )
            }
            config.database = .postgres(url: url, schema: environment["ZHILI_DATABASE_SCHEMA"])
        }
        if let level = value("log-level", env: "ZHILI_LOG_LEVEL") {
            let allowed = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard allowed.contains(level) else {
                throw ConfigError("log level must be one of \(allowed.joined(separator: ", ")) / 日志级别无效")
            }
            config.logLevel = level
        }
        if let tiles = value("tile-url", env: "ZHILI_TILE_URL") {
            guard tiles.contains("{z}"), tiles.contains("{x}"), tiles.contains("{y}") else {
                throw ConfigError("tile URL needs {z}, {x} and {y} / 瓦片地址须包含 {z}、{x}、{y}")
            }
            config.tileURL = tiles
        }
        config.tileAttribution = value("tile-attribution", env: "ZHILI_TILE_ATTRIBUTION")
        if let secure = environment["ZHILI_SECURE_COOKIES"] {
            config.secureCookies = ["1", "true", "yes"].contains(secure.lowercased())
        }
        if switches.contains("secure-cookies") { config.secureCookies = true }
        if let dir = environment["ZHILI_LEAFLET_DIR"] { config.leafletDir = dir }
        if let raw = environment["ZHILI_ALARM_LADDER"], !raw.isEmpty {
            guard let ladder = EscalationLadder(text: raw),
                ladder.rungs.allSatisfy({ ["grid", "community", "street", "city"].contains($0.level) })
            else {
                throw ConfigError(
                    "ZHILI_ALARM_LADDER must look like grid:0,community:60,street:180 (levels grid, community, street, city) / 告警升级阶梯格式应为 grid:0,community:60,street:180"
                )
            }
            config.alarmLadder = ladder
        }
        if let raw = value("mqtt-url", env: "ZHILI_MQTT_URL"), !raw.isEmpty {
            guard let endpoint = MQTTEndpoint(url: raw) else {
                throw ConfigError(
                    "ZHILI_MQTT_URL must look like mqtt://user:password@host:1883 / MQTT 地址格式应为 mqtt://用户:密码@主机:1883")
            }
            config.mqtt = endpoint
        }
        if let raw = environment["ZHILI_MQTT_CONNECTIONS"] {
            guard let n = Int(raw), (1...64).contains(n) else {
                throw ConfigError("ZHILI_MQTT_CONNECTIONS must be 1–64 / MQTT 连接数应为 1–64")
            }
            config.mqttConnections = n
        }
        if let raw = value("wristband-port", env: "ZHILI_WRISTBAND_PORT"), !raw.isEmpty {
            guard let port = Int(raw), (1...65535).contains(port) else {
                throw ConfigError("ZHILI_WRISTBAND_PORT must be 1–65535 / 手环端口应为 1–65535")
            }
            config.wristbandPort = port
        }
        if let raw = environment["ZHILI_MQTT_TOPIC_ROOT"] {
            guard (1...32).contains(raw.count),
                raw.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") })
            else {
                throw ConfigError(
                    "ZHILI_MQTT_TOPIC_ROOT is 1–32 lower-case letters, digits, - or _ / MQTT 主题前缀为 1–32 位小写字母、数字、- 或 _")
            }
            config.mqttTopicRoot = raw
        }
        if let raw = environment["ZHILI_IDLE_TIMEOUT"] {
            guard let seconds = Int(raw), seconds == 0 || (5...3600).contains(seconds) else {
                throw ConfigError("ZHILI_IDLE_TIMEOUT must be 0 (off) or 5–3600 seconds / 空闲超时应为 0（关闭）或 5–3600 秒")
            }
            config.idleTimeoutSeconds = seconds
        }
        if let token = environment["ZHILI_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= 16 else {
                throw ConfigError("ZHILI_METRICS_TOKEN must be 16 characters or more / 指标令牌至少 16 位")
            }
            config.metricsToken = token
        }
        if let url = value("public-url", env: "ZHILI_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
            else {
                throw ConfigError("public URL must look like https://zhili.example.cn / 公网地址格式应为 https://域名")
            }
            config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            if parsed.scheme == "https", environment["ZHILI_SECURE_COOKIES"] == nil { config.secureCookies = true }
        }
        config.notifications = try notificationConfig()
        return config
    }

    func notificationConfig() throws -> NotificationConfig {
        var n = NotificationConfig()
        if let url = environment["ZHILI_SMS_URL"], !url.isEmpty {
            guard
                url == "log"
                    || ((url.hasPrefix("https://") || url.hasPrefix("http://")) && URL(string: url)?.host != nil)
            else {
                throw ConfigError("ZHILI_SMS_URL must be an http(s) address or 'log' / 短信网关地址无效")
            }
            n.smsURL = url
        }
        n.smsToken = environment["ZHILI_SMS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let sig = environment["ZHILI_SMS_SIGNATURE"], !sig.isEmpty { n.smsSignature = sig }
        func env(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        n.wechatAppID = env("ZHILI_WECHAT_APPID")
        n.wechatSecret = env("ZHILI_WECHAT_SECRET")
        n.wechatTemplateID = env("ZHILI_WECHAT_TEMPLATE")
        let wechat = [n.wechatAppID, n.wechatSecret, n.wechatTemplateID].compactMap { $0 }.count
        guard wechat == 0 || wechat == 3 else {
            throw ConfigError(
                "WeChat needs ZHILI_WECHAT_APPID, ZHILI_WECHAT_SECRET and ZHILI_WECHAT_TEMPLATE together / 微信模板消息需同时配置 AppID、Secret 和模板 ID"
            )
        }
        if let fields = env("ZHILI_WECHAT_FIELDS") {
            guard WeChatTemplate.parseFields(fields) != nil else {
                throw ConfigError(
                    "ZHILI_WECHAT_FIELDS must be key=title|body|time|number pairs, e.g. thing1=title,thing2=body / 模板字段格式无效"
                )
            }
            n.wechatFields = fields
        }
        if let base = env("ZHILI_WECHAT_API") { n.wechatAPIBase = base.hasSuffix("/") ? String(base.dropLast()) : base }
        return n
    }

    public func int(_ flag: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = flags[flag] else { return fallback }
        guard let n = Int(raw), range.contains(n) else {
            throw ConfigError(
                "--\(flag) must be a whole number in \(range.lowerBound)…\(range.upperBound) / --\(flag) 取值无效")
        }
        return n
    }
}
