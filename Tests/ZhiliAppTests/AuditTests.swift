import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Audit log")
struct AuditTests {
    @Test func auditLogRefusesUpdatesAndDeletesEvenFromSQL() async throws {
        try await withTestApp { app in
            _ = try await app.bearer("admin")
            #expect(try await app.count("audit_log") > 0)
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("UPDATE audit_log SET action = 'tampered'").run()
            }
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("DELETE FROM audit_log").run()
            }
            #expect(try await app.count("audit_log") > 0)
        }
    }

    @Test func onlyAdministratorsBrowseTheLogAndFiltersApply() async throws {
        try await withTestApp { app in
            let city = try await app.bearer("city")
            try await app.testing().test(.GET, "/api/v1/audit", headers: city) { res in
                #expect(res.status == .forbidden)
            }
            let admin = try await app.bearer("admin")
            try await app.testing().test(.GET, "/api/v1/audit?action=sign_in&actor=city", headers: admin) { res in
                #expect(res.status == .ok)
                let entries = try res.content.decode([AuditEntry].self)
                #expect(!entries.isEmpty)
                #expect(entries.allSatisfy { $0.action == "sign_in" && $0.actorName == "city" })
            }
        }
    }

    @Test func identityNumbersAreNeverStoredInPlaintext() async throws {
        try await withTestApp { app in
            struct Row: Decodable {
                let id_number_enc: String
                let id_number_masked: String
            }
            let row = try #require(
                try await app.sql.select().columns("id_number_enc", "id_number_masked").from("residents")
                    .limit(1).first(decoding: Row.self))
            let plain = try app.zhili.cipher.decrypt(row.id_number_enc)
            #expect(plain.count == 18)
            #expect(!row.id_number_enc.contains(plain))
            #expect(row.id_number_masked == String(plain.prefix(6)) + "********" + String(plain.suffix(4)))
            if case .sqlite(let path) = app.zhili.config.database {
                let bytes =
                    try Data(contentsOf: URL(fileURLWithPath: path))
                    + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
                #expect(bytes.range(of: Data(plain.utf8)) == nil)
            }
        }
    }
}
