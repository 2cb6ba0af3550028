import Foundation

private let hour: TimeInterval = 60 * 60

/// Beijing's four time-limit tiers for 接诉即办.
public enum TimeLimitTier: String, Codable, CaseIterable, Sendable {
    case twoHours = "2h", oneDay = "24h", sevenDays = "7d", fifteenDays = "15d"

    public var nameZh: String {
        switch self {
        case .twoHours: "2小时"
        case .oneDay: "24小时"
        case .sevenDays: "7天"
        case .fifteenDays: "15天"
        }
    }

    /// Time from dispatch until the handler must sign for the complaint.
    public var signWithin: TimeInterval {
        switch self {
        case .twoHours: 0.5 * hour
        case .oneDay: 2 * hour
        case .sevenDays, .fifteenDays: 4 * hour
        }
    }

    /// Time from dispatch until the handler must have contacted the resident.
    public var contactWithin: TimeInterval {
        switch self {
        case .twoHours: 1 * hour
        case .oneDay: 12 * hour
        case .sevenDays: 24 * hour
        case .fifteenDays: 48 * hour
        }
    }

    /// Time from dispatch until the complaint must be resolved; also the escalation period.
    public var resolveWithin: TimeInterval {
        switch self {
        case .twoHours: 2 * hour
        case .oneDay: 24 * hour
        case .sevenDays: 7 * 24 * hour
        case .fifteenDays: 15 * 24 * hour
        }
    }
}

/// The three deadlines of one dispatch. All clocks start at dispatch (not at signing), so a
/// handler who signs late has less time left rather than a fresh allowance.
public struct ComplaintDeadlines: Sendable, Equatable, Codable {
    public var signBy: Date
    public var contactBy: Date
    public var resolveBy: Date

    public init(tier: TimeLimitTier, dispatchedAt: Date) {
        signBy = dispatchedAt.addingTimeInterval(tier.signWithin)
        contactBy = dispatchedAt.addingTimeInterval(tier.contactWithin)
        resolveBy = dispatchedAt.addingTimeInterval(tier.resolveWithin)
    }

    /// An approved extension, judged against the current time. `resolveBy` always moves; `contactBy`
    /// moves only while it has not yet passed (now ≤ contactBy), because an extension cannot excuse
    /// a contact deadline that was already missed. `signBy` never moves: extensions are asked for
    /// only after signing. Zero or negative hours change nothing.
    public mutating func extend(by hours: Int, now: Date) {
        guard hours > 0 else { return }
        let delta = TimeInterval(hours) * hour
        if now <= contactBy { contactBy.addTimeInterval(delta) }
        resolveBy.addTimeInterval(delta)
    }

    /// `extend(by:now:)` at the current wall-clock time.
    public mutating func extend(by hours: Int) {
        extend(by: hours, now: Date())
    }

    func date(of clock: ClockKind) -> Date {
        switch clock {
        case .sign: signBy
        case .contact: contactBy
        case .resolve: resolveBy
        }
    }
}

public enum ClockKind: String, Sendable, Codable, CaseIterable {
    case sign, contact, resolve

    public var nameZh: String {
        switch self {
        case .sign: "签收"
        case .contact: "联系"
        case .resolve: "办结"
        }
    }
}

/// Who is supervising an overdue complaint. Ordered, so the app can keep the higher of a manual
/// escalation and the computed one.
public enum EscalationLevel: Int, Codable, CaseIterable, Sendable, Comparable {
    case grid = 0, community, street, city

    public var nameZh: String {
        switch self {
        case .grid: "网格"
        case .community: "社区"
        case .street: "街道"
        case .city: "市级"
        }
    }

    /// The level above this one; nil at city, where there is nowhere left to go.
    public var next: EscalationLevel? { EscalationLevel(rawValue: rawValue + 1) }

    public static func < (a: EscalationLevel, b: EscalationLevel) -> Bool { a.rawValue < b.rawValue }
}

public enum ComplaintClocks {
    /// Which clocks are overdue now for a complaint in `status`, in the order sign, contact, resolve.
    ///
    /// A clock applies only while its step is still outstanding: sign while dispatched; contact while
    /// dispatched or signed; resolve in every open status (a complaint sent back to review keeps
    /// running against its resolve deadline). A clock is overdue strictly after its deadline — at the
    /// deadline itself it is still on time, matching the "at or before" rule of `ThreeRates`.
    public static func overdue(status: ComplaintStatus, deadlines: ComplaintDeadlines, now: Date) -> [ClockKind] {
        var late: [ClockKind] = []
        if status == .dispatched, now > deadlines.signBy { late.append(.sign) }
        if status == .dispatched || status == .signed, now > deadlines.contactBy { late.append(.contact) }
        if status.isOpen, now > deadlines.resolveBy { late.append(.resolve) }
        return late
    }

    /// The escalation level a complaint should be at now.
    ///
    /// Let D be the earliest deadline among the clocks `overdue` reports and P the tier's
    /// `resolveWithin`. Then:
    /// - grid while nothing is overdue (including every status that is not open);
    /// - community once now > D;
    /// - street once now ≥ D + P (another full period has elapsed);
    /// - city once now ≥ D + 2P, and it stays there.
    ///
    /// The level follows the current status: once the late step is done (say the complaint is
    /// signed late but contacted in time), the level falls back. Escalation is never undone on the
    /// timeline, so callers keep the maximum of this and the level already recorded.
    public static func escalationLevel(
        tier: TimeLimitTier, deadlines: ComplaintDeadlines, status: ComplaintStatus, now: Date
    )
        -> EscalationLevel
    {
        let late = overdue(status: status, deadlines: deadlines, now: now)
        guard let firstMissed = late.map({ deadlines.date(of: $0) }).min() else { return .grid }
        let elapsed = now.timeIntervalSince(firstMissed)
        let period = tier.resolveWithin
        if elapsed >= 2 * period { return .city }
        if elapsed >= period { return .street }
        return .community
    }
}
