import Crypto
import Foundation
import SQLiteKit
import Testing

@testable import ZhiliApp

/// The hand-made fast paths must give exactly what the general ones give.
@Suite("Hot paths: JSON writer, random ids, verified tokens, bulk values")
struct HotPathTests {
    @Test func theJSONWriterWritesWhatJSONEncoderWrites() throws {
        let items = [
            ResidentDTO(
                id: UUID(), householdCode: "620982001001001001001010001", name: "张\"三\\", sex: "男",
                birthDate: "1990-01-02",
                idNumberMasked: "620982********001X", phoneMasked: nil, ethnicity: "汉族", relation: "户主",
                residencyType: "户籍常住",
                politicalStatus: "群众", tags: []),
            ResidentDTO(
                id: UUID(), householdCode: "620982001001001001001010002", name: "李/四\n\t\u{1}", sex: "女",
                birthDate: "2015-06-30",
                idNumberMasked: "620982********0021", phoneMasked: "138****8000", ethnicity: "回族", relation: "子女",
                residencyType: "流动人口",
                politicalStatus: "中共党员", tags: ["elderly_alone", "low_income"]),
        ]
        let result = RegistryRoutes.SearchResult(kind: "name", items: items)
        // Same document (JSONEncoder's key order is not fixed on Linux; the writer's is declaration order).
        func same(_ r: RegistryRoutes.SearchResult) throws -> Bool {
            let fast = try JSONSerialization.jsonObject(with: Data(r.response().body.data ?? Data())) as? NSDictionary
            let standard = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(r)) as? NSDictionary
            return fast != nil && fast == standard
        }
        #expect(try same(result))
        #expect(try same(RegistryRoutes.SearchResult(kind: "none", items: [])))
        let text = String(decoding: result.response().body.data ?? Data(), as: UTF8.self)
        #expect(text.contains(#""name":"李\/四\n\t\u0001""#))
        #expect(text.hasPrefix(#"{"kind":"name","items":[{"id":""#))
        #expect(!text.contains("phoneMasked\":null"))
    }

    @Test func searchHashesAreTheKeyedHashOfTheNormalisedValue() throws {
        let secrets = Secrets.generate()
        let cipher = try FieldCipher(secrets: secrets)
        let key = SymmetricKey(data: try #require(Data(base64Encoded: secrets.indexKey)))
        for value in ["62098219900101001x", " 13800138000 ", "张三"] {
            let expected = FieldCipher.hex(
                HMAC<SHA256>.authenticationCode(
                    for: Data(value.trimmingCharacters(in: .whitespaces).uppercased().utf8), using: key
                ).prefix(16))
            #expect(cipher.searchHash(value) == expected)
        }
        #expect(cipher.searchHash("62098219900101001x") == cipher.searchHash("62098219900101001X"))
    }

    @Test func bulkIDsAreVersionSevenDistinctAndInOrder() {
        let now = Date(timeIntervalSince1970: 1_790_000_000.123)
        let ids = RandomIDs.make(10_000, now: now)
        #expect(ids.count == 10_000)
        #expect(Set(ids).count == 10_000)
        let texts = ids.map(\.uuidString)
        #expect(texts == texts.sorted(), "a batch's identifiers rise, as text too (SQLite keeps them as text)")
        let millis = String(UInt64(1_790_000_000_123), radix: 16, uppercase: true)
        for text in texts.prefix(100) {
            #expect(Array(text)[14] == "7")
            #expect("89AB".contains(Array(text)[19]))
            #expect(
                text.replacingOccurrences(of: "-", with: "").hasPrefix(
                    String(repeating: "0", count: 12 - millis.count) + millis))
        }
        let later = RandomIDs.make(3, now: now.addingTimeInterval(0.002))
        #expect(later.map(\.uuidString).allSatisfy { $0 > texts.last! }, "a later batch sorts after an earlier one")
        let sameMillisecond = RandomIDs.make(10_000, now: now)
        #expect(
            Set(ids).isDisjoint(with: sameMillisecond), "two batches of one millisecond differ in their random bits")
        #expect(RandomIDs.make(0).isEmpty)
    }

    @Test func uuidTextMatchesFoundationBothWays() {
        for id in RandomIDs.make(50) + (0..<50).map({ _ in UUID() }) + [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        ] {
            #expect(UUIDText.string(id) == id.uuidString)
            #expect(UUIDText.parse(UUIDText.string(id)) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
        #expect(UUIDText.parse("not-a-uuid") == nil)
    }

    @Test func verifiedTokensExpireAndStayBounded() throws {
        let known = VerifiedTokens(capacity: 3)
        func token(expires: Date) -> SessionToken {
            let account = UserAccount(
                username: "u", displayName: "n", passwordHash: "-", role: .communityStaff, nodeCode: "620982001001")
            account.id = UUID()
            return try! SessionToken(account: account, lifetime: expires.timeIntervalSinceNow)
        }
        known.remember("a", token(expires: Date().addingTimeInterval(60)))
        #expect(known.lookup("a")?.usr == "u")
        #expect(known.lookup("b") == nil)
        known.remember("old", token(expires: Date().addingTimeInterval(-1)))
        #expect(known.lookup("old") == nil)
        known.remember("c", token(expires: Date().addingTimeInterval(60)))
        known.remember("d", token(expires: Date().addingTimeInterval(60)))
        #expect(known.lookup("a") != nil)
        // Full (three kept): emptied, then the new one kept.
        known.remember("e", token(expires: Date().addingTimeInterval(60)))
        #expect(known.lookup("a") == nil)
        #expect(known.lookup("e") != nil)
    }

    @Test func bulkValuesMatchSQLiteKitsOwnConversion() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any Encodable & Sendable] = [
            "文本", 42, 3.5, Date(timeIntervalSince1970: 1_764_400_000), UUID(), true,
            Optional<String>.none, Optional<String>.some("可选"), Optional<Int>.some(7),
            Optional<Date>.some(Date(timeIntervalSince1970: 5)), Optional<UUID>.none, Optional<UUID>.some(UUID()),
            Optional<Double>.some(1.25),
        ]
        for v in values {
            let fast = try BulkInsert.sqliteData(v, encoder: encoder)
            let general: SQLiteData
            if let o = v as? any OptionalValue, o.wrappedValue == nil {
                general = .null
            } else if let o = v as? any OptionalValue, let w = o.wrappedValue as? any Encodable {
                general = try encoder.encode(w)
            } else {
                general = try encoder.encode(v)
            }
            #expect(fast == general, "\(v)")
        }
    }
}

@Suite("UUID text parsing")
struct UUIDTextTests {
    @Test func parsesWhatFoundationParsesAndRefusesTheRest() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
        for bad in [
            "", "not-a-uuid", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5FF",
            "E621E1F8C36C-495A-93FC-0C247A3E6E5F0",
            "G621E1F8-C36C-495A-93FC-0C247A3E6E5F",
        ] {
            #expect(UUIDText.parse(bad) == nil, "\(bad)")
        }
    }
}
