import Foundation
import Vapor

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The `EventNotificationAlert` document common IP cameras push to an "HTTP listening" host
/// (ISAPI): as XML, as JSON, or as one part of a multipart body beside the snapshot pictures.
///
///     <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
///       <channelID>1</channelID><dateTime>2026-12-03T16:15:00+08:00</dateTime>
///       <activePostCount>1</activePostCount><eventType>fielddetection</eventType>
///       <eventState>active</eventState><channelName>东门</channelName>
///       <DetectionRegionList><DetectionRegionEntry><regionID>2</regionID>…
///     </EventNotificationAlert>
///
/// `eventState` inactive (cameras send it every few seconds while nothing happens, often as
/// `videoloss`) is the camera's heartbeat. Active events of a known type become readings
/// (below); other types keep the camera alive and are counted as `unsupported`. The event id
/// follows from channel, type and the camera's time, so the repeats a camera sends while an
/// event lasts (activePostCount 2, 3 …) are stored once.
enum CameraAlert {
    struct Alert: Sendable, Equatable {
        var eventType = ""
        var eventState = ""
        var dateTime: String?
        var channelID: String?
        var channelName: String?
        var regionID: String?
        var count: Double?
        var description: String?
    }

    /// Camera event types (lower-cased) and the reading kind each becomes.
    static let kinds: [String: String] = [
        "fielddetection": "intrusion", "linedetection": "intrusion", "regionentrance": "intrusion",
        "regionexiting": "intrusion", "intrusion": "intrusion", "loitering": "intrusion",
        "firedetection": "fire", "fire": "fire", "smokedetection": "smoke", "smoke": "smoke",
        "smokeandfiredetection": "smoke",
        "peopledensity": "crowd", "crowddensity": "crowd", "highdensity": "crowd", "peoplegathering": "crowd",
        "crowdsituationanalysis": "crowd", "gathering": "crowd",
        "falldown": "fall", "fallingdown": "fall", "falldetection": "fall",
        "illegalparking": "fire_lane", "parkingdetection": "fire_lane", "firelaneoccupied": "fire_lane",
        "channeloccupied": "fire_lane", "fireescapeoccupied": "fire_lane",
    ]

    /// Fields that carry the number of people in a crowd event, as vendors name them.
    static let countFields = ["peoplenum", "humancount", "targetnum", "personnum", "peoplecount", "count"]

    /// Reads the alert from a request body of the given content type.
    static func parse(_ body: ByteBuffer, contentType: HTTPMediaType?) throws -> Alert {
        try parseWithPictures(body, contentType: contentType).alert
    }

    /// The alert and, in a multipart body, the snapshot pictures beside it (the parts that are
    /// JPEG or PNG by their first bytes, whatever their headers claim).
    static func parseWithPictures(_ body: ByteBuffer, contentType: HTTPMediaType?) throws -> (
        alert: Alert, pictures: [Data]
    ) {
        let bytes = Array(body.readableBytesView)
        guard let ct = contentType, ct.type == "multipart", let boundary = ct.parameters["boundary"] else {
            return (try parse(document: bytes), [])
        }
        var alert: Alert?
        var pictures: [Data] = []
        for part in try parts(bytes, boundary: boundary) {
            let data = Data(part)
            if PhotoProcessing.sniff(data) != nil {
                pictures.append(data)
                continue
            }
            let text = part.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            if alert == nil, text.first == UInt8(ascii: "<") || text.first == UInt8(ascii: "{") {
                alert = try parse(document: Array(text))
            }
        }
        guard let alert else {
            throw malformed("no EventNotificationAlert part in the multipart body / 多段请求中没有事件文档")
        }
        return (alert, pictures)
    }

    static func parse(document bytes: [UInt8]) throws -> Alert {
        let first = bytes.first {
            !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF)
        }
        var fields: [String: String]
        if first == UInt8(ascii: "{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw malformed("the JSON document could not be read / JSON 无法解析")
            }
            fields = [:]
            flatten(object["EventNotificationAlert"] as? [String: Any] ?? object, into: &fields)
        } else if first == UInt8(ascii: "<") {
            let reader = FlatXML()
            let parser = XMLParser(data: Data(bytes))
            parser.shouldProcessNamespaces = true
            parser.shouldResolveExternalEntities = false
            parser.delegate = reader
            guard parser.parse(), reader.closed, reader.root?.lowercased() == "eventnotificationalert" else {
                throw malformed("not an EventNotificationAlert XML document / 不是 EventNotificationAlert 文档")
            }
            fields = reader.fields
        } else {
            throw malformed("expected XML or JSON / 应为 XML 或 JSON")
        }
        guard let type = fields["eventtype"], !type.isEmpty else {
            throw AppError.invalid("eventType", zh: "缺少事件类型 eventType", en: "eventType is missing")
        }
        var a = Alert()
        a.eventType = String(type.prefix(40))
        a.eventState = (fields["eventstate"] ?? "active").lowercased()
        a.dateTime = fields["datetime"]
        a.channelID = fields["channelid"] ?? fields["dynchannelid"]
        a.channelName = fields["channelname"].map { String($0.prefix(40)) }
        a.regionID = fields["regionid"]
        a.description = fields["eventdescription"].map { String($0.prefix(60)) }
        a.count = countFields.lazy.compactMap { fields[$0].flatMap(Double.init) }.first
        return a
    }

    /// The events an alert stands for.
    static func events(_ a: Alert, now: Date) -> (events: [SensingWire.Event], unsupported: Bool) {
        let type = a.eventType.lowercased()
        var at = a.dateTime
        if let text = at, SensingWire.parseTime(text) == nil, let local = localTime(text) { at = local }
        let stamp = (at.flatMap(SensingWire.parseTime) ?? now).timeIntervalSince1970
        let channel = a.channelID.map { "ch\($0)" } ?? "ch"
        var place: [String] = []
        if let name = a.channelName, !name.isEmpty { place.append(name) }
        if let region = a.regionID, !region.isEmpty { place.append("区域 \(region)") }
        let detail = place.isEmpty ? a.description : place.joined(separator: " ")
        guard a.eventState == "active", let kind = kinds[type] else {
            // Inactive (nothing happening) or a type the platform does not use: the camera lives.
            let heartbeat = SensingWire.Event(
                id: "cam-\(channel)-hb-\(Int(now.timeIntervalSince1970))", kind: "heartbeat", at: at,
                detail: a.eventState == "active" ? "\(a.eventType)" : nil)
            return ([heartbeat], a.eventState == "active")
        }
        var e = SensingWire.Event(id: "cam-\(channel)-\(type)-\(Int(stamp))", kind: kind, at: at, detail: detail)
        if kind == "crowd" { e.value = a.count }
        return ([e], false)
    }

    /// `2026-12-03T16:15:00` without a zone: cameras set to local time; China Standard Time.
    private static func localTime(_ text: String) -> String? {
        guard text.count == 19 else { return nil }
        return text + "+08:00"
    }

    private static func malformed(_ message: String) -> AppError {
        SensingIngest.reject("malformed")
        let parts = message.components(separatedBy: " / ")
        return AppError(
            .badRequest, code: "malformed_event", zh: parts.last ?? message, en: parts.first ?? message)
    }

    private static func flatten(_ object: [String: Any], into fields: inout [String: String]) {
        for (k, v) in object {
            let key = k.lowercased()
            switch v {
            case let s as String: if fields[key] == nil { fields[key] = s }
            case let n as NSNumber: if fields[key] == nil { fields[key] = n.stringValue }
            case let o as [String: Any]: flatten(o, into: &fields)
            case let list as [Any]:
                for case let o as [String: Any] in list { flatten(o, into: &fields) }
            default: break
            }
        }
    }

    /// The bodies of a multipart message (MultipartKit's parser).
    private static func parts(_ bytes: [UInt8], boundary: String) throws -> [[UInt8]] {
        let parser = MultipartParser(boundary: boundary)
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        parser.onHeader = { _, _ in }
        parser.onBody = { (chunk: inout ByteBuffer) in current.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            out.append(current)
            current = []
        }
        do {
            try parser.execute(bytes)
        } catch {
            throw malformed("the multipart body could not be read / 多段请求无法解析")
        }
        return out
    }
}

/// Element name → text of the first element of that name (names lower-cased, namespaces
/// dropped), and the document's root: the alert is a flat record.
private final class FlatXML: NSObject, XMLParserDelegate {
    var fields: [String: String] = [:]
    var root: String?
    /// The root element ended (a document cut short never does).
    var closed = false
    private var text = ""
    private var depth = 0

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = elementName }
        depth += 1
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if text.count < 200 { text += string }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        let key = elementName.lowercased()
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if fields[key] == nil, !value.isEmpty { fields[key] = value }
        text = ""
        depth -= 1
        if depth == 0 { closed = true }
    }
}
