import Foundation

/// When a volunteer can usually serve: three slots a day (morning 08:00–12:00, afternoon
/// 12:00–18:00, evening 18:00–22:00, Beijing time) on each weekday, kept as 21 bits
/// (Monday's morning is bit 0, Sunday's evening bit 20). Nobody is on call 22:00–08:00.
public struct WeeklyAvailability: Hashable, Sendable, Codable {
    public enum Slot: Int, CaseIterable, Sendable {
        case morning = 0, afternoon, evening

        /// The slot an hour of the day falls in, nil at night.
        public init?(hour: Int) {
            switch hour {
            case 8..<12: self = .morning
            case 12..<18: self = .afternoon
            case 18..<22: self = .evening
            default: return nil
            }
        }
    }

    public static let days = 7
    public static let all = WeeklyAvailability(bits: (1 << 21) - 1)
    public static let none = WeeklyAvailability(bits: 0)

    public let bits: Int

    public init(bits: Int) { self.bits = bits & ((1 << 21) - 1) }

    /// `weekday` 1 = Monday … 7 = Sunday.
    public init(_ pairs: [(weekday: Int, slot: Slot)]) {
        var b = 0
        for p in pairs where (1...7).contains(p.weekday) { b |= 1 << ((p.weekday - 1) * 3 + p.slot.rawValue) }
        self.init(bits: b)
    }

    public func contains(weekday: Int, slot: Slot) -> Bool {
        guard (1...7).contains(weekday) else { return false }
        return bits & (1 << ((weekday - 1) * 3 + slot.rawValue)) != 0
    }

    static let beijing: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return c
    }()

    /// Monday = 1 … Sunday = 7, and the slot, of a moment in Beijing; nil slot at night.
    public static func place(_ moment: Date) -> (weekday: Int, slot: Slot?) {
        let parts = beijing.dateComponents([.weekday, .hour], from: moment)
        // Calendar: Sunday = 1 … Saturday = 7.
        let weekday = ((parts.weekday ?? 1) + 5) % 7 + 1
        return (weekday, Slot(hour: parts.hour ?? 0))
    }

    public func covers(_ moment: Date) -> Bool {
        let (weekday, slot) = Self.place(moment)
        guard let slot else { return false }
        return contains(weekday: weekday, slot: slot)
    }

    /// How many of the 21 slots are set.
    public var slotCount: Int { bits.nonzeroBitCount }
}
