import Foundation
import Testing
import ZhiliDomain

@testable import ZhiliApp

@Suite("Demo city")
struct DemoTests {
    @Test func demoIdentityNumbersAreValidUniqueAndMatchTheRecord() throws {
        var rng = SeededGenerator(seed: 7)
        var spec = DemoSpec.tiny
        spec.households = 2_000
        spec.residents = 6_000
        spec.buildings = 60
        let geography = DemoGeography(spec: spec, rng: &rng)
        let population = DemoPopulation(spec: spec, geography: geography, rng: &rng)
        #expect(population.residents.count == spec.residents)
        #expect(Set(population.residents.map(\.idNumber)).count == population.residents.count)
        for r in population.residents {
            let id = try ResidentIDNumber(validating: r.idNumber)
            #expect(id.sex.rawValue == r.sex)
            #expect(String(format: "%04d-%02d-%02d", id.birthYear, id.birthMonth, id.birthDay) == r.birthDate)
            #expect(
                ["9"].contains(r.idNumber.dropFirst(14).prefix(1)), "demo IDs use the reserved 90–99 sequence range")
        }
    }

    @Test func fiftyPeopleBornTheSameDayGetDistinctNumbersThenTheDayMoves() throws {
        let ids = (0..<50).map {
            DemoPopulation.demoID(division: "620982", year: 1980, month: 5, day: 6, variant: $0, sex: .female)
        }
        #expect(Set(ids).count == 50)
        for id in ids { #expect(try ResidentIDNumber(validating: id).sex == .female) }
    }

    @Test func sameSeedGivesTheSameCity() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        let ga = DemoGeography(spec: .tiny, rng: &a)
        let gb = DemoGeography(spec: .tiny, rng: &b)
        #expect(ga.nodes.map(\.code) == gb.nodes.map(\.code))
        #expect(ga.nodes.map(\.name) == gb.nodes.map(\.name))
        #expect(ga.households.map(\.code) == gb.households.map(\.code))
    }
}
