import Foundation
import Testing

@testable import ZhiliDomain

@Suite("Dispatch ranking: which volunteer is sent for a service")
struct DispatchRankingTests {
    static let grid = "620982001001001"
    /// A Wednesday, 10:00 in Beijing (02:00 UTC): a morning slot.
    static let wednesdayMorning = Date(timeIntervalSince1970: 1_796_781_600)
    static let door = GeoPoint(lat: 40.1420, lon: 94.6620)

    static func candidate(
        _ n: Int, grid: String = grid, skills: Set<String> = ["水电维修"], home: GeoPoint? = door, open: Int = 0,
        availability: WeeklyAvailability = .all, ratings: [Int] = []
    ) -> DispatchCandidate {
        DispatchCandidate(
            id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, homeGrid: grid, skills: skills,
            home: home, openOrders: open, availability: availability, ratingSum: ratings.reduce(0, +),
            ratingCount: ratings.count)
    }

    static let request = DispatchRequest(grid: grid, skill: "水电维修", place: door, at: wednesdayMorning)

    func order(_ candidates: [DispatchCandidate], _ r: DispatchRequest = request) -> [Int] {
        DispatchRanking.rank(candidates, for: r, limit: candidates.count).map {
            Int($0.id.uuidString.suffix(12))!
        }
    }

    @Test func theMomentFallsInTheSlotItShould() {
        let (weekday, slot) = WeeklyAvailability.place(Self.wednesdayMorning)
        #expect(weekday == 3 && slot == .morning)
        #expect(WeeklyAvailability.place(Self.wednesdayMorning.addingTimeInterval(13 * 3600)).slot == nil)  // 23:00
        let wednesdays = WeeklyAvailability([(3, .morning)])
        #expect(wednesdays.covers(Self.wednesdayMorning))
        #expect(!wednesdays.covers(Self.wednesdayMorning.addingTimeInterval(86400)))
        #expect(WeeklyAvailability.all.slotCount == 21)
    }

    @Test func eachFactorMovesTheOrderAsItShould() {
        let base = Self.candidate(1)
        // Each line: a candidate worse than `base` in one factor only.
        let worse: [(DispatchFactor, DispatchCandidate)] = [
            (.grid, Self.candidate(2, grid: "620982001001002")),
            (.skill, Self.candidate(3, skills: ["理发"])),
            (.distance, Self.candidate(4, home: GeoPoint(lat: 40.1600, lon: 94.6620))),
            (.load, Self.candidate(5, open: 2)),
            (.availability, Self.candidate(6, availability: WeeklyAvailability([(6, .evening)]))),
            (.rating, Self.candidate(7, ratings: [1, 2, 1])),
        ]
        for (factor, other) in worse {
            // Whichever comes first in the input, the better one is ranked first.
            #expect(order([other, base]).first == 1, "\(factor)")
            #expect(order([base, other]).first == 1, "\(factor)")
            let a = DispatchRanking.score(base, for: Self.request)
            let b = DispatchRanking.score(other, for: Self.request)
            for f in DispatchFactor.allCases where f != factor {
                #expect(
                    a.contributions.first { $0.factor == f }?.points
                        == b.contributions.first { $0.factor == f }?.points,
                    "\(factor) should move only itself, \(f) moved")
            }
        }
    }

    @Test func gridThenCommunityThenStreet() {
        let candidates = [
            Self.candidate(1, grid: "620982002001001"),  // another street
            Self.candidate(2, grid: "620982001002001"),  // same street
            Self.candidate(3, grid: "620982001001009"),  // same community
            Self.candidate(4),
        ]
        #expect(order(candidates) == [4, 3, 2, 1])
        let values = candidates.map { DispatchRanking.value(.grid, $0, Self.request) }
        #expect(values == [0, 0.2, 0.5, 1])
    }

    @Test func distanceFallsToNothingAtTheReachAndUnknownCountsNothing() {
        let far = Self.candidate(1, home: GeoPoint(lat: 40.1420 + 0.04, lon: 94.6620))  // about 4.4 km
        #expect(DispatchRanking.value(.distance, far, Self.request) == 0)
        #expect(DispatchRanking.value(.distance, Self.candidate(2, home: nil), Self.request) == 0)
        #expect(DispatchRanking.value(.distance, Self.candidate(3), Self.request) == 1)
        let near = Self.candidate(4, home: GeoPoint(lat: 40.1420 + 0.0135, lon: 94.6620))  // about 1.5 km
        #expect(abs(DispatchRanking.value(.distance, near, Self.request) - 0.5) < 0.01)
    }

    @Test func aNewcomersFirstFiveStarsDoNotBeatALongGoodRecord() {
        let newcomer = Self.candidate(1, ratings: [5])
        let veteran = Self.candidate(2, ratings: Array(repeating: 5, count: 40) + Array(repeating: 4, count: 10))
        let none = Self.candidate(3)
        #expect(order([newcomer, veteran, none]) == [2, 1, 3])
        #expect(DispatchRanking.value(.rating, none, Self.request) == 0.6)
        let perfect = Self.candidate(4, ratings: Array(repeating: 5, count: 1000))
        #expect(DispatchRanking.value(.rating, perfect, Self.request) > 0.99)
    }

    @Test func tiesKeepTheInputOrderAndTheLimitKeepsTheBest() {
        let same = (1...20).map { Self.candidate($0) }
        #expect(order(same) == Array(1...20))
        #expect(order(same.reversed()) == Array((1...20).reversed()))
        let mixed = (1...50).map { Self.candidate($0, open: $0 % 5) }
        let top = DispatchRanking.rank(mixed, for: Self.request, limit: 5)
        let all = DispatchRanking.rank(mixed, for: Self.request, limit: 50)
        #expect(top == Array(all.prefix(5)))
        #expect(top.allSatisfy { $0.score == all[0].score })
        #expect(DispatchRanking.rank(mixed, for: Self.request, limit: 0).isEmpty)
    }

    @Test func theReasonsShownAddUpToTheScore() {
        var rng = SeededGenerator(seed: 7)
        let skills = ServiceCatalogue.skills
        let candidates = (1...300).map { n in
            Self.candidate(
                n, grid: "62098200100100\(rng.int(1...9))", skills: [rng.pick(skills), rng.pick(skills)],
                home: GeoPoint(lat: 40.13 + rng.unitInterval() * 0.03, lon: 94.65 + rng.unitInterval() * 0.03),
                open: rng.int(0...3), availability: WeeklyAvailability(bits: rng.int(0...((1 << 21) - 1))),
                ratings: (0..<rng.int(0...6)).map { _ in rng.int(1...5) })
        }
        let ranked = DispatchRanking.rank(candidates, for: Self.request, limit: 300)
        #expect(ranked.count == 300)
        for r in ranked {
            #expect(r.contributions.map(\.factor) == DispatchFactor.allCases)
            #expect(r.contributions.reduce(0) { $0 + $1.points } == r.score)
            #expect(r.score <= 100 + 1e-9 && r.score >= 0)
        }
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func theCatalogueHasTheSeedsItemsEachWithAKnownSkill() {
        let items = ServiceCatalogue.items
        #expect(items.count >= 130)
        #expect(Set(items.map(\.code)).count == items.count)
        #expect(items.allSatisfy { ServiceCatalogue.skills.contains($0.skill) && $0.minutes > 0 })
        for name in ["政策宣讲", "环境整治", "调解纠纷", "助老陪伴", "小修小补", "课业辅导", "法律咨询", "健康义诊"] {
            #expect(ServiceCatalogue.categories.contains { $0.name == name }, "\(name)")
        }
        #expect(ServiceCatalogue.item("repair.04")?.name == "下水道疏通")
    }
}
