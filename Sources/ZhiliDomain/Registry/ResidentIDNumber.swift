import Foundation

public enum Sex: String, Codable, Sendable, CaseIterable {
    case male, female

    public var nameZh: String {
        switch self {
        case .male: "男"
        case .female: "女"
        }
    }
}

public enum ResidentIDError: Error, Sendable, Equatable {
    case badLength, badCharacters, badDivision, badBirthDate
    case badCheckDigit(expected: Character)
}

/// An 18-character resident identity number (GB 11643-1999). The legacy
/// 15-digit form is rejected: it carries no check digit to verify.
public struct ResidentIDNumber: Hashable, Sendable {
    public let value: String

    public init(validating raw: String, today: Date = Date()) throws(ResidentIDError) {
        let normalised = raw.trimmedWhitespace.uppercased()
        let bytes = Array(normalised.utf8)
        guard bytes.count == 18 else { throw .badLength }
        let lastIsCheckable = ASCIIDigits.isDigit(bytes[17]) || bytes[17] == UInt8(ascii: "X")
        guard bytes[0..<17].allSatisfy(ASCIIDigits.isDigit), lastIsCheckable else { throw .badCharacters }
        guard Self.isPlausibleDivision(bytes[0..<6]) else { throw .badDivision }
        guard Self.isPlausibleBirthDate(bytes[6..<14], today: today) else { throw .badBirthDate }
        let expected = Self.checkCharacter(forFirst17: String(normalised.prefix(17)))
        guard Character(UnicodeScalar(bytes[17])) == expected else { throw .badCheckDigit(expected: expected) }
        value = normalised
    }

    public var divisionCode: String { String(value.prefix(6)) }
    public var birthYear: Int { digits(6, 4) }
    public var birthMonth: Int { digits(10, 2) }
    public var birthDay: Int { digits(12, 2) }
    public var sex: Sex { digits(16, 1) % 2 == 1 ? .male : .female }

    /// Keeps the region and the check tail so staff can match a record by eye
    /// without the birth date being exposed.
    public var masked: String { value.prefix(6) + "********" + value.suffix(4) }

    private func digits(_ offset: Int, _ count: Int) -> Int {
        ASCIIDigits.value(Array(value.utf8)[offset..<(offset + count)])
    }

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkMap = Array("10X98765432")

    /// Expects 17 ASCII digits. Anything else counts as 0 rather than trapping,
    /// so a careless caller gets a wrong answer that validation will reject, not a crash.
    public static func checkCharacter(forFirst17 digits: String) -> Character {
        var sum = 0
        for (weight, byte) in zip(weights, digits.utf8) where ASCIIDigits.isDigit(byte) {
            sum += weight * Int(byte - 0x30)
        }
        return checkMap[sum % 11]
    }

    /// Sequence wraps into 0...99. The 17th digit cycles with the sequence so
    /// numbers for the same person template are not all identical in that position.
    public static func make(division: String, year: Int, month: Int, day: Int, sequence: Int, sex: Sex) -> String {
        let wrapped = ((sequence % 100) + 100) % 100
        let sexDigit = (wrapped % 5) * 2 + (sex == .male ? 1 : 0)
        return compose(division: division, year: year, month: month, day: day, sequence: wrapped, sexDigit: sexDigit)
    }

    package static func compose(division: String, year: Int, month: Int, day: Int, sequence: Int, sexDigit: Int)
        -> String
    {
        let date =
            ASCIIDigits.padded(year, width: 4) + ASCIIDigits.padded(month, width: 2)
            + ASCIIDigits.padded(day, width: 2)
        let first17 = division + date + ASCIIDigits.padded(sequence, width: 2) + String(sexDigit)
        return first17 + String(checkCharacter(forFirst17: first17))
    }

    private static func isPlausibleBirthDate(_ bytes: ArraySlice<UInt8>, today: Date) -> Bool {
        let start = bytes.startIndex
        let year = ASCIIDigits.value(bytes[start..<(start + 4)])
        let month = ASCIIDigits.value(bytes[(start + 4)..<(start + 6)])
        let day = ASCIIDigits.value(bytes[(start + 6)..<(start + 8)])
        guard year >= 1900, CivilDate.isReal(year: year, month: month, day: day) else { return false }
        return CivilDate(year: year, month: month, day: day) <= CivilDate.inChina(today)
    }

    // IDs issued under retired county codes stay valid for life, so only the
    // province part can be checked. 83 is used by residence permits for Taiwan residents.
    private static func isPlausibleDivision(_ bytes: ArraySlice<UInt8>) -> Bool {
        let province = ASCIIDigits.value(bytes.prefix(2))
        return HierarchyCode.provincePrefixes.contains(province) || province == 83
    }
}

public enum PhoneNumber {
    /// As people write numbers: spaces and dashes dropped, a leading +86 removed.
    public static func normalised(_ raw: String) -> String {
        let digits = raw.trimmedWhitespace.replacingScalars([" ": "", "-": ""])
        return digits.hasPrefix("+86") ? String(digits.dropFirst(3)) : digits
    }

    /// Mainland mobile numbers: 11 digits, "1" then a second digit 3–9.
    public static func isValidMobile(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 11, bytes.allSatisfy(ASCIIDigits.isDigit) else { return false }
        return bytes[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1])
    }

    /// Works on characters, not bytes, so odd input (short, non-ASCII) never
    /// traps; short input reveals at most a quarter of itself.
    public static func masked(_ s: String) -> String {
        let chars = Array(s.trimmedWhitespace)
        if chars.count >= 8 {
            let stars = String(repeating: "*", count: chars.count - 7)
            return String(chars.prefix(3)) + stars + String(chars.suffix(4))
        }
        let shown = chars.count / 4
        return String(repeating: "*", count: chars.count - shown) + String(chars.suffix(shown))
    }
}

/// A calendar day in China Standard Time, computed arithmetically so results
/// do not depend on the host's time-zone database or locale.
package struct CivilDate: Comparable, Sendable {
    var year: Int, month: Int, day: Int

    package static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isReal(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    /// China has used UTC+8 without daylight saving since 1991, which covers any "today".
    static func inChina(_ date: Date) -> CivilDate {
        let seconds = date.timeIntervalSince1970 + 8 * 3600
        return fromDaysSinceEpoch(Int((seconds / 86_400).rounded(.down)))
    }

    // Howard Hinnant's civil_from_days.
    static func fromDaysSinceEpoch(_ days: Int) -> CivilDate {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return CivilDate(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}

/// Byte-level digit helpers, namespaced so they cannot clash with other files in the module.
package enum ASCIIDigits {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Decimal value of ASCII digits; callers have already checked they are digits.
    static func value<S: Sequence<UInt8>>(_ bytes: S) -> Int {
        bytes.reduce(0) { $0 * 10 + Int($1) - 0x30 }
    }

    package static func padded(_ n: Int, width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
