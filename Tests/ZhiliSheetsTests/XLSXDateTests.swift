import Foundation
import Testing

@testable import ZhiliSheets

/// Files written by openpyxl (Fixtures/make_dates_fixtures.py), as other systems export them.
private func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return Array(try Data(contentsOf: url))
}

@Suite("xlsx date cells: serial numbers with a date format become ISO dates")
struct XLSXDateTests {
    private func residents() throws -> Sheet {
        try SheetReader.read(try fixture("residents-dates-openpyxl.xlsx"), format: .xlsx)
    }

    @Test func builtInFormat14IsADate() throws {
        #expect(try residents().rows[0][4] == "1950-03-04")
    }

    @Test func customYearMonthDayIsADate() throws {
        #expect(try residents().rows[1][4] == "1962-11-20")
    }

    @Test func chineseDateFormatIsADate() throws {
        #expect(try residents().rows[2][4] == "1988-02-29")
    }

    @Test func aDateWithATimeKeepsTheTime() throws {
        #expect(try residents().rows[3][4] == "1975-06-01 08:30:00")
    }

    @Test func aPlainNumberStaysANumber() throws {
        #expect(try residents().rows[5][4] == "12.5")
    }

    @Test func anElapsedTimeStaysANumber() throws {
        #expect(try residents().rows[6][4] == "1.5")
    }

    @Test func anIDTypedAsANumberComesBackAsTheNumberExcelKept() throws {
        // Not a date (no date format), and not silently an ID: the app refuses it by name.
        let cell = try residents().rows[4][2]
        #expect(cell.uppercased().contains("E+17"), "\(cell)")
    }

    @Test func theIDsTypedAsTextStayExact() throws {
        #expect(try residents().rows[0][2] == "620982195003041222")
    }

    @Test func the1904DateSystemIsHonoured() throws {
        let sheet = try SheetReader.read(try fixture("dates-1904-openpyxl.xlsx"), format: .xlsx)
        #expect(sheet.rows[0][1] == "1985-07-01")
    }

    @Test(
        arguments: [
            (14, nil, NumberFormat.Kind.date), (22, nil, .dateTime), (20, nil, .time), (0, nil, .number),
            (2, nil, .number),
            (49, nil, .number), (31, nil, .date), (57, nil, .date),
            (164, "yyyy-mm-dd", .date), (165, #"yyyy"年"m"月"d"日""#, .date), (166, "[$-F800]dddd, mmmm dd, yyyy", .date),
            (167, "0.00", .number), (168, "#,##0", .number), (169, "@", .number), (170, "General", .number),
            (171, "[h]:mm:ss", .number), (172, #""d"0"#, .number), (173, "yyyy/m/d h:mm", .dateTime),
            (174, "h:mm AM/PM", .time),
            (175, "[Red]0.00", .number), (176, #"0.00\d"#, .number),
        ] as [(Int, String?, NumberFormat.Kind)])
    func formatsAreClassified(id: Int, code: String?, kind: NumberFormat.Kind) {
        #expect(NumberFormat.kind(id: id, code: code) == kind)
    }

    @Test(arguments: [
        (1.0, false, "1900-01-01"), (59.0, false, "1900-02-28"), (60.0, false, "1900-02-29"),
        (61.0, false, "1900-03-01"),
        (45_000.0, false, "2023-03-15"), (0.0, true, "1904-01-01"), (30_000.0, true, "1986-02-19"),
    ])
    func serialNumbersCountFromTheRightEpoch(serial: Double, date1904: Bool, iso: String) {
        #expect(ExcelDate.iso(serial, kind: .date, date1904: date1904) == iso)
    }
}
