import Foundation
import ZhiliDomain

/// `zhili bench-dispatch`: how long one dispatch decision takes (ranking N volunteers for an
/// order, keeping the best ten with their factors). The volunteers are made up like the demo's
/// (a street of grids, two skills each, homes within a few kilometres, some load, availability
/// and ratings); the time is the median and p99 of M decisions, each for another order.
enum DispatchBench {
    static func run(_ loader: ConfigLoader) throws {
        let n = try loader.int("volunteers", default: 3500, range: 1...1_000_000)
        let m = try loader.int("decisions", default: 2000, range: 1...1_000_000)
        var rng = SeededGenerator(seed: 2026)
        let skills = ServiceCatalogue.skills
        func grid() -> String { "6209820010\(String(format: "%02d", rng.int(1...12)))00\(rng.int(1...7))" }
        let candidates = (0..<n).map { _ in
            DispatchCandidate(
                id: rng.uuid(), homeGrid: grid(), skills: [rng.pick(skills), rng.pick(skills)],
                home: GeoPoint(lat: 40.12 + rng.unitInterval() * 0.05, lon: 94.64 + rng.unitInterval() * 0.05),
                openOrders: rng.chance(0.8) ? 0 : rng.int(1...3),
                availability: WeeklyAvailability(bits: rng.int(0...((1 << 21) - 1))),
                ratingSum: 0, ratingCount: 0)
        }
        let items = ServiceCatalogue.items
        let requests = (0..<m).map { i in
            DispatchRequest(
                grid: grid(), skill: items[i % items.count].skill,
                place: GeoPoint(lat: 40.12 + rng.unitInterval() * 0.05, lon: 94.64 + rng.unitInterval() * 0.05),
                at: Date(timeIntervalSince1970: 1_796_781_600 + Double(rng.int(0...(7 * 86400)))))
        }
        var samples: [Double] = []
        samples.reserveCapacity(m)
        var checksum = 0.0
        let clock = ContinuousClock()
        for r in requests {
            let start = clock.now
            let top = DispatchRanking.rank(candidates, for: r, limit: 10)
            let took = clock.now - start
            checksum += top.first?.score ?? 0
            samples.append(Double(took.components.attoseconds) / 1e12 + Double(took.components.seconds) * 1e6)
        }
        samples.sort()
        func pct(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p / 100))] }
        print(
            String(
                format:
                    "{\"volunteers\": %d, \"decisions\": %d, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"checksum\": %.1f}",
                n, m, pct(50), pct(99), samples.last ?? 0, checksum))
    }
}
