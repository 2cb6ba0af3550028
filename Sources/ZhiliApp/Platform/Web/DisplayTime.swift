import Foundation

/// Times on pages are shown in Beijing time (the people using them are there), minutes precision.
enum DisplayTime {
    private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.locale = Locale(identifier: "en_US_POSIX")
        return f
    }()
    private static let lock = NSLock()

    static func minutes(_ date: Date) -> String {
        lock.lock()
        defer { lock.unlock() }
        return formatter.string(from: date)
    }

    static func day(_ date: Date) -> String { String(minutes(date).prefix(10)) }

    private static let inputFormatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd'T'HH:mm"
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.locale = Locale(identifier: "en_US_POSIX")
        f.isLenient = false
        return f
    }()

    /// The value of an `<input type="datetime-local">` (Beijing time, minutes) and back; a
    /// value with seconds is read too.
    static func input(_ date: Date) -> String {
        lock.lock()
        defer { lock.unlock() }
        return inputFormatter.string(from: date)
    }

    static func parseInput(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let minutes = trimmed.count > 16 ? String(trimmed.prefix(16)) : trimmed
        lock.lock()
        defer { lock.unlock() }
        return inputFormatter.date(from: minutes)
    }
}
