import Foundation
import NIOCore

/// The text protocol most low-cost elderly-care watches and SOS pendants made in China speak
/// over TCP (often called the 3G or SeTracker protocol): frames `[MAKER*ID*LLLL*CONTENT]`,
/// MAKER the vendor's short code (`3G`, `SG`, `CS` …), ID the watch's registration number,
/// LLLL the length of CONTENT in 4 hex digits, CONTENT a type and comma-separated fields.
///
///     LK[,steps,rolls,battery]            link (heartbeat), answered `[MAKER*ID*0002*LK]`
///     UD,date,time,A|V,lat,N|S,lon,E|W,speed,course,altitude,satellites,gsm,battery,steps,rolls,status,…
///                                         a position (UD2: one stored while offline)
///     AL,… (as UD)                        an alarm, `status` saying which; answered `[MAKER*ID*0002*AL]`
///     heart,bpm / bphrt,sys,dia,bpm       heart rate
///     TKQ, TKQ2                           the watch asks to be answered in kind
///
/// `status` is a 32-bit hex word: bit 16 SOS, 17 low battery, 20 watch taken off, 21 and 22 a
/// fall (vendors differ). Dates are DDMMYY and times HHMMSS in UTC.
enum WristbandProtocol {
    static let maxContent = 8 * 1024

    struct Frame: Sendable, Equatable {
        let maker: String
        let id: String
        let content: String
    }

    /// What the framing layer hands on: a frame, or bytes that were not one.
    enum Item: Sendable, Equatable {
        case frame(Frame)
        /// Bytes skipped until the next `[` (a line noise, a wrong protocol).
        case garbage(Int)
        /// A frame announcing more than `maxContent` bytes: the connection is closed.
        case oversized
    }

    /// Splits the byte stream into frames; resynchronises on the next `[` after junk.
    struct Decoder: ByteToMessageDecoder {
        typealias InboundOut = Item

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let item = Self.next(&buffer) else { return .needMoreData }
            context.fireChannelRead(wrapInboundOut(item))
            return .continue
        }

        mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
            -> DecodingState
        {
            if let item = Self.next(&buffer) {
                context.fireChannelRead(wrapInboundOut(item))
                return .continue
            }
            if buffer.readableBytes > 0 {
                context.fireChannelRead(wrapInboundOut(.garbage(buffer.readableBytes)))
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
            return .needMoreData
        }

        /// The next item, nil when more bytes are needed (the buffer is then left as it was).
        static func next(_ buffer: inout ByteBuffer) -> Item? {
            let view = buffer.readableBytesView
            guard !view.isEmpty else { return nil }
            let open = UInt8(ascii: "[")
            guard let start = view.firstIndex(of: open) else {
                let n = view.count
                buffer.moveReaderIndex(forwardBy: n)
                return .garbage(n)
            }
            if start != view.startIndex {
                let n = start - view.startIndex
                buffer.moveReaderIndex(forwardBy: n)
                return .garbage(n)
            }
            // Header: [MAKER*ID*LLLL*, at most 40 bytes.
            var stars: [Int] = []
            var i = view.startIndex + 1
            while i < view.endIndex, stars.count < 3, i - view.startIndex <= 40 {
                let b = view[i]
                if b == UInt8(ascii: "*") {
                    stars.append(i)
                } else if !(b.isASCIIAlphanumeric || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")) {
                    break
                }
                i += 1
            }
            guard stars.count == 3 else {
                // Not a header (yet): wait while it may still become one, else skip the '['.
                if i >= view.endIndex && i - view.startIndex <= 40 { return nil }
                buffer.moveReaderIndex(forwardBy: 1)
                return .garbage(1)
            }
            let maker = String(decoding: view[(view.startIndex + 1)..<stars[0]], as: UTF8.self)
            let id = String(decoding: view[(stars[0] + 1)..<stars[1]], as: UTF8.self)
            let lengthText = String(decoding: view[(stars[1] + 1)..<stars[2]], as: UTF8.self)
            guard (1...8).contains(maker.count), (1...20).contains(id.count), lengthText.count == 4,
                let length = Int(lengthText, radix: 16)
            else {
                buffer.moveReaderIndex(forwardBy: 1)
                return .garbage(1)
            }
            guard length <= maxContent else {
                buffer.moveReaderIndex(forwardBy: view.count)
                return .oversized
            }
            let contentStart = stars[2] + 1
            let end = contentStart + length
            guard end < view.endIndex else { return nil }
            guard view[end] == UInt8(ascii: "]") else {
                buffer.moveReaderIndex(forwardBy: 1)
                return .garbage(1)
            }
            let content = String(decoding: view[contentStart..<end], as: UTF8.self)
            buffer.moveReaderIndex(forwardBy: end + 1 - view.startIndex)
            return .frame(Frame(maker: maker, id: id, content: content))
        }
    }

    /// A frame's meaning: the events to store, and the answer owed once they are stored.
    struct Message: Sendable, Equatable {
        var events: [SensingWire.Event]
        var reply: String?
        /// The content's type when the platform does not use it (voice, photos, settings).
        var unsupported: String?
    }

    static func reply(to frame: Frame, _ type: String) -> String {
        let hex = String(type.utf8.count, radix: 16, uppercase: true)
        return "[\(frame.maker)*\(frame.id)*\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)*\(type)]"
    }

    static func interpret(_ frame: Frame, receivedAt now: Date) -> Message {
        let fields = frame.content.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let type = fields.first ?? ""
        let second = Int(now.timeIntervalSince1970)
        switch type.uppercased() {
        case "LK":
            var e = SensingWire.Event(id: "lk-\(second)", kind: "heartbeat", at: iso(now))
            if fields.count >= 4 { e.battery = Int(fields[3]) }
            return Message(events: [e], reply: reply(to: frame, "LK"))
        case "UD", "UD2", "UD_LTE", "UD_WCDMA", "AL", "AL_LTE", "AL_WCDMA":
            let alarm = type.uppercased().hasPrefix("AL")
            let buffered = type.uppercased() == "UD2"
            let events = position(fields, alarm: alarm, buffered: buffered, now: now)
            return Message(events: events, reply: alarm ? reply(to: frame, "AL") : nil)
        case "HEART":
            guard fields.count >= 2 else { return Message(events: [], unsupported: type) }
            return Message(events: [
                SensingWire.Event(id: "hr-\(second)", kind: "heart_rate", at: iso(now), value: Double(fields[1]))
            ])
        case "BPHRT":
            guard fields.count >= 4 else { return Message(events: [], unsupported: type) }
            return Message(events: [
                SensingWire.Event(id: "hr-\(second)", kind: "heart_rate", at: iso(now), value: Double(fields[3]))
            ])
        case "TKQ", "TKQ2":
            return Message(events: [], reply: reply(to: frame, type))
        default:
            return Message(events: [], unsupported: String(type.prefix(16)))
        }
    }

    /// UD/UD2/AL: a position when the fix is valid, a heartbeat otherwise, and for AL the
    /// alarms its status word names. Event ids follow from the frame's own time, so a watch
    /// that sends the same frame again (it heard no answer) stores nothing twice.
    private static func position(_ f: [String], alarm: Bool, buffered: Bool, now: Date) -> [SensingWire.Event] {
        guard f.count >= 8 else {
            // Too short to be a position: refused by the checks (no time).
            return [SensingWire.Event(id: "ud-short", kind: "heartbeat", at: "")]
        }
        let at = time(date: f[1], time: f[2])
        let stamp = "\(f[1])\(f[2])"
        let prefix = alarm ? "al" : (buffered ? "ud2" : "ud")
        let battery = f.count > 13 ? Int(f[13]) : nil
        var events: [SensingWire.Event] = []
        var base = SensingWire.Event(
            id: "\(prefix)-\(stamp)", kind: "heartbeat", at: at.map(iso) ?? "", battery: battery)
        if f[3] == "A", var lat = Double(f[4]), var lon = Double(f[6]) {
            if f[5] == "S" { lat = -lat }
            if f[7] == "W" { lon = -lon }
            base.kind = "location"
            base.lat = lat
            base.lon = lon
        }
        events.append(base)
        if alarm, f.count > 16, let status = UInt32(f[16], radix: 16) {
            let t = base.at
            if status & (1 << 16) != 0 {
                events.append(
                    SensingWire.Event(id: "al-\(stamp)-sos", kind: "sos", at: t, lat: base.lat, lon: base.lon))
            }
            if status & (1 << 21) != 0 || status & (1 << 22) != 0 {
                events.append(
                    SensingWire.Event(id: "al-\(stamp)-fall", kind: "fall", at: t, lat: base.lat, lon: base.lon))
            }
            if status & (1 << 20) != 0 {
                events.append(
                    SensingWire.Event(id: "al-\(stamp)-off", kind: "heartbeat", at: t, detail: "手环被摘下 / taken off"))
            }
        }
        return events
    }

    /// DDMMYY + HHMMSS in UTC.
    static func time(date: String, time: String) -> Date? {
        guard date.count == 6, time.count == 6, let d = Int(date), let t = Int(time) else { return nil }
        var c = DateComponents()
        c.timeZone = TimeZone(identifier: "UTC")
        c.day = d / 10000
        c.month = d / 100 % 100
        c.year = 2000 + d % 100
        c.hour = t / 10000
        c.minute = t / 100 % 100
        c.second = t % 100
        guard (1...31).contains(c.day!), (1...12).contains(c.month!), c.hour! < 24, c.minute! < 60, c.second! < 60
        else { return nil }
        return Calendar(identifier: .gregorian).date(from: c)
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}
