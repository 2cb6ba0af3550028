import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

enum ComplaintFixture {
    /// A point inside the n-th grid of the tiny town.
    static func point(_ app: Application, grid: Int = 0) async throws -> GeoPoint {
        struct Row: Decodable { let geometry: String }
        let code = try await app.gridCodes()[grid]
        let row = try #require(
            try await app.sql.select().column("geometry").from("nodes").where("code", .equal, code).first(
                decoding: Row.self))
        return try GeoPolygon(geoJSONString: row.geometry).centroid
    }

    static func submit(
        _ app: Application, as user: String = "resident", category: String = "environment.garbage", grid: Int = 0,
        key: String? = nil, text: String = "楼下垃圾三天没有清运，气味很大"
    ) async throws -> ComplaintDTO {
        let p = try await point(app, grid: grid)
        var headers = try await app.bearer(user).merging(["Content-Type": "application/json"])
        if let key { headers.replaceOrAdd(name: "Idempotency-Key", value: key) }
        var dto: ComplaintDTO?
        try await app.testing().test(
            .POST, "/api/v1/complaints", headers: headers,
            body: try RegistryFixture.json(["categoryCode": category, "text": text, "lat": p.lat, "lon": p.lon])
        ) { res in
            #expect(res.status == .created || res.status == .ok, "\(res.body.string)")
            dto = try? res.content.decode(ComplaintDTO.self)
        }
        return try #require(dto)
    }

    @discardableResult
    static func act(
        _ app: Application, _ id: UUID, as user: String, _ body: [String: Any], expect status: HTTPStatus = .ok
    ) async throws -> ComplaintDTO? {
        let headers = try await app.bearer(user).merging(["Content-Type": "application/json"])
        var dto: ComplaintDTO?
        try await app.testing().test(
            .POST, "/api/v1/complaints/\(id)/actions", headers: headers, body: try RegistryFixture.json(body)
        ) { res in
            #expect(res.status == status, "\(body) → \(res.body.string)")
            dto = try? res.content.decode(ComplaintDTO.self)
        }
        return dto
    }
}
