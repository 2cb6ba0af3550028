import Foundation
import Vapor
import ZhiliDomain

/// Events as devices send them over HTTP (and, in the same shape, over MQTT).
enum SensingWire {
    static let maxBatch = 1000
    /// Older events are refused (a replay), as are events from the future beyond clock skew.
    static let maxAge: TimeInterval = 24 * 3600
    static let maxSkew: TimeInterval = 300

    struct Event: Decodable, Sendable, Equatable {
        var id: String?
        var kind: String?
        var at: String?
        var value: Double?
        var lat: Double?
        var lon: Double?
        var battery: Int?
        var detail: String?
    }

    struct Batch: Decodable, Sendable {
        var events: [Event]
    }

    private static let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")

    /// Checks every event; one bad event refuses the whole request (nothing half-stored),
    /// naming the event and the field.
    /// `judgedByCamera`: a crowd may come without a count (the camera decided it was one).
    static func incoming(_ events: [Event], now: Date, judgedByCamera: Bool = false) throws
        -> [SensingIngest.Incoming]
    {
        var out: [SensingIngest.Incoming] = []
        var ids = Set<String>()
        for (i, e) in events.enumerated() {
            func bad(_ field: String, _ reason: String, zh: String, en: String) -> AppError {
                SensingIngest.reject(reason)
                return AppError.invalid(
                    events.count > 1 ? "events[\(i)].\(field)" : field, zh: zh, en: en)
            }
            guard let id = e.id, (1...64).contains(id.count), id.allSatisfy({ idCharacters.contains($0) }) else {
                throw bad("id", "malformed", zh: "事件编号为 1–64 位字母、数字或 -_.:", en: "id is 1–64 letters, digits or -_.:")
            }
            guard ids.insert(id).inserted else {
                throw bad("id", "malformed", zh: "同一批中事件编号重复", en: "The same id twice in one batch")
            }
            guard let kind = e.kind, SensorReading.kinds.contains(kind) else {
                throw bad(
                    "kind", "malformed", zh: "事件类型不对（如 heartbeat、sos、fall、heart_rate）",
                    en: "Unknown kind (heartbeat, sos, fall, heart_rate …)")
            }
            var at = now
            if let text = e.at {
                guard let parsed = parseTime(text) else {
                    throw bad("at", "malformed", zh: "时间应为 ISO 8601 格式", en: "at must be an ISO 8601 time")
                }
                at = parsed
            }
            if at < now.addingTimeInterval(-maxAge) {
                throw bad("at", "stale", zh: "事件超过 24 小时，不再接收", en: "Events older than 24 hours are refused")
            }
            if at > now.addingTimeInterval(maxSkew) {
                throw bad("at", "future", zh: "事件时间晚于当前时间", en: "The event's time is in the future")
            }
            if let v = e.value, !v.isFinite || abs(v) > 1e9 {
                throw bad("value", "malformed", zh: "数值超出范围", en: "value is out of range")
            }
            var point: GeoPoint?
            if e.lat != nil || e.lon != nil {
                guard let lat = e.lat, let lon = e.lon, (-90...90).contains(lat), (-180...180).contains(lon) else {
                    throw bad("lat", "malformed", zh: "经纬度应成对且在范围内", en: "lat and lon go together, within range")
                }
                point = GeoPoint(lat: lat, lon: lon)
            }
            if let b = e.battery, !(0...100).contains(b) {
                throw bad("battery", "malformed", zh: "电量应为 0–100", en: "battery must be 0–100")
            }
            if kind == "heart_rate" || (kind == "crowd" && !judgedByCamera), e.value == nil {
                throw bad("value", "malformed", zh: "此类事件需要数值", en: "This kind needs a value")
            }
            if kind == "location", point == nil {
                throw bad("lat", "malformed", zh: "定位事件需要经纬度", en: "A location needs lat and lon")
            }
            let detail = e.detail.map { String($0.prefix(80)) }
            out.append(
                .init(
                    eventID: id,
                    reading: SensorReading(
                        kind: kind, at: at, value: e.value, point: point, battery: e.battery, detail: detail)))
        }
        return out
    }

    static func parseTime(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
