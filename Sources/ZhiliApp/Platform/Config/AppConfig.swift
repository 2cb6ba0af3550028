import Foundation
import ZhiliDomain

/// Every setting the platform reads, gathered once at start from flags and environment.
/// Tests build one directly, so nothing below reads the process environment on its own.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        /// Embedded SQLite file (WAL mode) inside the data folder.
        case sqlite(path: String)
        /// PostgreSQL; `schema` pins the search path (tests isolate themselves this way).
        case postgres(url: String, schema: String?)
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDir = "./data"
    /// Photos (complaints, visits); nil means `<dataDir>/media`. Shared storage when several instances run.
    public var mediaDir: String?
    public var database: Database = .sqlite(path: "./data/zhili.sqlite")
    public var logLevel = "info"
    /// Tile URL template such as `https://tiles.example/{z}/{x}/{y}.png`; nil draws polygons on a blank canvas.
    public var tileURL: String?
    public var tileAttribution: String?
    /// Marks cookies `Secure`; on by default when the public base URL is https.
    public var secureCookies = false
    /// Where the Debian package `libjs-leaflet` puts Leaflet.
    public var leafletDir = "/usr/share/javascript/leaflet"
    /// Web session and API token lifetime.
    public var sessionHours = 12
    /// How long an instance trusts its last look at a session (ended sessions reach every
    /// instance at once through PostgreSQL NOTIFY; this bounds the wait if that connection is down).
    public var sessionCheckSeconds: TimeInterval = 2
    /// A connection that sends and receives nothing for this long is closed (half-open
    /// connections that never finish their headers included). Behind a load balancer that
    /// pools connections, set it longer than the balancer's own idle timeout.
    public var idleTimeoutSeconds = 60
    /// `/metrics` answers administrators, and scrapers that send this as a bearer token.
    public var metricsToken: String?
    public var maxBodySize = "2mb"
    /// Background clocks (complaint escalation). Tests drive them by hand with a simulated time.
    public var runSchedulers = true
    /// The address residents reach the platform at (`https://zhili.example.cn`): links in SMS
    /// and WeChat messages, the WeChat sign-in return address. Nil: messages carry no link.
    public var publicURL: String?
    /// Outbound channels for notifications (in-app messages need no setting).
    public var notifications = NotificationConfig()
    /// Who is called while an alarm waits for an answer: `level:seconds` rungs after the raise
    /// (ZHILI_ALARM_LADDER, default `grid:0,community:60,street:180`).
    public var alarmLadder = EscalationLadder.standard

    /// The MQTT broker devices publish to (ZHILI_MQTT_URL, `mqtt://user:password@host:port`), as
    /// its dynamic-security administrator. Nil: no MQTT door (HTTP and the wristband port still work).
    public var mqtt: MQTTEndpoint?
    /// Connections to the broker that share the devices' subscription (ZHILI_MQTT_CONNECTIONS):
    /// each stores one message at a time before acknowledging it, so more connections, more in flight.
    public var mqttConnections = 32
    /// The prefix of this instance's MQTT client ids (its session survives a restart under the
    /// same id); default `zhili-<host name>-<port>`.
    public var mqttClientPrefix: String?
    /// The first level of every topic (ZHILI_MQTT_TOPIC_ROOT, default `zhili`): devices publish
    /// to `<root>/devices/<code>/events`. Several platforms (or test runs) can share one broker
    /// under different roots.
    public var mqttTopicRoot = "zhili"
    /// The TCP port of the wristband protocol (ZHILI_WRISTBAND_PORT; nil: off; 0: any free port,
    /// for tests), on the same address as the web server.
    public var wristbandPort: Int?

    public init() {}

    public var mediaRoot: String { mediaDir ?? (dataDir as NSString).appendingPathComponent("media") }

    public var isPostgres: Bool {
        if case .postgres = database { return true }
        return false
    }
}

/// Where an MQTT broker is and who the platform signs in as.
public struct MQTTEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String

    public init(host: String, port: Int = 1883, username: String, password: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// `mqtt://user:password@host:port` (the port defaults to 1883).
    public init?(url: String) {
        guard let c = URLComponents(string: url), c.scheme == "mqtt", let host = c.host, !host.isEmpty,
            let user = c.user, !user.isEmpty, let password = c.password
        else { return nil }
        self.init(
            host: host, port: c.port ?? 1883, username: user.removingPercentEncoding ?? user,
            password: password.removingPercentEncoding ?? password)
    }
}

/// SMS and WeChat adapters. A channel without settings is off: residents still get the in-app
/// message, and nothing is queued for a gateway that does not exist.
public struct NotificationConfig: Sendable {
    /// HTTP gateway that takes `{"phone","text","signature"}` as JSON (most SMS vendors offer
    /// one, or a small relay does); `log` writes masked messages to the log instead (trying out).
    public var smsURL: String?
    public var smsToken: String?
    /// The 【签名】 SMS texts start with.
    public var smsSignature = "智理社区"
    /// WeChat official account (服务号) template messages.
    public var wechatAppID: String?
    public var wechatSecret: String?
    public var wechatTemplateID: String?
    /// Template fields: `key=source` pairs, the sources being title, body, time and number.
    public var wechatFields = "thing1=title,thing2=body,time3=time"
    /// Overridable for a proxy (and for tests).
    public var wechatAPIBase = "https://api.weixin.qq.com"
    public var wechatOAuthBase = "https://open.weixin.qq.com"

    public init() {}

    public var smsEnabled: Bool { smsURL != nil }
    public var wechatEnabled: Bool { wechatAppID != nil && wechatSecret != nil && wechatTemplateID != nil }
}

/// A setting that could not be understood; printed as one line, never a stack trace.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { self.description = message }
}
