import Foundation
import Testing

@testable import ZhiliDomain

private let t0 = Date(timeIntervalSinceReferenceDate: 800_000_000)
private let hour: TimeInterval = 3600

private func at(_ base: Date, _ seconds: TimeInterval) -> Date { base.addingTimeInterval(seconds) }

@Suite struct ComplaintClocksTests {
    @Test func tierPeriodsAndNames() {
        let expected: [(TimeLimitTier, String, String, TimeInterval, TimeInterval, TimeInterval)] = [
            (.twoHours, "2h", "2小时", 0.5 * hour, 1 * hour, 2 * hour),
            (.oneDay, "24h", "24小时", 2 * hour, 12 * hour, 24 * hour),
            (.sevenDays, "7d", "7天", 4 * hour, 24 * hour, 168 * hour),
            (.fifteenDays, "15d", "15天", 4 * hour, 48 * hour, 360 * hour),
        ]
        #expect(TimeLimitTier.allCases.count == expected.count)
        for (tier, raw, zh, sign, contact, resolve) in expected {
            #expect(tier.rawValue == raw && TimeLimitTier(rawValue: raw) == tier)
            #expect(tier.nameZh == zh)
            #expect(
                tier.signWithin == sign && tier.contactWithin == contact && tier.resolveWithin == resolve, "\(tier)")
            #expect(tier.signWithin < tier.contactWithin && tier.contactWithin < tier.resolveWithin)
        }
    }

    @Test(arguments: TimeLimitTier.allCases)
    func deadlinesCountFromDispatch(tier: TimeLimitTier) {
        let d = ComplaintDeadlines(tier: tier, dispatchedAt: t0)
        #expect(d.signBy == at(t0, tier.signWithin))
        #expect(d.contactBy == at(t0, tier.contactWithin))
        #expect(d.resolveBy == at(t0, tier.resolveWithin))
    }

    @Test func deadlinesForTheTwoHourTierByTheClock() {
        let d = ComplaintDeadlines(tier: .twoHours, dispatchedAt: t0)
        #expect(d.signBy.timeIntervalSince(t0) == 1800)
        #expect(d.contactBy.timeIntervalSince(t0) == 3600)
        #expect(d.resolveBy.timeIntervalSince(t0) == 7200)
    }

    @Test func extensionMovesContactOnlyWhileItHasNotPassed() {
        let original = ComplaintDeadlines(tier: .sevenDays, dispatchedAt: t0)

        var early = original
        early.extend(by: 72, now: at(original.contactBy, -1))
        #expect(early.resolveBy == at(original.resolveBy, 72 * hour))
        #expect(early.contactBy == at(original.contactBy, 72 * hour))
        #expect(early.signBy == original.signBy)

        var onTheDot = original
        onTheDot.extend(by: 72, now: original.contactBy)
        #expect(onTheDot.contactBy == at(original.contactBy, 72 * hour))

        var late = original
        late.extend(by: 72, now: at(original.contactBy, 1))
        #expect(late.resolveBy == at(original.resolveBy, 72 * hour))
        #expect(late.contactBy == original.contactBy)
        #expect(late.signBy == original.signBy)
    }

    @Test func extensionsAddUpAndNonPositiveHoursChangeNothing() {
        let original = ComplaintDeadlines(tier: .fifteenDays, dispatchedAt: t0)
        var d = original
        d.extend(by: 24, now: at(t0, 100 * hour))
        d.extend(by: 48, now: at(t0, 100 * hour))
        #expect(d.resolveBy == at(original.resolveBy, 72 * hour))
        #expect(d.contactBy == original.contactBy)
        var same = original
        same.extend(by: 0, now: t0)
        same.extend(by: -10, now: t0)
        #expect(same == original)
    }

    @Test func extendWithoutNowUsesTheWallClock() {
        // Dispatched now, so contact has not passed yet and both deadlines move.
        let original = ComplaintDeadlines(tier: .fifteenDays, dispatchedAt: Date())
        var d = original
        d.extend(by: 10)
        #expect(d.contactBy == at(original.contactBy, 10 * hour))
        #expect(d.resolveBy == at(original.resolveBy, 10 * hour))
    }

    @Test func overdueClocksPerStatusAtTheBoundaries() {
        let d = ComplaintDeadlines(tier: .oneDay, dispatchedAt: t0)
        func late(_ status: ComplaintStatus, _ time: Date) -> [ClockKind] {
            ComplaintClocks.overdue(status: status, deadlines: d, now: time)
        }
        #expect(late(.dispatched, d.signBy) == [])
        #expect(late(.dispatched, at(d.signBy, 1)) == [.sign])
        #expect(late(.dispatched, d.contactBy) == [.sign])
        #expect(late(.dispatched, at(d.contactBy, 1)) == [.sign, .contact])
        #expect(late(.dispatched, d.resolveBy) == [.sign, .contact])
        #expect(late(.dispatched, at(d.resolveBy, 1)) == [.sign, .contact, .resolve])

        #expect(late(.signed, at(d.signBy, 1)) == [])
        #expect(late(.signed, d.contactBy) == [])
        #expect(late(.signed, at(d.contactBy, 1)) == [.contact])
        #expect(late(.signed, at(d.resolveBy, 1)) == [.contact, .resolve])

        for status in [ComplaintStatus.inProgress, .submitted] {
            #expect(late(status, at(d.contactBy, 1)) == [], "\(status)")
            #expect(late(status, d.resolveBy) == [], "\(status)")
            #expect(late(status, at(d.resolveBy, 1)) == [.resolve], "\(status)")
        }
        for status in ComplaintStatus.allCases where !status.isOpen {
            #expect(late(status, at(d.resolveBy, 1000 * hour)) == [], "\(status)")
        }
    }

    @Test(arguments: TimeLimitTier.allCases)
    func escalationRisesOneLevelPerResolvePeriodPastTheFirstMissedDeadline(tier: TimeLimitTier) {
        let d = ComplaintDeadlines(tier: tier, dispatchedAt: t0)
        let p = tier.resolveWithin
        func level(_ status: ComplaintStatus, _ time: Date) -> EscalationLevel {
            ComplaintClocks.escalationLevel(tier: tier, deadlines: d, status: status, now: time)
        }
        // Still dispatched: the sign deadline is missed first.
        #expect(level(.dispatched, t0) == .grid)
        #expect(level(.dispatched, d.signBy) == .grid)
        #expect(level(.dispatched, at(d.signBy, 1)) == .community)
        #expect(level(.dispatched, at(d.signBy, p - 1)) == .community)
        #expect(level(.dispatched, at(d.signBy, p)) == .street)
        #expect(level(.dispatched, at(d.signBy, 2 * p - 1)) == .street)
        #expect(level(.dispatched, at(d.signBy, 2 * p)) == .city)
        #expect(level(.dispatched, at(d.signBy, 20 * p)) == .city)

        // Signed: counting starts at the contact deadline instead.
        #expect(level(.signed, at(d.signBy, 1)) == .grid)
        #expect(level(.signed, d.contactBy) == .grid)
        #expect(level(.signed, at(d.contactBy, 1)) == .community)
        #expect(level(.signed, at(d.contactBy, p - 1)) == .community)
        #expect(level(.signed, at(d.contactBy, p)) == .street)
        #expect(level(.signed, at(d.contactBy, 2 * p)) == .city)

        // In progress: only the resolve deadline counts.
        #expect(level(.inProgress, at(d.contactBy, 1)) == .grid)
        #expect(level(.inProgress, d.resolveBy) == .grid)
        #expect(level(.inProgress, at(d.resolveBy, 1)) == .community)
        #expect(level(.inProgress, at(d.resolveBy, p - 1)) == .community)
        #expect(level(.inProgress, at(d.resolveBy, p)) == .street)
        #expect(level(.inProgress, at(d.resolveBy, 2 * p - 1)) == .street)
        #expect(level(.inProgress, at(d.resolveBy, 2 * p)) == .city)

        // Not open: nothing runs, however late.
        for status in ComplaintStatus.allCases where !status.isOpen {
            #expect(level(status, at(d.resolveBy, 10 * p)) == .grid, "\(status)")
        }
    }

    @Test func escalationLevelsAreOrderedAndNamed() {
        #expect(EscalationLevel.allCases == [.grid, .community, .street, .city])
        #expect(EscalationLevel.allCases.map(\.nameZh) == ["网格", "社区", "街道", "市级"])
        #expect(EscalationLevel.grid.next == .community)
        #expect(EscalationLevel.community.next == .street)
        #expect(EscalationLevel.street.next == .city)
        #expect(EscalationLevel.city.next == nil)
        #expect(EscalationLevel.grid < .community && EscalationLevel.street < .city && !(EscalationLevel.city < .grid))
        #expect([EscalationLevel.city, .grid, .street].max() == .city)
        #expect(ClockKind.allCases.map(\.rawValue) == ["sign", "contact", "resolve"])
    }

    @Test func deadlinesRoundTripThroughJSON() throws {
        var d = ComplaintDeadlines(tier: .oneDay, dispatchedAt: t0)
        d.extend(by: 5, now: t0)
        let data = try JSONEncoder().encode(d)
        #expect(try JSONDecoder().decode(ComplaintDeadlines.self, from: data) == d)
    }
}
