#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Helpers for the ZhiliSheets tests: encoding text with iconv, building zip files by hand
/// (independently of the library's own writer) and a seeded random generator.
enum TestSupport {
    /// Encodes UTF-8 text into `encoding` (e.g. "GB18030", "GBK") with the C library's iconv.
    static func iconvEncode(_ text: String, to encoding: String) -> [UInt8]? {
        guard let cd = iconv_open(encoding, "UTF-8"), Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let inCount = input.count
        let outCount = output.count
        let written: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inCount
                var outLeft = outCount
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1, inLeft == 0 else { return nil }
                return outCount - outLeft
            }
        }
        guard let written else { return nil }
        return Array(output.prefix(written))
    }

    /// One entry for `zip`: `payload` is written as-is; `method` 0 is stored, 8 is deflate.
    struct ZipEntry {
        var name: String
        var payload: [UInt8]
        var method: UInt16 = 0
        var crc: UInt32? = nil  // default: CRC of the payload
        var uncompressedSize: UInt32? = nil  // default: payload size
    }

    /// A zip file built by hand. `zip64` writes ZIP64 records and extra fields even though the
    /// sizes are small, as some streaming writers do.
    static func zip(_ entries: [ZipEntry], zip64: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let offset = UInt32(out.count)
            let crc = entry.crc ?? crc32(entry.payload)
            let nameBytes = Array(entry.name.utf8)
            let size = UInt32(entry.payload.count)
            let claimed = entry.uncompressedSize ?? size
            out += le32(0x0403_4B50) + le16(20) + le16(0x0800) + le16(entry.method) + le16(0) + le16(0x21)
            out += le32(crc) + le32(size) + le32(claimed) + le16(UInt16(nameBytes.count)) + le16(0)
            out += nameBytes + entry.payload
            let extra: [UInt8] =
                zip64 ? le16(1) + le16(24) + le64(UInt64(claimed)) + le64(UInt64(size)) + le64(UInt64(offset)) : []
            central +=
                le32(0x0201_4B50) + le16(45) + le16(45) + le16(0x0800) + le16(entry.method) + le16(0) + le16(0x21)
            central += le32(crc) + (zip64 ? le32(.max) + le32(.max) : le32(size) + le32(claimed))
            central += le16(UInt16(nameBytes.count)) + le16(UInt16(extra.count)) + le16(0)
            central += le16(0) + le16(0) + le32(0) + (zip64 ? le32(.max) : le32(offset)) + nameBytes + extra
        }
        let cdOffset = UInt32(out.count)
        out += central
        if zip64 {
            let recordOffset = UInt64(out.count)
            out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out +=
                le64(UInt64(entries.count)) + le64(UInt64(entries.count)) + le64(UInt64(central.count))
                + le64(UInt64(cdOffset))
            out += le32(0x0706_4B50) + le32(0) + le64(recordOffset) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(.max) + le16(.max) + le32(.max) + le32(.max) + le16(0)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
            out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        }
        return out
    }

    static func storedZip(_ files: [(String, [UInt8])], declaredSize: [String: UInt32] = [:]) -> [UInt8] {
        zip(files.map { ZipEntry(name: $0.0, payload: $0.1, uncompressedSize: declaredSize[$0.0]) })
    }

    static func storedZip(_ files: [(String, String)]) -> [UInt8] {
        storedZip(files.map { ($0.0, Array($0.1.utf8)) })
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    private static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// SplitMix64: deterministic "random" bytes so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
