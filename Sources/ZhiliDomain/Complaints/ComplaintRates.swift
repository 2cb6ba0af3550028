import Foundation

/// What the three rates need to know about one complaint; the app fills it from the complaint
/// record and its timeline.
public struct RateInput: Sendable {
    /// When it was first dispatched; nil if it never left review.
    public var dispatchedAt: Date?
    /// When the handler signed for it; nil if not (yet) signed.
    public var signedAt: Date?
    public var signBy: Date?
    public var status: ComplaintStatus
    /// The resident's score, 1...5; nil if not rated.
    public var rating: Int?
    /// When it was (last) resolved; nil if never resolved.
    public var resolvedAt: Date?
    /// The resolve deadline in force at resolution, extensions included.
    public var resolveBy: Date?
    /// Whether the resident ever reopened it.
    public var reopened: Bool

    public init(
        dispatchedAt: Date? = nil, signedAt: Date? = nil, signBy: Date? = nil, status: ComplaintStatus,
        rating: Int? = nil, resolvedAt: Date? = nil, resolveBy: Date? = nil, reopened: Bool = false
    ) {
        self.dispatchedAt = dispatchedAt
        self.signedAt = signedAt
        self.signBy = signBy
        self.status = status
        self.rating = rating
        self.resolvedAt = resolvedAt
        self.resolveBy = resolveBy
        self.reopened = reopened
    }
}

/// The three rates of 12345 接诉即办: 响应率 (response), 解决率 (resolution) and 满意率 (satisfaction).
///
/// Counting rules:
/// - Complaints that are rejected (不予受理) or merged (已合并) are left out of every count, even if
///   they had been dispatched before being sent back: the assessment scores neither complaints
///   ruled outside its remit nor duplicates, which would otherwise count the same work twice.
/// - `dispatched`: every remaining complaint with a dispatch time. It is the denominator of both
///   the response and the resolution rate, so open and overdue complaints pull both rates down.
/// - `respondedInTime`: dispatched, signed, with a sign deadline, and signed at or before it.
///   A complaint signed without a recorded deadline does not count as in time.
/// - `resolvedCount`: complaints now resolved or closed (reopened ones currently being handled
///   again are not resolved). Shown for context; it is not a denominator.
/// - `resolvedInTimeNotReopened`: dispatched, now resolved or closed, resolved at or before its
///   resolve deadline (extensions included), and never reopened by the resident.
/// - `rated`: complaints with a rating of 1...5 (anything else is ignored as invalid).
/// - `satisfied`: rated 4 or 5.
/// - Each rate is its numerator over its denominator, nil when the denominator is 0 (no data is
///   not 0 %): response = respondedInTime / dispatched, resolution = resolvedInTimeNotReopened /
///   dispatched, satisfaction = satisfied / rated.
/// - Roll-ups (grid → community → street) add the counts and recompute the rates, never average
///   rates, so a large community weighs more than a small one.
public struct ThreeRates: Sendable, Equatable, Codable {
    public var dispatched: Int  // denominator of response: complaints that were dispatched
    public var respondedInTime: Int  // signed at or before signBy
    public var resolvedCount: Int  // denominator part of resolution: complaints resolved or closed
    public var resolvedInTimeNotReopened: Int
    public var rated: Int
    public var satisfied: Int  // rating ≥ 4
    public var responseRate: Double?  // respondedInTime / dispatched (nil when 0)
    /// resolvedInTimeNotReopened / dispatched: resolved within the limit and not reopened,
    /// over everything dispatched.
    public var resolutionRate: Double?
    public var satisfactionRate: Double?  // satisfied / rated

    /// Builds from counts and derives the rates, so the rates always agree with the counts.
    public init(
        dispatched: Int = 0, respondedInTime: Int = 0, resolvedCount: Int = 0,
        resolvedInTimeNotReopened: Int = 0, rated: Int = 0, satisfied: Int = 0
    ) {
        self.dispatched = dispatched
        self.respondedInTime = respondedInTime
        self.resolvedCount = resolvedCount
        self.resolvedInTimeNotReopened = resolvedInTimeNotReopened
        self.rated = rated
        self.satisfied = satisfied
        responseRate = Self.ratio(respondedInTime, dispatched)
        resolutionRate = Self.ratio(resolvedInTimeNotReopened, dispatched)
        satisfactionRate = Self.ratio(satisfied, rated)
    }

    /// The three rates over `items`, by the counting rules above.
    public static func compute<S: Sequence>(_ items: S) -> ThreeRates where S.Element == RateInput {
        var dispatched = 0
        var respondedInTime = 0
        var resolvedCount = 0
        var resolvedInTime = 0
        var rated = 0
        var satisfied = 0
        for item in items where item.status != .rejected && item.status != .merged {
            let isResolved = item.status == .resolved || item.status == .closed
            if isResolved { resolvedCount += 1 }
            if let rating = item.rating, (1...5).contains(rating) {
                rated += 1
                if rating >= 4 { satisfied += 1 }
            }
            guard item.dispatchedAt != nil else { continue }
            dispatched += 1
            if let signedAt = item.signedAt, let signBy = item.signBy, signedAt <= signBy { respondedInTime += 1 }
            if isResolved, !item.reopened, let resolvedAt = item.resolvedAt, let resolveBy = item.resolveBy,
                resolvedAt <= resolveBy
            {
                resolvedInTime += 1
            }
        }
        return ThreeRates(
            dispatched: dispatched, respondedInTime: respondedInTime, resolvedCount: resolvedCount,
            resolvedInTimeNotReopened: resolvedInTime, rated: rated, satisfied: satisfied)
    }

    /// Adds the counts of two disjoint sets and recomputes the rates (see the roll-up rule).
    public static func + (a: ThreeRates, b: ThreeRates) -> ThreeRates {
        ThreeRates(
            dispatched: a.dispatched + b.dispatched,
            respondedInTime: a.respondedInTime + b.respondedInTime,
            resolvedCount: a.resolvedCount + b.resolvedCount,
            resolvedInTimeNotReopened: a.resolvedInTimeNotReopened + b.resolvedInTimeNotReopened,
            rated: a.rated + b.rated,
            satisfied: a.satisfied + b.satisfied)
    }

    private static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}
