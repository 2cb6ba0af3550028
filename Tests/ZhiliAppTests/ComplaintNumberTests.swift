import Foundation
import Testing

@testable import ZhiliApp

@Suite("Complaint numbers")
struct ComplaintNumberTests {
    @Test func theDayThenTwelveHexDigitsOfTheID() throws {
        let id = try #require(UUID(uuidString: "3FA2B7C1-E4D2-4A6B-8C1D-2E3F4A5B6C7D"))
        // 2025-11-29 20:00 UTC is already the 30th in Beijing.
        let number = ComplaintSubmission.number(now: Date(timeIntervalSince1970: 1_764_446_400), id: id)
        #expect(number == "20251130-3FA2B7C1E4D2")
        let many = Set((0..<50_000).map { _ in ComplaintSubmission.number(now: Date(), id: UUID()) })
        #expect(many.count == 50_000)
    }
}
