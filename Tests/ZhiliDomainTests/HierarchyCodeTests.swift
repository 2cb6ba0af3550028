import Foundation
import Testing

@testable import ZhiliDomain

private func code(_ raw: String) throws -> HierarchyCode {
    try HierarchyCode(validating: raw)
}

/// One code at every level, each the first child of the previous.
private func chainFromDunhuang() throws -> [HierarchyCode] {
    var chain = [try code("620982")]
    while chain.last!.level.child != nil {
        chain.append(try chain.last!.child(serial: 1))
    }
    return chain
}

@Test func everyLevelExtendsItsParentBySegmentLength() {
    for level in NodeLevel.allCases {
        let parentLength = level.parent?.codeLength ?? 0
        #expect(level.codeLength == parentLength + level.segmentLength)
        #expect(NodeLevel(codeLength: level.codeLength) == level)
    }
    #expect(NodeLevel.allCases.map(\.codeLength) == [6, 9, 12, 15, 18, 21, 23, 27])
}

@Test func levelsOrderFromCityDownToHousehold() {
    #expect(NodeLevel.city < NodeLevel.street)
    #expect(NodeLevel.unit < NodeLevel.household)
    #expect(NodeLevel.allCases.sorted() == NodeLevel.allCases)
    #expect(NodeLevel.city.parent == nil && NodeLevel.household.child == nil)
    #expect(NodeLevel.grid.parent == .community && NodeLevel.grid.child == .compound)
    #expect(NodeLevel.street.nameZh == "街道/镇" && NodeLevel.household.nameZh == "户")
    #expect(NodeLevel.street.maxSerial == 999)
    #expect(NodeLevel.unit.maxSerial == 99)
    #expect(NodeLevel.household.maxSerial == 9999)
}

@Test(arguments: [7, 8, 10, 22, 26, 28])
func lengthsBetweenLevelsAreRejected(length: Int) {
    let raw = "620982" + String(repeating: "1", count: length - 6)
    #expect(throws: HierarchyCodeError.badLength(length)) { try code(raw) }
}

@Test func validCodeAtEachLevelReportsThatLevel() throws {
    let chain = try chainFromDunhuang()
    #expect(chain.map(\.level) == NodeLevel.allCases)
    #expect(chain.last?.value == "620982001001001001001010001")
    for c in chain { #expect(try code(c.value) == c) }
}

@Test func surroundingWhitespaceIsTrimmed() throws {
    #expect(try code("  620982001\n").value == "620982001")
}

@Test func blankInputIsEmpty() {
    #expect(throws: HierarchyCodeError.empty) { try code("") }
    #expect(throws: HierarchyCodeError.empty) { try code(" \t ") }
}

@Test(arguments: ["62098a", "620982-01", "６２０９８２", "620 982"])
func nonDigitsAreRejected(raw: String) {
    #expect(throws: HierarchyCodeError.notDigits) { try code(raw) }
}

@Test func allZeroSegmentNamesTheLevelItBelongsTo() {
    #expect(throws: HierarchyCodeError.zeroSerial(.street)) { try code("620982000") }
    #expect(throws: HierarchyCodeError.zeroSerial(.community)) { try code("620982001000001") }
    #expect(throws: HierarchyCodeError.zeroSerial(.unit)) { try code("62098200100100100100100") }
    #expect(throws: HierarchyCodeError.zeroSerial(.household)) { try code("620982001001001001001010000") }
}

@Test func unknownProvinceOrBareProvinceIsBadDivision() {
    #expect(throws: HierarchyCodeError.badDivision("990982")) { try code("990982001") }
    #expect(throws: HierarchyCodeError.badDivision("620000")) { try code("620000") }
}

@Test(arguments: [
    ("620982", true), ("620900", true), ("110101", true), ("710100", true), ("820100", true),
    ("620000", false), ("160101", false), ("720101", false), ("00982", false), ("6209821", false),
    ("62o982", false), ("", false),
])
func divisionCodeNeedsKnownProvinceAndNonZeroTail(raw: String, valid: Bool) {
    #expect(HierarchyCode.isValidDivisionCode(raw) == valid)
}

@Test func parentDropsTheLastSegment() throws {
    let household = try code("620982001002003004005060007")
    #expect(household.parent?.value == "62098200100200300400506")
    #expect(try code("620982").parent == nil)
    #expect(try code("620982001").parent?.value == "620982")
}

@Test func serialIsTheLastSegment() throws {
    #expect(try code("620982").serial == 620982)
    #expect(try code("620982017").serial == 17)
    #expect(try code("620982001002003004005060007").serial == 7)
    #expect(try code("62098200100200300400506").serial == 6)
}

@Test func childPadsSerialToSegmentWidth() throws {
    let building = try code("620982001002003004005")
    #expect(try building.child(serial: 7).value == "62098200100200300400507")
    #expect(try building.child(serial: 99).value == "62098200100200300400599")
    let unit = try building.child(serial: 1)
    #expect(try unit.child(serial: 9999).value == "620982001002003004005019999")
}

@Test func childSerialOutsideTheSegmentIsRejected() throws {
    let building = try code("620982001002003004005")
    #expect(throws: HierarchyCodeError.serialOutOfRange(.unit, 100)) { try building.child(serial: 100) }
    #expect(throws: HierarchyCodeError.serialOutOfRange(.unit, -1)) { try building.child(serial: -1) }
    #expect(throws: HierarchyCodeError.zeroSerial(.unit)) { try building.child(serial: 0) }
    #expect(throws: HierarchyCodeError.serialOutOfRange(.street, 1000)) { try code("620982").child(serial: 1000) }
}

@Test func householdHasNoChildLevel() throws {
    let household = try chainFromDunhuang().last!
    #expect(throws: HierarchyCodeError.notAChildLevel) { try household.child(serial: 1) }
}

@Test func containsSelfAndDescendantsOnly() throws {
    let street = try code("620982001")
    #expect(street.contains(street))
    #expect(street.contains(try code("620982001002")))
    #expect(street.contains(try code("620982001002003004005060007")))
    #expect(!street.contains(try code("620982002001")))
    #expect(!street.contains(try code("620982")))
    #expect(try code("620982").contains(street))
}

@Test func ancestorsRunFromCityToParent() throws {
    let chain = try chainFromDunhuang()
    #expect(chain.last!.ancestors == Array(chain.dropLast()))
    #expect(try code("620982").ancestors.isEmpty)
}

@Test func subtreeIsOneContiguousRangeBeforeTheNextSibling() throws {
    let street = try code("620982001")
    let next = try code("620982002")
    let descendants = try [
        "620982001001", "620982001999", "620982001999999999999", "62098200199999999999999",
        "620982001999999999999999999", "620982001001001001001010001",
    ].map(code)
    for d in descendants {
        #expect(street.value < d.value && d.value < street.rangeUpperBound)
    }
    #expect(street.rangeUpperBound == "620982001:")
    #expect(street.rangeUpperBound < next.value)
}

@Test func codesSortByValue() throws {
    let codes = try ["620982002", "620982001002", "620982001", "620982"].map(code)
    #expect(codes.sorted().map(\.value) == ["620982", "620982001", "620982001002", "620982002"])
}

@Test func codableUsesAPlainStringAndValidatesOnDecode() throws {
    let street = try code("620982001")
    let data = try JSONEncoder().encode([street])
    #expect(String(decoding: data, as: UTF8.self) == #"["620982001"]"#)
    #expect(try JSONDecoder().decode([HierarchyCode].self, from: data) == [street])
    #expect(throws: DecodingError.self) {
        try JSONDecoder().decode([HierarchyCode].self, from: Data(#"["620982000"]"#.utf8))
    }
}

@Suite("Hierarchy code pattern: the validator's rules as a regular expression")
struct HierarchyCodePatternTests {
    private func matches(_ code: String) -> Bool {
        code.range(of: HierarchyCode.pattern, options: .regularExpression) != nil
    }

    @Test(arguments: [
        "620982", "620982001", "620982001001", "620982001001001", "620982001001001001",
        "620982001001001001001", "62098200100100100100101", "620982001001001001001010001", "110101",
    ])
    func validCodesMatch(code: String) throws {
        _ = try HierarchyCode(validating: code)
        #expect(matches(code))
    }

    @Test(arguments: [
        "000000", "620000", "990982", "6209820", "620982000", "620982001000", "62098200100100100100100",
        "620982001001001001001010000", "62098a", "",
    ])
    func invalidCodesDoNotMatch(code: String) {
        #expect((try? HierarchyCode(validating: code)) == nil)
        #expect(!matches(code))
    }
}
