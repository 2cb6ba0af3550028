import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

enum SensingFixture {
    struct Device {
        let id: UUID
        let key: String
    }

    /// Registers a device through the API (community staff of the tiny town) in the n-th grid.
    static func register(
        _ app: Application, kind: String = "sos", grid: Int = 0, as user: String = "community", code: String? = nil,
        resident: UUID? = nil, extra: [String: Any] = [:]
    ) async throws -> Device {
        let node = try await app.gridCodes()[grid]
        var body: [String: Any] = [
            "code": code ?? "T-\(UUID().uuidString.prefix(8))", "kind": kind, "name": "测试\(kind)", "nodeCode": node,
            "place": "3号楼东门", "lat": 40.14, "lon": 94.66,
        ]
        if let resident { body["residentID"] = resident.uuidString }
        for (k, v) in extra { body[k] = v }
        var device: Device?
        try await app.testing().test(
            .POST, "/api/v1/devices", headers: try await app.bearer(user).merging(["Content-Type": "application/json"]),
            body: try RegistryFixture.json(body)
        ) { res in
            #expect(res.status == .created, "\(res.body.string)")
            if let issued = try? res.content.decode(DeviceRegistry.Issued.self) {
                device = Device(id: issued.device.id, key: issued.key)
            }
        }
        return try #require(device)
    }

    /// Sends events with the device's key; returns the status and the receipt.
    @discardableResult
    static func send(
        _ app: Application, key: String, _ events: [[String: Any]], batch: Bool? = nil,
        expect status: HTTPStatus = .ok
    ) async throws -> (receipt: SensingIngest.Receipt?, body: String) {
        let asBatch = batch ?? (events.count != 1)
        let payload: [String: Any] = asBatch ? ["events": events] : events[0]
        var out: (SensingIngest.Receipt?, String) = (nil, "")
        try await app.testing().test(
            .POST, asBatch ? "/api/v1/ingest/batch" : "/api/v1/ingest/events",
            headers: ["X-Device-Key": key, "Content-Type": "application/json"], body: try RegistryFixture.json(payload)
        ) { res in
            #expect(res.status == status, "\(res.body.string)")
            out = (try? res.content.decode(SensingIngest.Receipt.self), res.body.string)
        }
        return out
    }

    static func event(_ kind: String, id: String = UUID().uuidString, at: Date? = nil, _ extra: [String: Any] = [:])
        -> [String: Any]
    {
        var e: [String: Any] = ["id": id, "kind": kind]
        if let at { e["at"] = at.formatted(.iso8601) }
        for (k, v) in extra { e[k] = v }
        return e
    }

    static func alarm(_ app: Application, _ id: UUID) async throws -> AlarmDesk.Row {
        try #require(try await AlarmDesk.find(id, on: app.sql))
    }

    static func act(
        _ app: Application, _ id: UUID, as user: String, _ body: [String: Any], expect status: HTTPStatus = .ok
    ) async throws {
        try await app.testing().test(
            .POST, "/api/v1/alarms/\(id)/actions",
            headers: try await app.bearer(user).merging(["Content-Type": "application/json"]),
            body: try RegistryFixture.json(body)
        ) { res in
            #expect(res.status == status, "\(body) → \(res.body.string)")
        }
    }
}
