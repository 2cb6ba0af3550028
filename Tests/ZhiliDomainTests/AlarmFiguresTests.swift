import Foundation
import Testing
import ZhiliDomain

@Suite("Sensing figures")
struct AlarmFiguresTests {
    @Test func answerTimesSharesAndCountsOnAKnownSet() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func alarm(_ rule: String, _ status: String, ackAfter: Double?, raised: Double = 0) -> AlarmFigures.Alarm {
            AlarmFigures.Alarm(
                rule: rule, severity: rule == "sos" ? "critical" : "warning", status: status,
                raisedAt: t0.addingTimeInterval(raised),
                acknowledgedAt: ackAfter.map { t0.addingTimeInterval(raised + $0) })
        }
        let alarms = [
            alarm("sos", "resolved", ackAfter: 10), alarm("sos", "resolved", ackAfter: 30),
            alarm("sos", "false", ackAfter: 60), alarm("offline", "resolved", ackAfter: 61),
            alarm("offline", "false", ackAfter: 300),
            // Unanswered for two minutes: late. Unanswered for 20 s: not yet due.
            alarm("sos", "raised", ackAfter: nil, raised: 880), alarm("crowd", "raised", ackAfter: nil, raised: 980),
        ]
        let f = AlarmFigures.of(alarms, now: t0.addingTimeInterval(1000))
        #expect(f.total == 7 && f.open == 2)
        #expect(f.byRule == ["sos": 4, "offline": 2, "crowd": 1])
        #expect(f.bySeverity == ["critical": 4, "warning": 3])
        // Waits 10, 30, 60, 61, 300: nearest rank.
        #expect(f.acknowledgeP50 == 60 && f.acknowledgeP90 == 300)
        // Within a minute: 10, 30, 60 (exactly 60 counts) of 6 due.
        #expect(f.acknowledgedWithin60s == 3.0 / 6.0)
        #expect(f.falseShare == 2.0 / 5.0)
        let none = AlarmFigures.of([], now: t0)
        #expect(
            none.total == 0 && none.acknowledgeP50 == nil && none.acknowledgedWithin60s == nil && none.falseShare == nil
        )
    }
}
