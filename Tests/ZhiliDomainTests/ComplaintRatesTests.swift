import Foundation
import Testing

@testable import ZhiliDomain

private let t0 = Date(timeIntervalSinceReferenceDate: 800_000_000)
private let signBy = t0.addingTimeInterval(2 * 3600)
private let resolveBy = t0.addingTimeInterval(24 * 3600)
private func before(_ date: Date) -> Date { date.addingTimeInterval(-60) }
private func after(_ date: Date) -> Date { date.addingTimeInterval(60) }

/// Ten complaints whose counts are worked out by hand in the comments.
/// Expected: dispatched 7 (#1–#7), in time 5 (#1 #2 #4 #5 #7), resolved 5 (#1 #2 #3 #4 #7),
/// resolved in time and not reopened 3 (#1 #3 #7), rated 4 (#1 #2 #3 #7), satisfied 2 (#1 #2).
private let sample: [RateInput] = [
    // 1: the model case — signed and resolved in time, rated 5.
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .closed, rating: 5,
        resolvedAt: before(resolveBy), resolveBy: resolveBy, reopened: false),
    // 2: resolved after the limit, but the resident was still satisfied (4).
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .closed, rating: 4,
        resolvedAt: after(resolveBy), resolveBy: resolveBy, reopened: false),
    // 3: signed late, resolved in time, rated 3 (not satisfied).
    RateInput(
        dispatchedAt: t0, signedAt: after(signBy), signBy: signBy, status: .closed, rating: 3,
        resolvedAt: before(resolveBy), resolveBy: resolveBy, reopened: false),
    // 4: resolved in time but had been reopened, not rated yet.
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .resolved, rating: nil,
        resolvedAt: before(resolveBy), resolveBy: resolveBy, reopened: true),
    // 5: signed exactly at the deadline (in time), still being handled.
    RateInput(
        dispatchedAt: t0, signedAt: signBy, signBy: signBy, status: .inProgress, rating: nil,
        resolvedAt: nil, resolveBy: resolveBy, reopened: false),
    // 6: dispatched, never signed.
    RateInput(
        dispatchedAt: t0, signedAt: nil, signBy: signBy, status: .dispatched, rating: nil,
        resolvedAt: nil, resolveBy: resolveBy, reopened: false),
    // 7: resolved exactly at the limit (in time), rated 1.
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .closed, rating: 1,
        resolvedAt: resolveBy, resolveBy: resolveBy, reopened: false),
    // 8: still in review, never dispatched.
    RateInput(
        dispatchedAt: nil, signedAt: nil, signBy: nil, status: .submitted, rating: nil,
        resolvedAt: nil, resolveBy: nil, reopened: false),
    // 9: dispatched, sent back, then rejected — left out entirely.
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .rejected, rating: nil,
        resolvedAt: nil, resolveBy: resolveBy, reopened: false),
    // 10: merged duplicate — left out entirely, even with timestamps and a rating.
    RateInput(
        dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .merged, rating: 5,
        resolvedAt: before(resolveBy), resolveBy: resolveBy, reopened: false),
]

@Suite struct ComplaintRatesTests {
    @Test func handMadeSetGivesTheWorkedOutCountsAndFractions() {
        let rates = ThreeRates.compute(sample)
        #expect(sample.count == 10)
        #expect(rates.dispatched == 7)
        #expect(rates.respondedInTime == 5)
        #expect(rates.resolvedCount == 5)
        #expect(rates.resolvedInTimeNotReopened == 3)
        #expect(rates.rated == 4)
        #expect(rates.satisfied == 2)
        #expect(rates.responseRate == 5.0 / 7.0)
        #expect(rates.resolutionRate == 3.0 / 7.0)
        #expect(rates.satisfactionRate == 0.5)
    }

    @Test func emptyInputHasNoRates() {
        let rates = ThreeRates.compute([RateInput]())
        #expect(rates == ThreeRates())
        #expect(rates.dispatched == 0 && rates.rated == 0)
        #expect(rates.responseRate == nil && rates.resolutionRate == nil && rates.satisfactionRate == nil)
    }

    @Test func onlyExcludedOrUndispatchedItemsStillGiveNilRates() {
        let rates = ThreeRates.compute(sample[7...9])
        #expect(rates == ThreeRates())
    }

    @Test func ratingsWithoutDispatchStillCountTowardSatisfactionOnly() {
        let rates = ThreeRates.compute([RateInput(status: .closed, rating: 4)])
        #expect(rates.dispatched == 0 && rates.responseRate == nil && rates.resolutionRate == nil)
        #expect(rates.rated == 1 && rates.satisfactionRate == 1)
    }

    @Test func invalidRatingsAndMissingDeadlinesDoNotCountAsGood() {
        let items = [
            RateInput(
                dispatchedAt: t0, signedAt: t0, signBy: nil, status: .closed, rating: 0,
                resolvedAt: t0, resolveBy: nil),
            RateInput(
                dispatchedAt: t0, signedAt: t0, signBy: signBy, status: .closed, rating: 6,
                resolvedAt: t0, resolveBy: resolveBy),
        ]
        let rates = ThreeRates.compute(items)
        #expect(rates.dispatched == 2)
        #expect(rates.respondedInTime == 1)
        #expect(rates.resolvedCount == 2)
        #expect(rates.resolvedInTimeNotReopened == 1)
        #expect(rates.rated == 0 && rates.satisfactionRate == nil)
        #expect(rates.responseRate == 0.5 && rates.resolutionRate == 0.5)
    }

    @Test func aReopenedComplaintBeingHandledAgainIsNotResolved() {
        let item = RateInput(
            dispatchedAt: t0, signedAt: before(signBy), signBy: signBy, status: .inProgress,
            resolvedAt: before(resolveBy), resolveBy: resolveBy, reopened: true)
        let rates = ThreeRates.compute([item])
        #expect(rates.resolvedCount == 0 && rates.resolvedInTimeNotReopened == 0 && rates.resolutionRate == 0)
        #expect(rates.responseRate == 1)
    }

    @Test func sumOfPartsEqualsTheWhole() {
        let whole = ThreeRates.compute(sample)
        for split in 0...sample.count {
            let a = ThreeRates.compute(sample[..<split])
            let b = ThreeRates.compute(sample[split...])
            #expect(a + b == whole, "split at \(split)")
            #expect(b + a == whole, "split at \(split)")
        }
        let odd = ThreeRates.compute(sample.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        let even = ThreeRates.compute(sample.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        #expect(odd + even == whole)
        #expect(whole + ThreeRates() == whole)
    }

    @Test func rollUpAddsCountsInsteadOfAveragingRates() {
        // A community with 1 of 1 in time and one with 1 of 9: averaging rates would say 55.6 %.
        let small = ThreeRates(dispatched: 1, respondedInTime: 1)
        let large = ThreeRates(dispatched: 9, respondedInTime: 1)
        #expect((small + large).responseRate == 0.2)
        #expect((small + large).dispatched == 10)
        #expect((small + large).satisfactionRate == nil)
    }

    @Test func ratesRoundTripThroughJSON() throws {
        let rates = ThreeRates.compute(sample)
        let data = try JSONEncoder().encode(rates)
        #expect(try JSONDecoder().decode(ThreeRates.self, from: data) == rates)
    }
}
