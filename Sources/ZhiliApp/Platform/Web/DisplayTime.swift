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
}
