// A dependency-free QR code encoder (ISO/IEC 18004, model 2) for printing door codes.

public enum QRErrorCorrection: Sendable { case low, medium, quartile, high }

public enum QRCodeError: Error, Sendable, Equatable { case dataTooLong }

public struct QRCode: Sendable {
    /// Modules per side (21 for version 1).
    public let size: Int
    /// Symbol version, 1...40.
    public let version: Int
    let correction: QRErrorCorrection
    /// The data mask pattern (0...7) applied to the symbol.
    let mask: Int
    private let modules: [Bool]

    /// Encodes the UTF-8 bytes of `text` (as numeric or alphanumeric when the whole
    /// text allows it, since that yields a smaller symbol with identical content).
    public init(text: String, correction: QRErrorCorrection = .medium) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8), correction: correction)
    }

    public init(bytes: [UInt8], correction: QRErrorCorrection = .medium) throws(QRCodeError) {
        try self.init(bytes: bytes, correction: correction, minimumVersion: 1, forcedMask: nil)
    }

    /// `minimumVersion` and `forcedMask` exist so tests can exercise every version and mask.
    init(
        bytes: [UInt8], correction: QRErrorCorrection, minimumVersion: Int, forcedMask: Int?
    ) throws(QRCodeError) {
        let mode = Mode.best(for: bytes)
        guard
            let version = (max(1, minimumVersion)...40).first(where: {
                mode.fits(count: bytes.count, version: $0, correction: correction)
            })
        else { throw .dataTooLong }

        let data = Self.dataCodewords(bytes, mode: mode, version: version, correction: correction)
        let codewords = Self.interleavedCodewords(data: data, version: version, correction: correction)
        var matrix = Matrix(version: version)
        matrix.placeData(codewords)

        let chosen: (mask: Int, matrix: Matrix)
        if let forcedMask {
            chosen = (forcedMask, matrix.masked(forcedMask, correction: correction))
        } else {
            let candidates = (0..<8).map { (mask: $0, matrix: matrix.masked($0, correction: correction)) }
            let scores = candidates.map(\.matrix.penalty)
            chosen = candidates[scores.indices.min { scores[$0] < scores[$1] }!]
        }
        self.version = version
        self.size = matrix.size
        self.correction = correction
        self.mask = chosen.mask
        self.modules = chosen.matrix.dark
    }

    /// True for a dark module. Coordinates outside the symbol read as light, like the
    /// quiet zone around it.
    public subscript(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// A standalone SVG document (viewBox in modules, quiet zone `border` modules,
    /// shape-rendering crispEdges, one <path> for dark modules, white background rect).
    public func svg(
        moduleSize: Int = 8, border: Int = 4, foreground: String = "#000", background: String = "#fff"
    ) -> String {
        let border = max(0, border)
        let extent = size + 2 * border
        let pixels = extent * max(1, moduleSize)
        // Horizontal runs keep the path short; each run is its own closed rectangle.
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else {
                    x += 1
                    continue
                }
                var run = 1
                while self[x + run, y] { run += 1 }
                path += "M\(x + border),\(y + border)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(extent) \(extent)" shape-rendering="crispEdges">
            <rect width="\(extent)" height="\(extent)" fill="\(Self.escapeAttribute(background))"/>
            <path d="\(path)" fill="\(Self.escapeAttribute(foreground))"/>
            </svg>

            """
    }

    private static func escapeAttribute(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}

// MARK: - Data encoding

extension QRCode {
    struct BitBuffer {
        private(set) var bits: [Bool] = []

        mutating func append(_ value: Int, width: Int) {
            for shift in stride(from: width - 1, through: 0, by: -1) {
                bits.append((value >> shift) & 1 == 1)
            }
        }

        var bytes: [UInt8] {
            stride(from: 0, to: bits.count, by: 8).map { start in
                (0..<8).reduce(UInt8(0)) { byte, offset in
                    let index = start + offset
                    return byte << 1 | (index < bits.count && bits[index] ? 1 : 0)
                }
            }
        }
    }

    /// Mode header, payload, terminator and padding: exactly the version's data codewords.
    static func dataCodewords(
        _ bytes: [UInt8], mode: Mode, version: Int, correction: QRErrorCorrection
    ) -> [UInt8] {
        var buffer = BitBuffer()
        buffer.append(mode.indicator, width: 4)
        buffer.append(bytes.count, width: mode.countBits(version: version))
        switch mode {
        case .numeric:
            let digits = bytes.map { Int($0 - 0x30) }
            for start in stride(from: 0, to: digits.count, by: 3) {
                let group = digits[start..<min(start + 3, digits.count)]
                buffer.append(group.reduce(0) { $0 * 10 + $1 }, width: [0, 4, 7, 10][group.count])
            }
        case .alphanumeric:
            let values = bytes.map { alphanumericCharset.firstIndex(of: $0)! }
            for start in stride(from: 0, to: values.count, by: 2) {
                if start + 1 < values.count {
                    buffer.append(values[start] * 45 + values[start + 1], width: 11)
                } else {
                    buffer.append(values[start], width: 6)
                }
            }
        case .byte:
            for byte in bytes { buffer.append(Int(byte), width: 8) }
        }

        let capacity = dataCodewordCount(version: version, correction: correction) * 8
        buffer.append(0, width: min(4, capacity - buffer.bits.count))
        buffer.append(0, width: (8 - buffer.bits.count % 8) % 8)
        var codewords = buffer.bytes
        // Alternating pad codewords avoid long uniform runs in the data area.
        let padStart = codewords.count
        while codewords.count < capacity / 8 {
            codewords.append((codewords.count - padStart) % 2 == 0 ? 0xEC : 0x11)
        }
        return codewords
    }
}

// MARK: - Placement, masking and mask evaluation

extension QRCode.Matrix {
    /// Zigzags two-module-wide columns from the bottom right, skipping the vertical
    /// timing column; modules beyond the last codeword stay light (remainder bits).
    mutating func placeData(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        var upward = true
        while right >= 1 {
            if right == 6 { right = 5 }
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !reserved[y * size + x] {
                    if bitIndex < totalBits {
                        dark[y * size + x] = (codewords[bitIndex >> 3] >> (7 - bitIndex & 7)) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            upward.toggle()
            right -= 2
        }
    }

    /// Mask conditions of Table 10, with i the row and j the column.
    static func maskCondition(_ mask: Int, i: Int, j: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// A copy with the mask applied to data modules and the matching format bits drawn.
    func masked(_ mask: Int, correction: QRErrorCorrection) -> QRCode.Matrix {
        var copy = self
        for y in 0..<size {
            for x in 0..<size where !reserved[y * size + x] && Self.maskCondition(mask, i: y, j: x) {
                copy.dark[y * size + x].toggle()
            }
        }
        copy.drawFormatBits(QRCode.formatBits(correction: correction, mask: mask))
        return copy
    }

    /// Penalty score of §7.8.3; the encoder keeps the mask with the lowest score.
    var penalty: Int {
        var score = 0
        for index in 0..<size {
            let row = Array(dark[index * size..<(index + 1) * size])
            let column = (0..<size).map { dark[$0 * size + index] }
            score += Self.linePenalty(row) + Self.linePenalty(column)
        }
        // Rule 2: every 2×2 block of one colour.
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = dark[y * size + x]
                if dark[y * size + x + 1] == colour, dark[(y + 1) * size + x] == colour,
                    dark[(y + 1) * size + x + 1] == colour
                {
                    score += 3
                }
            }
        }
        // Rule 4: 10 points per full 5% step away from an even dark/light balance.
        let darkCount = dark.reduce(0) { $0 + ($1 ? 1 : 0) }
        let deviation = abs(darkCount * 100 - size * size * 50)
        score += deviation / (size * size * 5) * 10
        return score
    }

    /// Rules 1 and 3 for one row or column. Outside the symbol counts as light, as the
    /// quiet zone is.
    private static func linePenalty(_ line: [Bool]) -> Int {
        var score = 0
        var runLength = 1
        for index in 1...line.count {
            if index < line.count, line[index] == line[index - 1] {
                runLength += 1
            } else {
                if runLength >= 5 { score += runLength - 2 }
                runLength = 1
            }
        }
        func isLight(_ index: Int) -> Bool { !line.indices.contains(index) || !line[index] }
        let core = [true, false, true, true, true, false, true]
        for start in 0...(line.count - core.count) {
            guard (0..<7).allSatisfy({ line[start + $0] == core[$0] }) else { continue }
            if (1...4).allSatisfy({ isLight(start - $0) }) { score += 40 }
            if (7...10).allSatisfy({ isLight(start + $0) }) { score += 40 }
        }
        return score
    }
}

extension QRCode {
    /// Penalty of the finished symbol; lets tests confirm the chosen mask scores lowest.
    var penalty: Int {
        var matrix = Matrix(version: version)
        matrix.dark = modules
        return matrix.penalty
    }
}
