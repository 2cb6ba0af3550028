// Error correction for QR symbols: Reed–Solomon over GF(2^8) and the block
// split / interleave of ISO/IEC 18004 §7.5–7.6.

extension QRCode {
    /// Arithmetic in GF(256) with the QR field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D).
    enum GaloisField {
        /// exp is doubled in length so a product's log sum never needs a modulo.
        static let exp: [UInt8] = {
            var table = [UInt8](repeating: 0, count: 512)
            var value = 1
            for power in 0..<255 {
                table[power] = UInt8(value)
                value <<= 1
                if value & 0x100 != 0 { value ^= 0x11D }
            }
            for power in 255..<512 { table[power] = table[power - 255] }
            return table
        }()

        static let log: [Int] = {
            var table = [Int](repeating: 0, count: 256)
            for power in 0..<255 { table[Int(exp[power])] = power }
            return table
        }()

        static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            if a == 0 || b == 0 { return 0 }
            return exp[log[Int(a)] + log[Int(b)]]
        }
    }

    enum ReedSolomon {
        /// Coefficients of ∏(x − α^i), i in 0..<degree, highest power first with the
        /// leading 1 dropped, since division only ever needs the lower terms.
        static func generator(degree: Int) -> [UInt8] {
            var poly: [UInt8] = [1]
            for i in 0..<degree {
                let root = GaloisField.exp[i]
                var next = [UInt8](repeating: 0, count: poly.count + 1)
                for (index, coefficient) in poly.enumerated() {
                    next[index] ^= coefficient
                    next[index + 1] ^= GaloisField.multiply(coefficient, root)
                }
                poly = next
            }
            return Array(poly.dropFirst())
        }

        /// The EC codewords: remainder of data(x)·x^degree divided by the generator.
        static func remainder(of data: [UInt8], degree: Int) -> [UInt8] {
            let generator = generator(degree: degree)
            var remainder = [UInt8](repeating: 0, count: degree)
            for byte in data {
                let factor = byte ^ remainder[0]
                remainder.removeFirst()
                remainder.append(0)
                for index in 0..<degree {
                    remainder[index] ^= GaloisField.multiply(generator[index], factor)
                }
            }
            return remainder
        }
    }

    /// Splits data into the version's blocks, appends each block's EC codewords and
    /// interleaves them column-wise so a burst of damage is spread over many blocks.
    static func interleavedCodewords(
        data: [UInt8], version: Int, correction: QRErrorCorrection
    ) -> [UInt8] {
        let blockCount = blockCount(version: version, correction: correction)
        let ecPerBlock = ecCodewordsPerBlock(version: version, correction: correction)
        let totalCodewords = rawDataModules(version: version) / 8
        precondition(data.count == totalCodewords - blockCount * ecPerBlock)

        // Short blocks come first; the remaining blocks carry one extra data codeword.
        let shortBlockCount = blockCount - totalCodewords % blockCount
        let shortDataLength = totalCodewords / blockCount - ecPerBlock

        var dataBlocks: [[UInt8]] = []
        var ecBlocks: [[UInt8]] = []
        var offset = 0
        for block in 0..<blockCount {
            let length = shortDataLength + (block < shortBlockCount ? 0 : 1)
            let chunk = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(chunk)
            ecBlocks.append(ReedSolomon.remainder(of: chunk, degree: ecPerBlock))
        }

        var result: [UInt8] = []
        result.reserveCapacity(totalCodewords)
        for column in 0...shortDataLength {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<ecPerBlock {
            for block in ecBlocks { result.append(block[column]) }
        }
        return result
    }

    /// Remainder of a BCH code over GF(2): `value` shifted left by the generator's
    /// degree, reduced modulo `generator`. Used for format and version information.
    static func bchRemainder(_ value: Int, generator: Int) -> Int {
        let degree = Int.bitWidth - generator.leadingZeroBitCount - 1
        var remainder = value << degree
        while remainder != 0, Int.bitWidth - remainder.leadingZeroBitCount - 1 >= degree {
            let shift = (Int.bitWidth - remainder.leadingZeroBitCount - 1) - degree
            remainder ^= generator << shift
        }
        return remainder
    }
}
