import Foundation

/// The figures of sensing for an area and a period: alarms by rule and severity, how fast they
/// were answered, how many were false. The telecare standard's grade is a call answered within
/// a minute in 98.5% of cases; `acknowledgedWithin60s` is measured against it.
public struct AlarmFigures: Sendable, Equatable, Codable {
    /// One alarm as the figures need it.
    public struct Alarm: Sendable, Equatable {
        public let rule: String
        public let severity: String
        public let status: String
        public let raisedAt: Date
        public let acknowledgedAt: Date?

        public init(rule: String, severity: String, status: String, raisedAt: Date, acknowledgedAt: Date?) {
            self.rule = rule
            self.severity = severity
            self.status = status
            self.raisedAt = raisedAt
            self.acknowledgedAt = acknowledgedAt
        }
    }

    public static let answerWithin: TimeInterval = 60
    /// The telecare standard's grade for calls answered within a minute.
    public static let answerGrade = 0.985

    public var total = 0
    public var byRule: [String: Int] = [:]
    public var bySeverity: [String: Int] = [:]
    /// Seconds from raise to acknowledgement, of the alarms acknowledged.
    public var acknowledgeP50: Double?
    public var acknowledgeP90: Double?
    /// Alarms acknowledged within 60 s, of all alarms old enough to have been (the still
    /// unanswered ones past the minute count against it).
    public var acknowledgedWithin60s: Double?
    /// Alarms closed as false, of the alarms closed.
    public var falseShare: Double?
    public var open = 0

    public init() {}

    /// `now` decides which unanswered alarms are already late.
    public static func of(_ alarms: [Alarm], now: Date) -> AlarmFigures {
        var f = AlarmFigures()
        f.total = alarms.count
        var waits: [Double] = []
        var due = 0
        var onTime = 0
        var closed = 0
        var falseOnes = 0
        for a in alarms {
            f.byRule[a.rule, default: 0] += 1
            f.bySeverity[a.severity, default: 0] += 1
            if let ack = a.acknowledgedAt {
                let wait = max(0, ack.timeIntervalSince(a.raisedAt))
                waits.append(wait)
                due += 1
                if wait <= answerWithin { onTime += 1 }
            } else if now.timeIntervalSince(a.raisedAt) > answerWithin {
                due += 1
            }
            switch a.status {
            case "resolved": closed += 1
            case "false":
                closed += 1
                falseOnes += 1
            case "raised", "acknowledged", "dispatched": f.open += 1
            default: break
            }
        }
        waits.sort()
        f.acknowledgeP50 = percentile(waits, 0.5)
        f.acknowledgeP90 = percentile(waits, 0.9)
        f.acknowledgedWithin60s = due > 0 ? Double(onTime) / Double(due) : nil
        f.falseShare = closed > 0 ? Double(falseOnes) / Double(closed) : nil
        return f
    }

    /// Nearest-rank percentile of sorted values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
