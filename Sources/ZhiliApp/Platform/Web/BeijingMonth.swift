import Foundation
import Plot

/// Months as the people using the platform count them: in Beijing time, written YYYY-MM
/// (statistics by month of complaints, alarms …).
enum BeijingMonth {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    private static var calendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal
    }

    /// "2026-11" in Beijing time.
    static func month(of date: Date) -> String {
        let c = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
    }

    /// The instant a Beijing month starts, and the next month's start; nil for anything but a
    /// month of 2000–2100.
    static func bounds(of month: String) -> (Date, Date)? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m),
            (2000...2100).contains(y)
        else { return nil }
        guard let start = calendar.date(from: DateComponents(year: y, month: m, day: 1)),
            let end = calendar.date(byAdding: .month, value: 1, to: start)
        else { return nil }
        return (start, end)
    }

    /// A `<select>` of months, the chosen one selected.
    static func select(_ name: String, _ months: [String], selected: String) -> Component {
        Element(name: "select") {
            for m in months {
                Node<HTML.BodyContext>.element(
                    named: "option",
                    nodes: [
                        .attribute(named: "value", value: m),
                        m == selected ? .attribute(named: "selected", value: "selected") : .empty, .text(m),
                    ])
            }
        }.attribute(named: "name", value: name)
    }
}
