/// SplitMix64. Every helper below derives its result from `next()` with
/// integer arithmetic of our own rather than the standard library's
/// `random(in:using:)`, whose algorithm may change between Swift releases;
/// the same seed must rebuild the same demo city everywhere, forever.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform over the whole range, without modulo bias.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        // span wraps to 0 only for the full Int range, where every value is fair.
        guard span != 0 else { return Int(bitPattern: UInt(next())) }
        return range.lowerBound &+ Int(bitPattern: UInt(uniform(below: span)))
    }

    /// Lemire's multiply-and-reject method.
    private mutating func uniform(below bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    public mutating func chance(_ p: Double) -> Bool {
        unitInterval() < p
    }

    /// Traps on an empty array: there is nothing sensible to return.
    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty array")
        return items[int(0...(items.count - 1))]
    }

    /// Negative or non-finite weights count as zero. If nothing has weight the
    /// choice is uniform, so callers never get an index outside the array.
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        precondition(!weights.isEmpty, "weightedIndex over no weights")
        let usable = weights.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        let total = usable.reduce(0, +)
        guard total > 0, total.isFinite else { return int(0...(weights.count - 1)) }
        var remaining = unitInterval() * total
        for (index, weight) in usable.enumerated() where weight > 0 {
            if remaining < weight { return index }
            remaining -= weight
        }
        // Rounding can leave a sliver past the last weight; it belongs to the last candidate.
        return usable.lastIndex(where: { $0 > 0 }) ?? 0
    }
}
