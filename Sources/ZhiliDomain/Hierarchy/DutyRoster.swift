import Foundation

/// One shift of the duty roster (值班表): a member of staff answers for a node (a grid, a
/// community, a street) from `startsAt` until `endsAt`.
public struct DutyShift: Sendable, Equatable {
    public let id: UUID
    public let userID: UUID
    public let nodeCode: String
    public let startsAt: Date
    public let endsAt: Date

    public init(id: UUID, userID: UUID, nodeCode: String, startsAt: Date, endsAt: Date) {
        self.id = id
        self.userID = userID
        self.nodeCode = nodeCode
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    /// Whether the shift covers the moment (from its start, up to but not including its end).
    public func covers(_ moment: Date) -> Bool { startsAt <= moment && moment < endsAt }
}

/// Who answers for a place now: the rules the alarm page and the emergency console share.
public enum DutyRoster {
    /// The longest shift the roster takes (a week: longer ones are a mistake in the form).
    public static let longestShift: TimeInterval = 7 * 24 * 3600

    public enum Problem: Error, Sendable, Equatable {
        /// The end is not after the start.
        case endsBeforeItStarts
        /// Longer than `longestShift`.
        case tooLong
    }

    /// The shape of a shift, before anything about who or where is looked up.
    public static func check(startsAt: Date, endsAt: Date) -> Problem? {
        if endsAt <= startsAt { return .endsBeforeItStarts }
        if endsAt.timeIntervalSince(startsAt) > longestShift { return .tooLong }
        return nil
    }

    /// The shifts on duty for something at `node` at `moment`, nearest first: a shift covers
    /// the node when its own node is the node or one above it (a grid's shift answers for
    /// the grid's buildings and households, a community's for all its grids). Nearer means a
    /// deeper node (the grid's worker before the community's staff before the street's); among
    /// equals, the shift with the longest still to run, then the earliest-made order of the
    /// input, so the answer is stable. A person on two covering shifts appears once, at the
    /// nearer one.
    public static func onDuty(for node: String, at moment: Date, among shifts: [DutyShift]) -> [DutyShift] {
        let covering = shifts.enumerated().filter { _, s in
            s.covers(moment) && !s.nodeCode.isEmpty && node.hasPrefix(s.nodeCode)
        }
        let ordered = covering.sorted { a, b in
            if a.element.nodeCode.count != b.element.nodeCode.count {
                return a.element.nodeCode.count > b.element.nodeCode.count
            }
            if a.element.endsAt != b.element.endsAt { return a.element.endsAt > b.element.endsAt }
            return a.offset < b.offset
        }
        var seen = Set<UUID>()
        return ordered.map(\.element).filter { seen.insert($0.userID).inserted }
    }
}
