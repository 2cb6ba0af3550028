import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import ZhiliApp

@Suite("Complaint numbers")
struct ComplaintNumberTests {
    @Test func theDayInBeijingThenItsSerial() {
        // 2025-11-29 20:00 UTC is already the 30th in Beijing.
        let day = ComplaintNumbers.day(of: Date(timeIntervalSince1970: 1_764_446_400))
        #expect(day == "20251130")
        #expect(ComplaintNumbers.format(day: day, serial: 42) == "20251130-0042")
        #expect(ComplaintNumbers.format(day: day, serial: 12_345) == "20251130-12345")
    }

    /// Submissions arriving together share a batch; each gets its own number, and the day's
    /// numbers follow on from those given before (the demo's included), without a gap.
    @Test func concurrentSubmissionsGetConsecutiveSerials() async throws {
        try await withTestApp { app in
            struct Last: Decodable { let last: Int }
            let today = ComplaintNumbers.day(of: Date())
            let before =
                try await app.sql.select().column("last").from("complaint_serials").where("day", .equal, today)
                .first(decoding: Last.self)?.last ?? 0
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        try await ComplaintFixture.submit(app, grid: i % 2, text: "第\(i)件：楼下垃圾三天没有清运").number
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(numbers.allSatisfy { $0.hasPrefix(today + "-") && $0.count == 13 })
            let serials = numbers.compactMap { Int($0.dropFirst(9)) }.sorted()
            #expect(serials == Array((before + 1)...(before + 24)))
            // What the API answered is what was stored.
            struct Row: Decodable { let number: String }
            let stored = try await app.sql.select().column("number").from("complaints")
                .where("number", .in, numbers).all(decoding: Row.self)
            #expect(Set(stored.map(\.number)) == Set(numbers))
            let last = try await app.sql.select().column("last").from("complaint_serials")
                .where("day", .equal, today).first(decoding: Last.self)?.last
            #expect(last == before + 24)
        }
    }

    /// The demo numbers its history the same way: per day, in the order of the clock.
    @Test func demoNumbersFollowTheClock() async throws {
        try await withTestApp { app in
            struct Row: Decodable {
                let number: String
                let created_at: Date
            }
            let rows = try await app.sql.select().columns("number", "created_at").from("complaints")
                .all(decoding: Row.self)
            #expect(rows.count > 10)
            #expect(Set(rows.map(\.number)).count == rows.count)
            for r in rows { #expect(r.number.hasPrefix(ComplaintNumbers.day(of: r.created_at) + "-")) }
            let byDay = Dictionary(grouping: rows) { String($0.number.prefix(8)) }
            for (_, day) in byDay {
                let ordered = day.sorted { $0.created_at < $1.created_at }.map { Int($0.number.dropFirst(9)) ?? 0 }
                #expect(ordered == ordered.sorted())
                #expect(ordered.first == 1)
            }
        }
    }
}
