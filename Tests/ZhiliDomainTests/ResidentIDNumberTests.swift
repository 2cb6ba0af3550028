import Foundation
import Testing

@testable import ZhiliDomain

/// 2026-11-29 00:00 UTC, which is 08:00 the same day in Beijing.
private let fixedToday = Date(timeIntervalSince1970: 1_795_910_400)

private func birth(_ n: ResidentIDNumber) -> [Int] { [n.birthYear, n.birthMonth, n.birthDay] }

private func id(_ raw: String, today: Date = fixedToday) throws -> ResidentIDNumber {
    try ResidentIDNumber(validating: raw, today: today)
}

@Test func publishedExampleValidatesAndDerivesItsFields() throws {
    let number = try id("11010519491231002X")
    #expect(number.divisionCode == "110105")
    #expect(birth(number) == [1949, 12, 31])
    #expect(number.sex == .female)
}

// Weighted sums worked by hand:
// 6 2 0 9 8 2 1 9 9 0 0 1 0 1 9 0 1 → 330, 330 mod 11 = 0 → "1"
// 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 → 167, 167 mod 11 = 2 → "X"
// 4 4 0 5 2 4 1 8 8 0 0 1 0 1 0 0 1 → 195, 195 mod 11 = 8 → "4"
@Test(arguments: [("62098219900101901", "1"), ("11010519491231002", "X"), ("44052418800101001", "4")])
func checkCharacterMatchesHandComputation(first17: String, expected: String) {
    #expect(ResidentIDNumber.checkCharacter(forFirst17: first17) == Character(expected))
}

@Test func handComputedNumberIsMaleBornNewYearsDay1990() throws {
    let number = try id("620982199001019011")
    #expect(number.sex == .male)
    #expect(birth(number) == [1990, 1, 1])
}

@Test func lowercaseXIsAcceptedAndNormalised() throws {
    #expect(try id(" 11010519491231002x ").value == "11010519491231002X")
}

@Test func wrongCheckDigitReportsTheExpectedOne() {
    #expect(throws: ResidentIDError.badCheckDigit(expected: "X")) { try id("110105194912310021") }
    #expect(throws: ResidentIDError.badCheckDigit(expected: "1")) { try id("62098219900101901X") }
}

@Test(arguments: ["", "11010519491231002", "110105491231002", "11010519491231002X1"])
func wrongLengthIsRejected(raw: String) {
    #expect(throws: ResidentIDError.badLength) { try id(raw) }
}

@Test(arguments: ["11010519491231002Y", "1101051949123100X2", "X1010519491231002X", "11010519491231-02X"])
func lettersOtherThanFinalXAreRejected(raw: String) {
    #expect(throws: ResidentIDError.badCharacters) { try id(raw) }
}

@Test func unknownProvinceIsBadDivision() {
    let raw = ResidentIDNumber.make(division: "990982", year: 1990, month: 1, day: 1, sequence: 1, sex: .male)
    #expect(throws: ResidentIDError.badDivision) { try id(raw) }
}

@Test(arguments: [
    (1990, 2, 30), (1900, 2, 29), (1990, 4, 31), (1990, 13, 1), (1990, 0, 10), (1990, 1, 0),
    (1899, 12, 31), (2030, 1, 1),
])
func impossibleOrFutureBirthDatesAreRejected(year: Int, month: Int, day: Int) {
    let raw = ResidentIDNumber.make(division: "620982", year: year, month: month, day: day, sequence: 5, sex: .female)
    #expect(throws: ResidentIDError.badBirthDate) { try id(raw) }
}

@Test func leapDaysAndFirstDayOf1900AreRealDates() throws {
    for (year, month, day) in [(2000, 2, 29), (2024, 2, 29), (1900, 1, 1)] {
        let raw = ResidentIDNumber.make(division: "620982", year: year, month: month, day: day, sequence: 5, sex: .male)
        #expect(try id(raw).birthDay == day)
    }
}

@Test func birthTodayInBeijingIsAcceptedButTomorrowIsNot() throws {
    let today = ResidentIDNumber.make(division: "620982", year: 2026, month: 11, day: 29, sequence: 1, sex: .male)
    let tomorrow = ResidentIDNumber.make(division: "620982", year: 2026, month: 11, day: 30, sequence: 1, sex: .male)
    #expect(try id(today).birthDay == 29)
    #expect(throws: ResidentIDError.badBirthDate) { try id(tomorrow) }
    // 23:30 UTC on the 29th is already the 30th in Beijing.
    #expect(try id(tomorrow, today: fixedToday.addingTimeInterval(23.5 * 3600)).birthDay == 30)
}

@Test func makeProducesValidNumbersWhoseSexAndDateRoundTrip() throws {
    for sequence in 0...99 {
        for sex in Sex.allCases {
            let raw = ResidentIDNumber.make(
                division: "620982", year: 1985, month: 7, day: 9, sequence: sequence, sex: sex)
            let number = try id(raw)
            #expect(number.sex == sex)
            #expect(raw.dropFirst(14).prefix(2) == ASCIIDigits.padded(sequence, width: 2))
            #expect(birth(number) == [1985, 7, 9])
        }
    }
}

@Test func maskingHidesTheBirthDate() throws {
    let masked = try id("11010519491231002X").masked
    #expect(masked == "110105********002X")
    #expect(masked.count == 18)
}

@Test(arguments: ["13812345678", "19912345678", "17700000000", "15198765432"])
func mainlandMobilesAreValid(raw: String) {
    #expect(PhoneNumber.isValidMobile(raw))
}

@Test(arguments: ["12812345678", "10012345678", "1381234567", "138123456789", "1381234567a", "", "23812345678"])
func malformedMobilesAreInvalid(raw: String) {
    #expect(!PhoneNumber.isValidMobile(raw))
}

@Test func mobileMaskKeepsPrefixAndLastFour() {
    #expect(PhoneNumber.masked("13812345678") == "138****5678")
}

@Test(arguments: [
    ("", ""), ("1", "*"), ("123", "***"), ("12345", "****5"), ("1234567", "******7"),
    ("📱☎️电话号码很长的", "📱☎️电**码很长的"),
])
func oddPhoneInputIsMaskedWithoutCrashing(raw: String, masked: String) {
    #expect(PhoneNumber.masked(raw) == masked)
}
