// Constants of ISO/IEC 18004 and the fixed layout (function patterns) of a symbol.

extension QRErrorCorrection {
    var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two-bit level indicator of the format information; deliberately not in
    /// L-M-Q-H order (Table 12 of the standard).
    var formatIndicator: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

extension QRCode {
    // Table 9: error-correction codewords per block, rows L, M, Q, H, columns version 1...40.
    private static let ecCodewordsTable: [[Int]] = [
        [
            7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        [
            13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    // Table 9: number of error-correction blocks, same layout as above.
    private static let blockCountTable: [[Int]] = [
        [
            1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        [
            1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        [
            1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        [
            1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]

    static func ecCodewordsPerBlock(version: Int, correction: QRErrorCorrection) -> Int {
        ecCodewordsTable[correction.tableIndex][version - 1]
    }

    static func blockCount(version: Int, correction: QRErrorCorrection) -> Int {
        blockCountTable[correction.tableIndex][version - 1]
    }

    static func symbolSize(version: Int) -> Int { version * 4 + 17 }

    /// Modules left for codewords (including remainder bits) once every function
    /// pattern is placed; derived from the geometry so it cannot drift from `Matrix`.
    static func rawDataModules(version: Int) -> Int {
        let size = symbolSize(version: version)
        let finders = 3 * 8 * 8  // finder plus its separator
        let format = 2 * 15 + 1  // both copies plus the dark module
        let timing = 2 * (size - 16)
        var modules = size * size - finders - format - timing
        let side = alignmentPositions(version: version).count
        if side > 0 {
            // The three corner positions collide with finders; patterns on row or
            // column 6 share five modules with a timing pattern.
            modules -= 25 * (side * side - 3) - 5 * 2 * (side - 2)
        }
        if version >= 7 { modules -= 2 * 18 }
        return modules
    }

    static func dataCodewordCount(version: Int, correction: QRErrorCorrection) -> Int {
        rawDataModules(version: version) / 8
            - blockCount(version: version, correction: correction)
            * ecCodewordsPerBlock(version: version, correction: correction)
    }

    /// Row/column centres of alignment patterns (Annex E): evenly spaced from 6 to
    /// size − 7 with an even step, the first gap absorbing the slack.
    static func alignmentPositions(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        let last = symbolSize(version: version) - 7
        let span = last - 6
        var step = (span + count - 2) / (count - 1)
        step += step % 2
        // Version 32 is the one entry in Annex E that does not follow the rounding rule.
        if version == 32 { step = 26 }
        return [6] + (0..<count - 1).reversed().map { last - $0 * step }
    }

    /// 15-bit format information: level and mask, BCH(15,5), then XOR 0x5412 so the
    /// word is never all zero.
    static func formatBits(correction: QRErrorCorrection, mask: Int) -> Int {
        let data = correction.formatIndicator << 3 | mask
        return (data << 10 | bchRemainder(data, generator: 0x537)) ^ 0x5412
    }

    /// 18-bit version information, BCH(18,6); only versions 7 and up carry it.
    static func versionBits(version: Int) -> Int {
        version << 12 | bchRemainder(version, generator: 0x1F25)
    }

    /// Table 5: a character's alphanumeric value is its index here.
    static let alphanumericCharset = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// Encoding modes (Table 2) with their header and length rules.
    enum Mode: Sendable, Equatable {
        case numeric, alphanumeric, byte

        /// The most compact single mode able to carry every byte.
        static func best(for bytes: [UInt8]) -> Mode {
            if bytes.allSatisfy({ (0x30...0x39).contains($0) }) { return .numeric }
            if bytes.allSatisfy({ alphanumericCharset.contains($0) }) { return .alphanumeric }
            return .byte
        }

        var indicator: Int {
            switch self {
            case .numeric: 0b0001
            case .alphanumeric: 0b0010
            case .byte: 0b0100
            }
        }

        /// Width of the character count field (Table 3), which grows at versions 10 and 27.
        func countBits(version: Int) -> Int {
            let band = version <= 9 ? 0 : version <= 26 ? 1 : 2
            switch self {
            case .numeric: return [10, 12, 14][band]
            case .alphanumeric: return [9, 11, 13][band]
            case .byte: return [8, 16, 16][band]
            }
        }

        func payloadBits(count: Int) -> Int {
            switch self {
            case .numeric: return count / 3 * 10 + [0, 4, 7][count % 3]
            case .alphanumeric: return count / 2 * 11 + count % 2 * 6
            case .byte: return count * 8
            }
        }

        func fits(count: Int, version: Int, correction: QRErrorCorrection) -> Bool {
            let countBits = countBits(version: version)
            guard count < 1 << countBits else { return false }
            let needed = 4 + countBits + payloadBits(count: count)
            return needed <= QRCode.dataCodewordCount(version: version, correction: correction) * 8
        }
    }

    /// Module grid under construction. `reserved` marks function modules, which data
    /// placement and masking must skip.
    struct Matrix: Sendable {
        let size: Int
        var dark: [Bool]
        var reserved: [Bool]

        init(version: Int) {
            size = QRCode.symbolSize(version: version)
            dark = Array(repeating: false, count: size * size)
            reserved = Array(repeating: false, count: size * size)
            drawFunctionPatterns(version: version)
        }

        mutating func setFunction(_ x: Int, _ y: Int, _ isDark: Bool) {
            dark[y * size + x] = isDark
            reserved[y * size + x] = true
        }

        private mutating func drawFunctionPatterns(version: Int) {
            for i in 0..<size {
                setFunction(6, i, i % 2 == 0)
                setFunction(i, 6, i % 2 == 0)
            }
            drawFinder(centerX: 3, centerY: 3)
            drawFinder(centerX: size - 4, centerY: 3)
            drawFinder(centerX: 3, centerY: size - 4)

            let positions = QRCode.alignmentPositions(version: version)
            let last = positions.count - 1
            for (i, x) in positions.enumerated() {
                for (j, y) in positions.enumerated() {
                    let overlapsFinder = (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)
                    if !overlapsFinder { drawAlignment(centerX: x, centerY: y) }
                }
            }

            // Placeholder so the area is reserved; real bits go in once the mask is chosen.
            drawFormatBits(0)
            if version >= 7 { drawVersionBits(QRCode.versionBits(version: version)) }
        }

        /// 7×7 finder with its one-module light separator (clipped at the symbol edge).
        private mutating func drawFinder(centerX: Int, centerY: Int) {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = centerX + dx
                    let y = centerY + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let ring = max(abs(dx), abs(dy))
                    setFunction(x, y, ring != 2 && ring != 4)
                }
            }
        }

        private mutating func drawAlignment(centerX: Int, centerY: Int) {
            for dy in -2...2 {
                for dx in -2...2 {
                    setFunction(centerX + dx, centerY + dy, max(abs(dx), abs(dy)) != 1)
                }
            }
        }

        /// Bit 0 is the least significant bit of the 15-bit word (Figure 25).
        mutating func drawFormatBits(_ bits: Int) {
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            // Copy around the top-left finder; column/row 6 belong to timing.
            for i in 0...5 { setFunction(8, i, bit(i)) }
            setFunction(8, 7, bit(6))
            setFunction(8, 8, bit(7))
            setFunction(7, 8, bit(8))
            for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }
            // Copy split between the top-right and bottom-left finders.
            for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
            setFunction(8, size - 8, true)
        }

        /// Two transposed 6×3 blocks beside the top-right and bottom-left finders.
        private mutating func drawVersionBits(_ bits: Int) {
            for i in 0..<18 {
                let isDark = (bits >> i) & 1 == 1
                let near = i / 3
                let far = size - 11 + i % 3
                setFunction(far, near, isDark)
                setFunction(near, far, isDark)
            }
        }
    }
}
