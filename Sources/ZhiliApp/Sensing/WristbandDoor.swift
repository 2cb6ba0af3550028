import CoreMetrics
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Vapor

/// The wristband port (`ZHILI_WRISTBAND_PORT`): a SwiftNIO TCP server speaking
/// `WristbandProtocol`, so a watch bought in China can be pointed at the platform (its server
/// address and port are set by SMS or its app, e.g. `pw,123456,ip,HOST,PORT#`).
///
/// A watch is known by its ID: register it as a wristband (or SOS) device whose code is that
/// ID. The protocol carries no secret, so the port refuses every ID the registry does not hold
/// as an active device, and one connection speaks for one ID only. Each connection's frames
/// are handled in order and one at a time (the socket is not read while a frame is stored:
/// a flooding watch slows itself, not others); an answer the protocol expects (LK, AL, TKQ) is
/// sent only after the frame's events are stored, so a watch that hears nothing sends again
/// and the event ids, taken from the frame's own time, make that a no-op. Junk, oversized
/// frames, unknown IDs and refused events are counted (`zhili_ingest_rejected_total{reason}`);
/// a connection silent for 15 minutes is closed (watches link every few minutes).
final class WristbandDoor: LifecycleHandler, Sendable {
    static let idle: TimeAmount = .minutes(15)

    private struct State: Sendable {
        var server: Channel?
        var task: Task<Void, Never>?
        var port: Int?
        /// The watches' open connections, closed at shutdown.
        var open: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// The port actually bound (the configured one, or the one the system chose for port 0).
    var port: Int? { state.withLock { $0.port } }

    func didBootAsync(_ application: Application) async throws {
        let app = application
        guard let port = app.zhili.config.wristbandPort else { return }
        let host = app.zhili.config.host
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: Self.idle))
                    try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WristbandProtocol.Decoder()))
                    return try NIOAsyncChannel<WristbandProtocol.Item, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8)))
                }
            }
        let bound = server.channel.localAddress?.port
        app.logger.notice("wristband protocol listening on \(host):\(bound ?? port)")
        let task = Task<Void, Never> {
            _ = try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let channel = connection.channel
                        let key = ObjectIdentifier(channel)
                        self.state.withLock { $0.open[key] = channel }
                        group.addTask {
                            await Self.serve(connection, app: app)
                            _ = self.state.withLock { $0.open.removeValue(forKey: key) }
                        }
                    }
                }
            }
        }
        state.withLock {
            $0.server = server.channel
            $0.task = task
            $0.port = bound
        }
    }

    func shutdownAsync(_ application: Application) async {
        let s = state.withLock { $0 }
        try? await s.server?.close()
        // Every watch's connection too: their handlers end, and with them the accept loop.
        for channel in s.open.values { channel.close(promise: nil) }
        s.task?.cancel()
        await s.task?.value
    }

    private static func serve(_ connection: NIOAsyncChannel<WristbandProtocol.Item, ByteBuffer>, app: Application)
        async
    {
        Counter(label: "zhili_wristband_connections_total").increment()
        try? await connection.executeThenClose { inbound, outbound in
            var bound: DeviceIdentity?
            var junk = 0
            for try await item in inbound {
                switch item {
                case .garbage(let n):
                    SensingIngest.reject("malformed")
                    junk += n
                    // A client that speaks something else entirely: no point listening.
                    if junk > 4096 { return }
                case .oversized:
                    SensingIngest.reject("oversized")
                    return
                case .frame(let frame):
                    Counter(label: "zhili_wristband_frames_total").increment()
                    if let device = bound {
                        guard device.code == frame.id else {
                            SensingIngest.reject("unauthenticated")
                            return
                        }
                    } else {
                        let db = try app.zhili.readers?.sql() ?? app.db.sql
                        guard let device = try await app.sensing.keys.identify(code: frame.id, on: db),
                            device.kind == .wristband || device.kind == .sos
                        else {
                            SensingIngest.reject("unauthenticated")
                            app.logger.info("wristband port: refused unknown watch ID \(frame.id.prefix(20))")
                            return
                        }
                        bound = device
                    }
                    guard let device = bound else { return }
                    let message = WristbandProtocol.interpret(frame, receivedAt: Date())
                    if message.unsupported != nil { SensingIngest.reject("unsupported") }
                    if !message.events.isEmpty {
                        do {
                            let incoming = try SensingWire.incoming(message.events, now: Date())
                            _ = try await app.sensing.ingest.submit(.init(device: device, events: incoming))
                        } catch is AppError {
                            // Refused (counted by the checks): answered anyway, resending would not help.
                        } catch {
                            // Not stored: no answer, so the watch sends it again.
                            app.logger.warning("wristband port: storing \(device.code)'s frame failed: \(error)")
                            continue
                        }
                    }
                    if let reply = message.reply {
                        try await outbound.write(ByteBuffer(string: reply))
                    }
                }
            }
        }
    }
}

/// Closes a connection that sent nothing for the idle time.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
