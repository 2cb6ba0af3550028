import Fluent
import Foundation
import SQLKit

/// Complaint numbers people can read out on the phone: the day in Beijing, then that day's
/// serial, 20261203-0042. The serial comes from one row per day in `complaint_serials`,
/// reserved inside the transaction that writes the complaints, so two instances writing at
/// once never hand out the same number (the row is locked until commit) and a rolled-back
/// batch hands out nothing.
struct ComplaintNumbers {
    let db: any SQLDatabase

    /// 20261203: the day of `date` in Beijing.
    static func day(of date: Date) -> String {
        ResidentValidation.isoDay(date).replacingScalars(["-": ""])
    }

    /// 20261203-0042; more digits once a day passes 9999.
    static func format(day: String, serial: Int) -> String {
        let digits = String(serial)
        return day + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private struct Last: Decodable { let last: Int }

    /// Reserves `count` serials for `day` and returns the first of them.
    func reserve(day: String, count: Int) async throws -> Int {
        precondition(count > 0)
        let row = try await db.raw(
            """
            INSERT INTO complaint_serials (day, last) VALUES (\(bind: day), \(bind: count))
            ON CONFLICT (day) DO UPDATE SET last = complaint_serials.last + \(bind: count)
            RETURNING last
            """
        ).first(decoding: Last.self)
        guard let last = row?.last else { throw AppError.internalFailure("complaint_serials returned no row") }
        return last - count + 1
    }

    /// Numbers for complaints created at `dates`, in the order given.
    func assign(_ dates: [Date]) async throws -> [String] {
        let days = dates.map(Self.day(of:))
        var next: [String: Int] = [:]
        for (day, n) in Dictionary(days.map { ($0, 1) }, uniquingKeysWith: +).sorted(by: { $0.key < $1.key }) {
            next[day] = try await reserve(day: day, count: n)
        }
        return days.map { day in
            let serial = next[day]!
            next[day] = serial + 1
            return Self.format(day: day, serial: serial)
        }
    }
}

/// The table of serials, one row per day that has complaints. Complaints numbered before it
/// keep their numbers (the day and twelve hex digits of the id: they cannot collide with a
/// serial, which is digits only and never twelve long before a day has a trillion).
struct AddComplaintSerials: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw(
            "CREATE TABLE complaint_serials (day TEXT PRIMARY KEY, last INTEGER NOT NULL)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE complaint_serials").run()
    }
}
