import Foundation
import SQLKit
import SQLiteKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// Small builders for registry tests.
enum RegistryFixture {
    static func idNumber(year: Int = 1950, month: Int = 3, day: Int = 4, sequence: Int = 12, sex: Sex = .female)
        -> String
    {
        ResidentIDNumber.make(division: "620982", year: year, month: month, day: day, sequence: sequence, sex: sex)
    }

    static func firstHousehold(_ app: Application, grid: Int = 0) async throws -> String {
        struct Row: Decodable { let code: String }
        let grids = try await app.gridCodes()
        return try #require(
            try await app.sql.select().column("code").from("households")
                .where("code", .greaterThanOrEqual, grids[grid]).where("code", .lessThan, grids[grid] + ":")
                .orderBy("code").first(decoding: Row.self)
        ).code
    }

    /// Registers a resident through the API as `user` and returns its id.
    static func register(
        _ app: Application, as user: String = "community", name: String = "测试老人", idNumber: String,
        household: String, tags: [String] = [], phone: String? = "13912345678"
    ) async throws -> UUID {
        let headers = try await app.bearer(user).merging(["Content-Type": "application/json"])
        var body: [String: Any] = [
            "name": name, "idNumber": idNumber, "householdCode": household, "relation": "户主", "tags": tags,
        ]
        if let phone { body["phone"] = phone }
        let data = try JSONSerialization.data(withJSONObject: body)
        var id: UUID?
        try await app.testing().test(.POST, "/api/v1/residents", headers: headers, body: .init(data: data)) { res in
            #expect(res.status == .created, "\(res.body.string)")
            id = try? res.content.decode(ResidentDTO.self).id
        }
        return try #require(id)
    }

    static func json(_ object: [String: Any]) throws -> ByteBuffer {
        .init(data: try JSONSerialization.data(withJSONObject: object))
    }
}
