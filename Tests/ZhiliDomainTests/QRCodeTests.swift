import Testing

@testable import ZhiliDomain

@Suite("QR code known answers")
struct QRCodeKnownAnswerTests {
    @Test func helloWorldVersion1MediumCodewords() {
        let data = QRCode.dataCodewords(
            Array("HELLO WORLD".utf8), mode: .alphanumeric, version: 1, correction: .medium)
        #expect(data == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17])
        #expect(
            QRCode.ReedSolomon.remainder(of: data, degree: 10)
                == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    /// The worked example of the standard's Annex I: "01234567" as 1-M.
    @Test func numericAnnexExampleCodewords() {
        let data = QRCode.dataCodewords(
            Array("01234567".utf8), mode: .numeric, version: 1, correction: .medium)
        #expect(data == [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17])
        #expect(
            QRCode.ReedSolomon.remainder(of: data, degree: 10)
                == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func formatInformationMatchesTableC1() {
        let expected: [QRErrorCorrection: [Int]] = [
            .low: [0x77C4, 0x72F3, 0x7DAA, 0x789D, 0x662F, 0x6318, 0x6C41, 0x6976],
            .medium: [0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0],
            .quartile: [0x355F, 0x3068, 0x3F31, 0x3A06, 0x24B4, 0x2183, 0x2EDA, 0x2BED],
            .high: [0x1689, 0x13BE, 0x1CE7, 0x19D0, 0x0762, 0x0255, 0x0D0C, 0x083B],
        ]
        for (level, words) in expected {
            #expect((0..<8).map { QRCode.formatBits(correction: level, mask: $0) } == words)
        }
    }

    @Test func versionInformationMatchesTableD1() {
        #expect(QRCode.versionBits(version: 7) == 0x07C94)
        #expect(QRCode.versionBits(version: 8) == 0x085BC)
        #expect(QRCode.versionBits(version: 21) == 0x15683)
        #expect(QRCode.versionBits(version: 40) == 0x28C69)
    }

    @Test func characterCountWidthsMatchTable3() {
        let versions = [9, 10, 26, 27]
        #expect(versions.map { QRCode.Mode.numeric.countBits(version: $0) } == [10, 12, 12, 14])
        #expect(versions.map { QRCode.Mode.alphanumeric.countBits(version: $0) } == [9, 11, 11, 13])
        #expect(versions.map { QRCode.Mode.byte.countBits(version: $0) } == [8, 16, 16, 16])
    }

    /// Hand-scored grids pin each mask penalty rule (§7.8.3).
    @Test func penaltyRulesScoreHandComputedGrids() {
        var matrix = QRCode.Matrix(version: 1)
        matrix.dark = Array(repeating: true, count: 21 * 21)
        // Rule 1: 42 lines of one 21-run; rule 2: 400 blocks; rule 4: 50% off balance.
        #expect(matrix.penalty == 42 * 19 + 400 * 3 + 100)

        // One 1:1:3:1:1 pattern in row 10, columns 5...11, on an otherwise light grid.
        matrix.dark = Array(repeating: false, count: 21 * 21)
        for x in [5, 7, 8, 9, 11] { matrix.dark[10 * 21 + x] = true }
        let rule1 = 20 * 19 + (3 + 7) + 16 * 19 + 5 * (8 + 8)
        let rule2 = (400 - 16) * 3
        let rule3 = 40 + 40  // four light modules on both sides
        let rule4 = 9 * 10  // 5/441 dark is 48.9% off balance
        #expect(matrix.penalty == rule1 + rule2 + rule3 + rule4)
    }

    @Test func alignmentPositionsMatchAnnexE() {
        #expect(QRCode.alignmentPositions(version: 1) == [])
        #expect(QRCode.alignmentPositions(version: 2) == [6, 18])
        #expect(QRCode.alignmentPositions(version: 7) == [6, 22, 38])
        #expect(QRCode.alignmentPositions(version: 16) == [6, 26, 50, 74])
        #expect(QRCode.alignmentPositions(version: 22) == [6, 26, 50, 74, 98])
        #expect(QRCode.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRCode.alignmentPositions(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRCode.alignmentPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test func capacitiesMatchTable7() {
        #expect(QRCode.dataCodewordCount(version: 1, correction: .medium) == 16)
        #expect(QRCode.dataCodewordCount(version: 5, correction: .quartile) == 62)
        #expect(QRCode.dataCodewordCount(version: 10, correction: .medium) == 216)
        #expect(QRCode.dataCodewordCount(version: 40, correction: .low) == 2956)
        #expect(QRCode.dataCodewordCount(version: 40, correction: .high) == 1276)
        #expect(QRCode.rawDataModules(version: 40) / 8 == 3706)
    }

    /// The counting formula must agree with the modules the layout actually leaves free.
    @Test(arguments: 1...40) func rawModuleCountMatchesLayout(version: Int) {
        let matrix = QRCode.Matrix(version: version)
        #expect(matrix.reserved.filter { !$0 }.count == QRCode.rawDataModules(version: version))
    }

    /// Independent check of RS and interleaving: de-interleave, then every block's
    /// codeword polynomial must vanish at α^0 ... α^(ec−1).
    @Test(arguments: [QRErrorCorrection.low, .medium, .quartile, .high])
    func everyBlockIsAValidCodeword(correction: QRErrorCorrection) {
        for version in 1...40 {
            let dataCount = QRCode.dataCodewordCount(version: version, correction: correction)
            let data = (0..<dataCount).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ version) }
            let all = QRCode.interleavedCodewords(data: data, version: version, correction: correction)
            let blocks = QRCode.blockCount(version: version, correction: correction)
            let ec = QRCode.ecCodewordsPerBlock(version: version, correction: correction)
            #expect(all.count == QRCode.rawDataModules(version: version) / 8)

            let longBlocks = all.count % blocks
            let dataLengths = (0..<blocks).map { all.count / blocks - ec + ($0 >= blocks - longBlocks ? 1 : 0) }
            var split = [[UInt8]](repeating: [], count: blocks)
            var cursor = 0
            for column in 0..<dataLengths.max()! {
                for block in 0..<blocks where column < dataLengths[block] {
                    split[block].append(all[cursor])
                    cursor += 1
                }
            }
            for _ in 0..<ec {
                for block in 0..<blocks {
                    split[block].append(all[cursor])
                    cursor += 1
                }
            }
            #expect(split.enumerated().flatMap { Array($1.prefix(dataLengths[$0])) } == data)

            for codeword in split {
                for power in 0..<ec {
                    let root = QRCode.GaloisField.exp[power]
                    let syndrome = codeword.reduce(UInt8(0)) { QRCode.GaloisField.multiply($0, root) ^ $1 }
                    #expect(syndrome == 0, "version \(version) syndrome \(power)")
                }
            }
        }
    }
}

@Suite("QR code structure")
struct QRCodeStructureTests {
    let householdCode = "620982001001001001001010001"
    let address = "敦煌市沙州镇阳关社区3号楼2单元501"

    @Test(arguments: [1, 2, 6, 7, 14, 40])
    func sizeFollowsVersion(version: Int) throws {
        let code = try QRCode(
            bytes: Array("zhili".utf8), correction: .low,
            minimumVersion: version, forcedMask: nil)
        #expect(code.version == version)
        #expect(code.size == 4 * version + 17)
    }

    @Test(arguments: [1, 7, 25])
    func finderSeparatorTimingAndDarkModule(version: Int) throws {
        let code = try QRCode(
            bytes: Array(householdCode.utf8), correction: .medium,
            minimumVersion: version, forcedMask: nil)
        let last = code.size - 1
        for (left, top) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            for dy in -1...7 {
                for dx in -1...7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    let expected = ring <= 1 || ring == 3
                    #expect(code[left + dx, top + dy] == expected, "finder (\(left),\(top)) +\(dx),\(dy)")
                }
            }
        }
        for i in 8...(last - 8) {
            #expect(code[i, 6] == (i % 2 == 0))
            #expect(code[6, i] == (i % 2 == 0))
        }
        #expect(code[8, code.size - 8])
    }

    @Test func alignmentPatternsAreDrawn() throws {
        let code = try QRCode(
            bytes: Array(householdCode.utf8), correction: .medium,
            minimumVersion: 7, forcedMask: nil)
        for (cx, cy) in [(22, 6), (6, 22), (22, 22), (38, 22), (22, 38), (38, 38)] {
            for dy in -2...2 {
                for dx in -2...2 {
                    #expect(code[cx + dx, cy + dy] == (max(abs(dx), abs(dy)) != 1))
                }
            }
        }
    }

    @Test(arguments: [(1, QRErrorCorrection.low), (7, .quartile), (33, .high)])
    func formatAndVersionCopiesReadBack(version: Int, correction: QRErrorCorrection) throws {
        let code = try QRCode(
            bytes: Array(address.utf8), correction: correction,
            minimumVersion: version, forcedMask: nil)
        let s = code.size
        // Coordinates of format bits 14 ... 0 in each copy, read as in Figure 25.
        let first = [
            (0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8),
            (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0),
        ]
        let second = (0..<7).map { (8, s - 1 - $0) } + (0..<8).map { (s - 8 + $0, 8) }
        let read = { (cells: [(Int, Int)]) in cells.reduce(0) { $0 << 1 | (code[$1.0, $1.1] ? 1 : 0) } }
        let expected = QRCode.formatBits(correction: correction, mask: code.mask)
        #expect(read(first) == expected)
        #expect(read(second) == expected)

        guard version >= 7 else { return }
        // Bit 17 first: bottom-left block column-major from its right edge, top-right transposed.
        let bottomLeft = (0..<18).reversed().map { (($0 / 3), s - 11 + $0 % 3) }
        let topRight = bottomLeft.map { ($0.1, $0.0) }
        #expect(read(bottomLeft) == QRCode.versionBits(version: version))
        #expect(read(topRight) == QRCode.versionBits(version: version))
    }

    /// Undo each mask with Table 10's conditions and walk the zigzag independently:
    /// the bits must be exactly the interleaved codewords.
    @Test(arguments: 0..<8) func dataReadsBackUnderEveryMask(mask: Int) throws {
        let bytes = Array(address.utf8)
        let code = try QRCode(bytes: bytes, correction: .quartile, minimumVersion: 7, forcedMask: mask)
        let data = QRCode.dataCodewords(bytes, mode: .byte, version: 7, correction: .quartile)
        let expected = QRCode.interleavedCodewords(data: data, version: 7, correction: .quartile)
        let reserved = QRCode.Matrix(version: 7).reserved
        let conditions: [(Int, Int) -> Bool] = [
            { i, j in (i + j) % 2 == 0 }, { i, _ in i % 2 == 0 }, { _, j in j % 3 == 0 },
            { i, j in (i + j) % 3 == 0 }, { i, j in (i / 2 + j / 3) % 2 == 0 },
            { i, j in (i * j) % 2 + (i * j) % 3 == 0 }, { i, j in ((i * j) % 2 + (i * j) % 3) % 2 == 0 },
            { i, j in ((i + j) % 2 + (i * j) % 3) % 2 == 0 },
        ]
        let rightColumns = Array(stride(from: code.size - 1, to: 6, by: -2)) + [5, 3, 1]
        var bits: [Bool] = []
        for (index, right) in rightColumns.enumerated() {
            let rows = index % 2 == 0 ? Array((0..<code.size).reversed()) : Array(0..<code.size)
            for y in rows {
                for x in [right, right - 1] where !reserved[y * code.size + x] {
                    bits.append(code[x, y] != conditions[mask](y, x))
                }
            }
        }
        let read = stride(from: 0, to: bits.count - 7, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        #expect(read == expected)
    }

    /// Recorded from an encode that zbarimg decoded back to the household code.
    @Test func householdCodeGoldenSymbol() throws {
        let golden = [
            "#######.#..##.#######", "#.....#..###..#.....#", "#.###.#...#...#.###.#",
            "#.###.#.#####.#.###.#", "#.###.#.#####.#.###.#", "#.....#.###.#.#.....#",
            "#######.#.#.#.#######", "........##...........", "#...#.#####.######..#",
            ".#.#...#....#.#..#.##", ".##.###..#..#..##.###", ".#..#...#####..##...#",
            "#..####.##.#.##..##.#", "........#.#.####...#.", "#######.####.#.###.##",
            "#.....#..###...###..#", "#.###.#.#.#.###...#.#", "#.###.#..######...###",
            "#.###.#..#.#..#.#....", "#.....#..#.#..####.#.", "#######.###.###...###",
        ]
        let code = try QRCode(text: householdCode)
        let rows = (0..<code.size).map { y in String((0..<code.size).map { code[$0, y] ? "#" : "." }) }
        #expect(rows == golden)
    }

    @Test func chosenMaskHasLowestPenalty() throws {
        let best = try QRCode(text: address)
        for mask in 0..<8 {
            let other = try QRCode(
                bytes: Array(address.utf8), correction: .medium,
                minimumVersion: 1, forcedMask: mask)
            #expect(best.penalty <= other.penalty, "mask \(mask)")
        }
    }

    @Test func householdCodeUsesNumericModeAndFitsVersion1() throws {
        #expect(QRCode.Mode.best(for: Array(householdCode.utf8)) == .numeric)
        let code = try QRCode(text: householdCode)
        #expect(code.version == 1)
        #expect(code.size == 21)
    }

    @Test func chineseAddressUsesByteMode() throws {
        #expect(QRCode.Mode.best(for: Array(address.utf8)) == .byte)
        // 47 UTF-8 bytes: over the 42-byte limit of 3-M, within the 62 of 4-M.
        let code = try QRCode(text: address)
        #expect(code.version == 4)
        #expect(code.size == 33)
    }

    @Test func modeSelectionPrefersCompactModes() {
        #expect(QRCode.Mode.best(for: Array("HTTP://ZHILI.CN/H/1".utf8)) == .alphanumeric)
        #expect(QRCode.Mode.best(for: Array("http://zhili.cn/h/1".utf8)) == .byte)
        #expect(QRCode.Mode.best(for: []) == .numeric)
    }

    @Test func capacityLimitsPerVersion() throws {
        #expect(try QRCode(text: String(repeating: "7", count: 41), correction: .low).version == 1)
        #expect(try QRCode(text: String(repeating: "7", count: 42), correction: .low).version == 2)
        #expect(try QRCode(text: String(repeating: "a", count: 17), correction: .low).version == 1)
        #expect(try QRCode(text: String(repeating: "a", count: 18), correction: .low).version == 2)
        #expect(try QRCode(bytes: [UInt8](repeating: 0xE5, count: 2953), correction: .low).version == 40)
        #expect(try QRCode(bytes: [UInt8](repeating: 0xE5, count: 1273), correction: .high).version == 40)
    }

    @Test func rejectsDataBeyondVersion40() {
        #expect(throws: QRCodeError.dataTooLong) {
            try QRCode(bytes: [UInt8](repeating: 0x61, count: 3000), correction: .high)
        }
        #expect(throws: QRCodeError.dataTooLong) {
            try QRCode(bytes: [UInt8](repeating: 0x61, count: 1274), correction: .high)
        }
        #expect(throws: QRCodeError.dataTooLong) {
            try QRCode(bytes: [UInt8](repeating: 0x61, count: 2954), correction: .low)
        }
    }

    @Test func outOfRangeModulesReadLight() throws {
        let code = try QRCode(text: householdCode)
        #expect(code[0, 0])
        #expect(!code[-1, 0])
        #expect(!code[0, code.size])
    }
}

@Suite("QR code SVG")
struct QRCodeSVGTests {
    @Test func documentShape() throws {
        let code = try QRCode(text: "620982001001001001001010001")
        let svg = code.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("width=\"232\" height=\"232\""))
        #expect(svg.contains("viewBox=\"0 0 29 29\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("<rect width=\"29\" height=\"29\" fill=\"#fff\"/>"))
        #expect(svg.ranges(of: "<path").count == 1)
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test func coloursAreEscaped() throws {
        let svg = try QRCode(text: "1").svg(foreground: "#123456", background: "a\"<b")
        #expect(svg.contains("fill=\"#123456\""))
        #expect(svg.contains("fill=\"a&quot;&lt;b\""))
    }

    /// Re-rasterise the path's rectangles and compare with the module grid.
    @Test(arguments: [0, 2]) func pathCoversExactlyTheDarkModules(border: Int) throws {
        let code = try QRCode(text: "http://127.0.0.1:8080/h/620982001001001001001010001")
        let svg = code.svg(moduleSize: 3, border: border)
        let d = svg.split(separator: "d=\"")[1].prefix { $0 != "\"" }
        var painted = Set<[Int]>()
        for command in d.split(separator: "z") {
            let parts = command.dropFirst().split(whereSeparator: { "h,v".contains($0) })
            let numbers = parts.compactMap { Int($0) }
            try #require(numbers.count == 5 && numbers[3] == 1 && numbers[2] == -numbers[4])
            for dx in 0..<numbers[2] { painted.insert([numbers[0] + dx - border, numbers[1] - border]) }
        }
        var expected = Set<[Int]>()
        for y in 0..<code.size { for x in 0..<code.size where code[x, y] { expected.insert([x, y]) } }
        #expect(painted == expected)
    }
}
