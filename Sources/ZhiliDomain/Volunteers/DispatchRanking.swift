import Foundation

/// A volunteer the platform may send (平台智能派单), as the ranking sees them.
public struct DispatchCandidate: Sendable, Equatable {
    public let id: UUID
    /// The grid they live in (15 digits).
    public let homeGrid: String
    public let skills: Set<String>
    public let home: GeoPoint?
    /// Orders accepted and not yet done.
    public let openOrders: Int
    public let availability: WeeklyAvailability
    /// Residents' ratings of their past services (1–5): the sum and how many.
    public let ratingSum: Int
    public let ratingCount: Int

    public init(
        id: UUID, homeGrid: String, skills: Set<String>, home: GeoPoint?, openOrders: Int,
        availability: WeeklyAvailability, ratingSum: Int, ratingCount: Int
    ) {
        self.id = id
        self.homeGrid = homeGrid
        self.skills = skills
        self.home = home
        self.openOrders = openOrders
        self.availability = availability
        self.ratingSum = ratingSum
        self.ratingCount = ratingCount
    }
}

/// What is asked for: a service (its skill) at a household (its grid and position), when.
public struct DispatchRequest: Sendable, Equatable {
    public let grid: String
    public let skill: String
    public let place: GeoPoint?
    public let at: Date

    public init(grid: String, skill: String, place: GeoPoint?, at: Date) {
        self.grid = grid
        self.skill = skill
        self.place = place
        self.at = at
    }
}

/// The factors of the ranking.
public enum DispatchFactor: String, CaseIterable, Sendable, Codable {
    case grid, skill, distance, load, availability, rating
}

/// How much each factor weighs: a candidate's score is the sum over the factors of weight ×
/// value, each value between 0 and 1, so a perfect candidate scores the sum of the weights.
public struct DispatchWeights: Sendable, Equatable, Codable {
    public var grid: Double
    public var skill: Double
    public var distance: Double
    public var load: Double
    public var availability: Double
    public var rating: Double

    /// The defaults, out of 100: living in the grid and having the skill matter most (the
    /// seed's "网格员高效落单": a neighbour who can do it), then being close, free and on
    /// call now, then the residents' past ratings.
    public static let standard = DispatchWeights(
        grid: 25, skill: 30, distance: 15, load: 10, availability: 12, rating: 8)

    public init(grid: Double, skill: Double, distance: Double, load: Double, availability: Double, rating: Double) {
        self.grid = grid
        self.skill = skill
        self.distance = distance
        self.load = load
        self.availability = availability
        self.rating = rating
    }

    public func weight(_ f: DispatchFactor) -> Double {
        switch f {
        case .grid: grid
        case .skill: skill
        case .distance: distance
        case .load: load
        case .availability: availability
        case .rating: rating
        }
    }
}

/// One factor's part in a candidate's score, with the value it was given.
public struct FactorContribution: Sendable, Equatable, Codable {
    public let factor: DispatchFactor
    /// 0…1, before weighting.
    public let value: Double
    /// weight × value: what it adds to the score.
    public let points: Double
}

public struct RankedCandidate: Sendable, Equatable {
    public let id: UUID
    /// The sum of the contributions' points.
    public let score: Double
    public let contributions: [FactorContribution]
}

/// The ranking of volunteers for a service order, a pure function. Each factor's value:
///
/// - **grid**: 1 if they live in the household's grid, 0.5 in its community, 0.2 in its
///   street, else 0.
/// - **skill**: 1 if they registered the skill the service needs, else 0.
/// - **distance**: straight-line distance from their home to the household (equirectangular,
///   exact to well under a metre at this range), 1 at the door falling linearly to 0 at
///   `DispatchRanking.reach` (3 km, a 15-minute ride); 0 when either position is unknown.
/// - **load**: 1 / (1 + orders they have open): a free volunteer 1, one with two open 1/3.
/// - **availability**: 1 if the service's time falls in a slot they said they are free, else 0.
/// - **rating**: their residents' average rating mapped to 0…1 ((avg − 1) / 4), pulled toward
///   0.6 (a 3.4 average) by three imagined ratings, so one five-star service does not put a
///   newcomer above someone with fifty good ones; no ratings yet is 0.6.
///
/// Ties keep the input's order (the caller lists candidates in a stable order, by id).
public enum DispatchRanking {
    public static let reach = 3000.0
    static let priorValue = 0.6
    static let priorWeight = 3.0

    public static func values(_ c: DispatchCandidate, for r: DispatchRequest) -> [DispatchFactor: Double] {
        let context = Context(r)
        var v: [DispatchFactor: Double] = [:]
        for f in DispatchFactor.allCases { v[f] = context.value(f, c) }
        return v
    }

    public static func value(_ f: DispatchFactor, _ c: DispatchCandidate, _ r: DispatchRequest) -> Double {
        Context(r).value(f, c)
    }

    /// What every candidate is compared with, worked out once per request: the slot of its
    /// time (a calendar computation, too dear to repeat per candidate), its grid's digits, and
    /// the scale of a degree of longitude at its latitude.
    struct Context {
        let request: DispatchRequest
        let slot: (weekday: Int, slot: WeeklyAvailability.Slot)?
        let grid: [UInt8]
        let metresPerDegreeLat = 111_195.0
        let metresPerDegreeLon: Double

        init(_ r: DispatchRequest) {
            request = r
            let (weekday, slot) = WeeklyAvailability.place(r.at)
            self.slot = slot.map { (weekday, $0) }
            grid = Array(r.grid.utf8)
            metresPerDegreeLon = 111_195.0 * cos((r.place?.lat ?? 0) * .pi / 180)
        }

        /// How many leading digits of the candidate's grid match the request's.
        func sharedDigits(_ other: String) -> Int {
            var n = 0
            for (a, b) in zip(other.utf8, grid) {
                guard a == b else { break }
                n += 1
            }
            return n
        }

        func value(_ f: DispatchFactor, _ c: DispatchCandidate) -> Double {
            switch f {
            case .grid:
                let shared = sharedDigits(c.homeGrid)
                if shared >= 15 && c.homeGrid.utf8.count == grid.count { return 1 }
                if shared >= 12 { return 0.5 }
                if shared >= 9 { return 0.2 }
                return 0
            case .skill:
                return c.skills.contains(request.skill) ? 1 : 0
            case .distance:
                // Within a few kilometres the earth is flat enough: the equirectangular
                // distance differs from the great circle by far less than a metre.
                guard let a = c.home, let b = request.place else { return 0 }
                let dx = (a.lon - b.lon) * metresPerDegreeLon
                let dy = (a.lat - b.lat) * metresPerDegreeLat
                return max(0, 1 - (dx * dx + dy * dy).squareRoot() / reach)
            case .load:
                return 1 / (1 + Double(max(0, c.openOrders)))
            case .availability:
                guard let slot else { return 0 }
                return c.availability.contains(weekday: slot.weekday, slot: slot.slot) ? 1 : 0
            case .rating:
                let observed = Double(c.ratingSum) - Double(c.ratingCount)  // Σ (rating − 1)
                return (observed / 4 + priorValue * priorWeight) / (Double(c.ratingCount) + priorWeight)
            }
        }

        func score(_ c: DispatchCandidate, _ weights: DispatchWeights) -> RankedCandidate {
            var parts: [FactorContribution] = []
            parts.reserveCapacity(DispatchFactor.allCases.count)
            var total = 0.0
            for f in DispatchFactor.allCases {
                let v = value(f, c)
                let points = weights.weight(f) * v
                parts.append(FactorContribution(factor: f, value: v, points: points))
                total += points
            }
            return RankedCandidate(id: c.id, score: total, contributions: parts)
        }
    }

    /// One candidate's score and its parts.
    public static func score(_ c: DispatchCandidate, for r: DispatchRequest, weights: DispatchWeights = .standard)
        -> RankedCandidate
    {
        Context(r).score(c, weights)
    }

    /// The best `limit` candidates, best first, each with its factors. Runs in one pass over
    /// the candidates keeping the best few (3,500 volunteers: well under a millisecond).
    public static func rank(
        _ candidates: [DispatchCandidate], for r: DispatchRequest, weights: DispatchWeights = .standard,
        limit: Int = 10
    ) -> [RankedCandidate] {
        guard limit > 0 else { return [] }
        let context = Context(r)
        // Scores alone first (no arrays per candidate), then the parts for those kept.
        var best: [(score: Double, index: Int)] = []
        best.reserveCapacity(limit + 1)
        for (i, c) in candidates.enumerated() {
            var s = 0.0
            for f in DispatchFactor.allCases { s += weights.weight(f) * context.value(f, c) }
            if best.count == limit, let last = best.last, s <= last.score { continue }
            // Insert after every equal or better score: ties keep the input's order.
            var at = best.count
            while at > 0, best[at - 1].score < s { at -= 1 }
            best.insert((s, i), at: at)
            if best.count > limit { best.removeLast() }
        }
        return best.map { context.score(candidates[$0.index], weights) }
    }
}
