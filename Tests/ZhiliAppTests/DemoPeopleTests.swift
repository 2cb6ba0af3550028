import Foundation
import Testing
import ZhiliDomain

@testable import ZhiliApp

private func people(
    seed: UInt64, count: Int, surname: String? = nil,
    years: ClosedRange<Int> = 1935...2024
) -> [DemoPerson] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        DemoPeople.person(using: &rng, divisionCode: "620982", surname: surname, birthYearRange: years)
    }
}

private func fingerprint(_ p: DemoPerson) -> String {
    [p.name, p.sex.rawValue, "\(p.birthYear)-\(p.birthMonth)-\(p.birthDay)", p.idNumber, p.phone, p.ethnicity]
        .joined(separator: "|")
}

// MARK: - SeededGenerator

@Test func splitMixSeedZeroStartsWithTheReferenceOutput() {
    var rng = SeededGenerator(seed: 0)
    #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
    #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
}

@Test func intStaysInRangeAndReachesBothEnds() {
    var rng = SeededGenerator(seed: 1)
    let draws = (0..<2_000).map { _ in rng.int(-3...3) }
    #expect(Set(draws) == Set(-3...3))
    #expect(rng.int(5...5) == 5)
    // The full range is the one span that wraps to zero internally.
    #expect(rng.int(Int.min...Int.max) != rng.int(Int.min...Int.max))
}

@Test func chanceHonoursCertaintyAndImpossibility() {
    var rng = SeededGenerator(seed: 2)
    #expect((0..<1_000).allSatisfy { _ in rng.chance(1) })
    #expect((0..<1_000).allSatisfy { _ in !rng.chance(0) })
    let hits = (0..<10_000).filter { _ in rng.chance(0.3) }.count
    #expect(hits > 2_700 && hits < 3_300)
}

@Test func weightedIndexNeverPicksZeroWeight() {
    var rng = SeededGenerator(seed: 3)
    let picks = (0..<5_000).map { _ in rng.weightedIndex([0, 1, 0, 3, -2, .nan]) }
    #expect(Set(picks) == [1, 3])
    let threes = picks.filter { $0 == 3 }.count
    #expect(threes > 3_500 && threes < 4_000)
    #expect(rng.weightedIndex([0, 0]) < 2)
}

@Test func pickReturnsAnElementOfTheArray() {
    var rng = SeededGenerator(seed: 4)
    let items = ["甲", "乙", "丙"]
    #expect(Set((0..<300).map { _ in rng.pick(items) }) == Set(items))
}

// MARK: - DemoPeople

@Test func sameSeedGivesTheSamePeople() {
    #expect(people(seed: 2026, count: 300).map(fingerprint) == people(seed: 2026, count: 300).map(fingerprint))
}

@Test func differentSeedsGiveDifferentPeople() {
    #expect(people(seed: 1, count: 50).map(fingerprint) != people(seed: 2, count: 50).map(fingerprint))
}

@Test func everyIDValidatesAndAgreesWithThePerson() throws {
    for person in people(seed: 11, count: 3_000) {
        let id = try ResidentIDNumber(validating: person.idNumber)
        #expect(id.value == person.idNumber)
        #expect(id.divisionCode == "620982")
        #expect(id.birthYear == person.birthYear)
        #expect(id.birthMonth == person.birthMonth)
        #expect(id.birthDay == person.birthDay)
        #expect(id.sex == person.sex)
    }
}

@Test func idSequenceDigitsStayInTheReservedDemoRange() {
    for person in people(seed: 12, count: 1_000) {
        let sequence = Int(person.idNumber.dropFirst(14).prefix(2))!
        #expect((90...99).contains(sequence))
    }
}

@Test func everyPhoneIsAValidMobile() {
    for person in people(seed: 13, count: 2_000) {
        #expect(PhoneNumber.isValidMobile(person.phone))
    }
}

@Test func birthYearsStayInTheRequestedRange() {
    let years = people(seed: 14, count: 1_000, years: 1980...1985).map(\.birthYear)
    #expect(years.allSatisfy { (1980...1985).contains($0) })
    #expect(Set(years).count == 6)
}

@Test func elderlyAreRarerThanWorkingAge() {
    let years = people(seed: 15, count: 5_000).map(\.birthYear)
    let over85 = years.filter { 2026 - $0 > 85 }.count
    let aged30to35 = years.filter { (30...35).contains(2026 - $0) }.count
    #expect(over85 < aged30to35)
}

@Test func givenSurnameIsUsed() {
    #expect(people(seed: 16, count: 100, surname: "欧阳").allSatisfy { $0.name.hasPrefix("欧阳") })
}

@Test func namesAreSurnamePlusOneOrTwoCharacters() {
    var rng = SeededGenerator(seed: 17)
    for _ in 0..<2_000 {
        let sex = rng.pick(Sex.allCases)
        let given = DemoPeople.givenName(sex: sex, birthYear: rng.int(1930...2024), using: &rng)
        #expect((1...2).contains(given.count))
    }
}

@Test func olderAndYoungerCohortsDrawFromDifferentNames() {
    var rng = SeededGenerator(seed: 18)
    let old = Set((0..<500).map { _ in DemoPeople.givenName(sex: .female, birthYear: 1945, using: &rng) })
    let young = Set((0..<500).map { _ in DemoPeople.givenName(sex: .female, birthYear: 2015, using: &rng) })
    #expect(old.isDisjoint(with: young))
    #expect(old.contains("秀英") && young.contains("子涵"))
}

@Test func unfortunateCombinationsAreNeverProduced() {
    #expect(!people(seed: 19, count: 3_000, surname: "杨", years: 1960...1979).contains { $0.name == "杨伟" })
    #expect(!people(seed: 20, count: 3_000, surname: "孙", years: 2005...2020).contains { $0.name.hasPrefix("孙子") })
    #expect(DemoPeople.isUnfortunate(surname: "杜", given: "子腾"))
    #expect(!DemoPeople.isUnfortunate(surname: "王", given: "子腾"))
}

@Test func surnamesFollowFrequency() {
    var rng = SeededGenerator(seed: 21)
    let draws = (0..<20_000).map { _ in DemoPeople.surname(using: &rng) }
    let wang = draws.filter { $0 == "王" }.count
    let tang = draws.filter { $0 == "汤" }.count
    #expect(wang > 1_000 && wang < 2_000)
    #expect(tang < wang / 20)
    #expect(Set(draws).count > 90)
}

@Test func ethnicityListHasTheFiftySixGroupsHanFirst() {
    #expect(DemoPeople.ethnicities.count == 56)
    #expect(Set(DemoPeople.ethnicities).count == 56)
    #expect(DemoPeople.ethnicities.first == "汉族")
    #expect(DemoPeople.ethnicities.allSatisfy { $0.hasSuffix("族") })
}

@Test func ethnicityMixIsMostlyHanWithGansuMinorities() {
    let groups = people(seed: 22, count: 5_000).map(\.ethnicity)
    let hanShare = Double(groups.filter { $0 == "汉族" }.count) / Double(groups.count)
    #expect(hanShare > 0.89 && hanShare < 0.95)
    #expect(Set(groups).isSuperset(of: ["回族", "藏族", "东乡族", "蒙古族"]))
    #expect(Set(groups).isSubset(of: Set(DemoPeople.ethnicities)))
}
