import Foundation
import NIOCore
import NIOPosix
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Wristbands: the watches' TCP text protocol")
struct WristbandProtocolTests {
    /// Frames as a watch of this family sends them (times in UTC).
    static let link = "[3G*8800000015*000C*LK,1200,0,76]"
    static let position =
        "[3G*8800000015*006A*UD,031226,081500,A,40.1421000,N,94.6620000,E,0.00,0.0,1100,7,80,76,1200,0,00000000,0,0,460,0,9360,4082,131]"
    static let sos =
        "[3G*8800000015*006A*AL,031226,081502,A,40.1421000,N,94.6620000,E,0.00,0.0,1100,7,80,76,1200,0,00010000,0,0,460,0,9360,4082,131]"

    static func frames(_ chunks: [String]) -> [WristbandProtocol.Item] {
        var buffer = ByteBuffer()
        var out: [WristbandProtocol.Item] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let item = WristbandProtocol.Decoder.next(&buffer) { out.append(item) }
        }
        return out
    }

    @Test func framesAreFoundWhateverTheChunksAndJunkIsSkipped() throws {
        let whole = Self.link + Self.position
        // Split at every byte: the same two frames.
        for cut in stride(from: 1, to: whole.utf8.count, by: 7) {
            let bytes = Array(whole.utf8)
            let items = Self.frames([
                String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self),
            ])
            #expect(items.count == 2, "cut at \(cut): \(items)")
        }
        let items = Self.frames(["noise\r\n" + Self.link])
        #expect(items.first == .garbage(7))
        guard case .frame(let f) = items.last else {
            Issue.record("no frame")
            return
        }
        #expect(f.maker == "3G" && f.id == "8800000015" && f.content == "LK,1200,0,76")
        // A length past the limit closes; a wrong closing byte resynchronises.
        #expect(Self.frames(["[3G*8800000015*FFFF*LK"]) == [.oversized])
        let broken = Self.frames(["[3G*8800000015*0002*LKX" + Self.link])
        #expect(broken.first == .garbage(1))
        #expect(broken.contains { if case .frame = $0 { true } else { false } })
    }

    @Test func linkPositionAlarmAndHeartRateBecomeEventsWithTheProtocolsAnswers() throws {
        let now = Date()
        func frame(_ text: String) throws -> WristbandProtocol.Frame {
            guard case .frame(let f)? = Self.frames([text]).first else { throw MQTTError("no frame in \(text)") }
            return f
        }
        let lk = WristbandProtocol.interpret(try frame(Self.link), receivedAt: now)
        #expect(lk.reply == "[3G*8800000015*0002*LK]")
        #expect(lk.events.map(\.kind) == ["heartbeat"] && lk.events.first?.battery == 76)

        let ud = WristbandProtocol.interpret(try frame(Self.position), receivedAt: now)
        #expect(ud.reply == nil)
        let fix = try #require(ud.events.first)
        #expect(fix.kind == "location" && fix.lat == 40.1421 && fix.lon == 94.662 && fix.battery == 76)
        #expect(fix.id == "ud-031226081500" && fix.at == "2026-12-03T08:15:00Z")

        let al = WristbandProtocol.interpret(try frame(Self.sos), receivedAt: now)
        #expect(al.reply == "[3G*8800000015*0002*AL]")
        #expect(al.events.map(\.kind) == ["location", "sos"])
        #expect(al.events.map(\.id) == ["al-031226081502", "al-031226081502-sos"])

        let fall = Self.sos.replacingOccurrences(of: "00010000", with: "00200000")
        #expect(
            WristbandProtocol.interpret(try frame(fall), receivedAt: now).events.map(\.kind) == ["location", "fall"])

        let south = WristbandProtocol.interpret(
            try frame("[SG*123456*0027*UD,031226,081500,A,33.9,S,151.2,W,0,0,0]"), receivedAt: now)
        #expect(south.events.first?.lat == -33.9 && south.events.first?.lon == -151.2)
        // No fix: a heartbeat at the frame's time.
        let noFix = WristbandProtocol.interpret(
            try frame("[3G*1*0027*UD,031226,081500,V,0,N,0,E,0,0,0,0,0,55]"), receivedAt: now)
        #expect(noFix.events.first?.kind == "heartbeat" && noFix.events.first?.battery == 55)

        let heart = WristbandProtocol.interpret(try frame("[3G*1*0008*heart,78]"), receivedAt: now)
        #expect(heart.events.first?.kind == "heart_rate" && heart.events.first?.value == 78)
        let bp = WristbandProtocol.interpret(try frame("[3G*1*000F*bphrt,120,79,73]"), receivedAt: now)
        #expect(bp.events.first?.value == 73)
        #expect(WristbandProtocol.interpret(try frame("[3G*1*0003*TKQ]"), receivedAt: now).reply == "[3G*1*0003*TKQ]")
        let photo = WristbandProtocol.interpret(try frame("[3G*1*0006*img,xx]"), receivedAt: now)
        #expect(photo.events.isEmpty && photo.reply == nil && photo.unsupported == "img")
    }

    @Test func theEventsPassTheSameChecksAsHTTP() throws {
        // A stored-while-offline position from three days ago is refused by the age check.
        let old = Date().addingTimeInterval(-3 * 86400)
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "ddMMyy,HHmmss"
        let content = "UD2,\(f.string(from: old)),A,40.1,N,94.6,E,0,0,0,5,80,60"
        let text = "[3G*1*\(String(format: "%04X", content.utf8.count))*\(content)]"
        guard case .frame(let frame)? = Self.frames([text]).first else {
            Issue.record("no frame")
            return
        }
        let m = WristbandProtocol.interpret(frame, receivedAt: Date())
        #expect(throws: AppError.self) { try SensingWire.incoming(m.events, now: Date()) }
        // A frame time that is no date: refused too, never stored at some made-up time.
        guard case .frame(let bad)? = Self.frames(["[3G*1*001A*UD,999999,081500,A,1,N,1,E]"]).first else {
            Issue.record("no frame")
            return
        }
        #expect(throws: AppError.self) {
            try SensingWire.incoming(WristbandProtocol.interpret(bad, receivedAt: Date()).events, now: Date())
        }
    }
}

/// A watch on a TCP connection to the wristband port.
struct WatchSession {
    let channel: any Channel
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending = ""

    func send(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    /// The next frame the platform sends, nil if the connection closed; fails after `seconds`.
    mutating func reply(within seconds: Double = 90) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            if let end = pending.firstIndex(of: "]") {
                let frame = String(pending[...end])
                pending = String(pending[pending.index(after: end)...])
                return frame
            }
            guard ContinuousClock.now < deadline else { throw MQTTError("no answer within \(seconds) s") }
            let timer = Task { [channel] in
                try await Task.sleep(until: deadline)
                channel.close(promise: nil)
            }
            defer { timer.cancel() }
            guard let chunk = try await inbound.next() else {
                if ContinuousClock.now >= deadline { throw MQTTError("no answer within \(seconds) s") }
                return nil
            }
            pending += String(buffer: chunk)
        }
    }

    static func run(port: Int, _ body: (inout WatchSession) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var session = WatchSession(
                channel: channel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await body(&session)
        }
    }
}

// The time limit is a guard against a hang, not a speed target: inside the whole PostgreSQL
// suite every test runs at once on two cores, and each takes about as long as the whole run
// (several minutes) however little it does.
@Suite("Wristbands: the wristband port", .timeLimit(.minutes(15)))
struct WristbandPortTests {
    static func withPort(_ body: (Application, Int) async throws -> Void) async throws {
        try await withTestApp(settings: { $0.wristbandPort = 0 }) { app in
            let door = WristbandDoor()
            try await door.didBootAsync(app)
            do {
                try await body(app, try #require(door.port))
            } catch {
                await door.shutdownAsync(app)
                throw error
            }
            await door.shutdownAsync(app)
        }
    }

    @Test func aRegisteredWatchLinksAndItsSOSIsStoredBeforeItIsAnsweredAndOnlyOnce() async throws {
        try await Self.withPort { app, port in
            let id = "88\(Int.random(in: 10_000_000...99_999_999))"
            let device = try await SensingFixture.register(app, kind: "wristband", code: id)
            let now = Date()
            let f = DateFormatter()
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "ddMMyy,HHmmss"
            let content = "AL,\(f.string(from: now)),A,40.1421,N,94.6620,E,0,0,0,7,80,64,0,0,00010000"
            let alarm = "[3G*\(id)*\(String(format: "%04X", content.utf8.count))*\(content)]"
            let alarms = try await app.count("alarms")
            try await WatchSession.run(port: port) { watch in
                try await watch.send("[3G*\(id)*000C*LK,1200,0,64]")
                #expect(try await watch.reply() == "[3G*\(id)*0002*LK]")
                try await watch.send(alarm)
                #expect(try await watch.reply() == "[3G*\(id)*0002*AL]")
                // The answer came after storing: the alarm is there now.
                #expect(try await app.count("alarms") == alarms + 1)
                // The watch did not hear the answer and sends the frame again: nothing new.
                try await watch.send(alarm)
                #expect(try await watch.reply() == "[3G*\(id)*0002*AL]")
                try await watch.send("[3G*\(id)*0008*heart,81]")
                try await watch.send("[3G*\(id)*0003*TKQ]")
                #expect(try await watch.reply() == "[3G*\(id)*0003*TKQ]")
            }
            struct E: Decodable { let kind: String }
            let kinds = try await app.db.sql.select().column("kind").from("device_events")
                .where("device_id", .equal, device.id).all(decoding: E.self).map(\.kind).sorted()
            #expect(kinds == ["heart_rate", "heartbeat", "location", "sos"])
            #expect(try await app.count("alarms") == alarms + 1)
            let row = try #require(try await DeviceRegistry.find(device.id, on: app.db.sql))
            #expect(row.battery == 64 && row.online)
        }
    }

    @Test func unknownIDsOtherKindsAndASecondIDOnOneConnectionAreRefused() async throws {
        try await Self.withPort { app, port in
            let before = Metrics.registry.emitToString()
            // Nobody registered this watch: the connection is closed without an answer.
            try await WatchSession.run(port: port) { watch in
                try await watch.send("[3G*1234567890*0002*LK]")
                #expect(try await watch.reply() == nil)
            }
            // A camera's code is not a watch.
            let cameraCode = "77\(Int.random(in: 10_000_000...99_999_999))"
            _ = try await SensingFixture.register(app, kind: "camera", code: cameraCode)
            try await WatchSession.run(port: port) { watch in
                try await watch.send("[3G*\(cameraCode)*0002*LK]")
                #expect(try await watch.reply() == nil)
            }
            // One connection speaks for one watch.
            let a = "66\(Int.random(in: 10_000_000...99_999_999))"
            let b = "55\(Int.random(in: 10_000_000...99_999_999))"
            _ = try await SensingFixture.register(app, kind: "wristband", code: a)
            _ = try await SensingFixture.register(app, kind: "wristband", code: b)
            try await WatchSession.run(port: port) { watch in
                try await watch.send("[3G*\(a)*0002*LK]")
                #expect(try await watch.reply() == "[3G*\(a)*0002*LK]")
                try await watch.send("[3G*\(b)*0002*LK]")
                #expect(try await watch.reply() == nil)
            }
            // Junk and an oversized frame: counted, connection closed.
            try await WatchSession.run(port: port) { watch in
                try await watch.send("GET / HTTP/1.1\r\n\r\n[3G*\(a)*FFFF*")
                #expect(try await watch.reply() == nil)
            }
            let after = Metrics.registry.emitToString()
            func count(_ reason: String, in text: String) -> Double {
                text.split(separator: "\n").first { $0.hasPrefix("zhili_ingest_rejected_total{reason=\"\(reason)\"}") }
                    .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            }
            #expect(count("unauthenticated", in: after) >= count("unauthenticated", in: before) + 3)
            #expect(count("oversized", in: after) > count("oversized", in: before))
        }
    }
}
