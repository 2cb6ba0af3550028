import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Excel's number formats: which ones show a date (so the cell's serial number is a date).
enum NumberFormat {
    /// Built-in formats that are dates or times: 14–22, 45 and 47 in every locale, and the
    /// East Asian ones (27–36, 50–58) that Excel writes for Chinese date formats such as
    /// "yyyy年m月d日". 46 is "[h]:mm:ss", a duration: it stays a number.
    static let builtInDates: Set<Int> = Set(14...22).union([45, 47]).union(27...36).union(50...58)
    /// Built-in formats of a time of day only.
    static let builtInTimes: Set<Int> = [18, 19, 20, 21, 45, 47]

    enum Kind: Equatable { case number, date, dateTime, time }

    /// What a cell with this format shows. `code` is the custom format code, if any.
    static func kind(id: Int, code: String?) -> Kind {
        if let code { return kind(of: code) }
        if builtInTimes.contains(id) { return id == 22 ? .dateTime : .time }
        if id == 22 { return .dateTime }
        return builtInDates.contains(id) ? .date : .number
    }

    /// A custom code is a date when it has date or time letters outside quoted text, escaped
    /// characters and [..] sections; elapsed times ([h]:mm) are durations, not dates.
    static func kind(of code: String) -> Kind {
        if code.trimmingCharacters(in: .whitespaces).lowercased() == "general" { return .number }
        // Only the first section (positive numbers) decides.
        var hasDate = false
        var hasTime = false
        var elapsed = false
        var chars = Array(code)[...]
        if let semicolon = chars.firstIndex(of: ";") { chars = chars[..<semicolon] }
        var i = chars.startIndex
        var lastLetter: Character = " "
        while i < chars.endIndex {
            let c = chars[i]
            let rest = String(chars[i...]).uppercased()
            if rest.hasPrefix("AM/PM") || rest.hasPrefix("A/P") {
                hasTime = true
                i += rest.hasPrefix("AM/PM") ? 5 : 3
                continue
            }
            switch c {
            case "\"":
                i = chars[(i + 1)...].firstIndex(of: "\"") ?? chars.endIndex
            case "\\", "_", "*":
                i += 1  // the next character is shown literally (or is a fill/space)
            case "[":
                let end = chars[(i + 1)...].firstIndex(of: "]") ?? chars.endIndex
                let inside = String(chars[(i + 1)..<end]).lowercased()
                if ["h", "hh", "m", "mm", "s", "ss"].contains(inside) { elapsed = true }
                i = end
            case "y", "Y", "d", "D", "e", "E":
                hasDate = true
                lastLetter = "d"
            case "m", "M":
                // Minutes right after hours or right before seconds; months otherwise.
                let ahead = chars[i...].drop { "mM".contains($0) }.first { $0.isLetter }
                if lastLetter == "h" || ahead == "s" || ahead == "S" { hasTime = true } else { hasDate = true }
            case "h", "H", "s", "S":
                hasTime = true
                lastLetter = "h"
            case "0", "#", "?", "@", "%": if !hasDate && !hasTime { return .number }
            default: break
            }
            i += 1
        }
        if elapsed { return .number }
        if hasDate && hasTime { return .dateTime }
        if hasDate { return .date }
        if hasTime { return .time }
        return .number
    }
}

/// Excel serial numbers → ISO 8601 text, in the 1900 or the 1904 date system, in UTC (a
/// spreadsheet date has no time zone).
enum ExcelDate {
    static func iso(_ serial: Double, kind: NumberFormat.Kind, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }  // up to 9999-12-31
        var days = serial.rounded(.down)
        let fraction = serial - days
        let epoch: Int
        if date1904 {
            epoch = -24_107  // 1904-01-01 as days since 1970-01-01
        } else {
            // Serial 60 is Excel's fictitious 1900-02-29; serials after it are one day ahead.
            if days == 60 { return kind == .time ? nil : "1900-02-29" }
            if days < 60 { days += 1 }
            epoch = -25_569  // 1899-12-30
        }
        var seconds = Int((fraction * 86_400).rounded())
        var dayNumber = Int(days) + epoch
        if seconds >= 86_400 {
            seconds -= 86_400
            dayNumber += 1
        }
        let (y, m, d) = civil(fromDays: dayNumber)
        let date = String(format: "%04d-%02d-%02d", y, m, d)
        let time = String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        switch kind {
        case .number: return nil
        case .date: return date
        case .time: return time
        case .dateTime: return seconds == 0 ? date + " 00:00:00" : date + " " + time
        }
    }

    /// Days since 1970-01-01 → proleptic Gregorian (y, m, d) (H. Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// `xl/styles.xml`: for each cell style index (the `s` of a cell), what its number format shows.
final class StylesParser: XMLPartParser {
    private var customCodes: [Int: String] = [:]
    private var formatIDs: [Int] = []
    private var inCellXfs = false

    static func parse(_ data: Data, part: String) throws(SheetError) -> [NumberFormat.Kind] {
        let p = StylesParser()
        try p.run(data, part: part)
        return p.formatIDs.map { NumberFormat.kind(id: $0, code: p.customCodes[$0]) }
    }

    override func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap({ Int($0) }), let code = attributes["formatCode"] {
                customCodes[id] = code
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs: formatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
        default: break
        }
    }

    override func end(_ parser: XMLParser, _ name: Substring) {
        if name == "cellXfs" { inCellXfs = false }
    }
}
