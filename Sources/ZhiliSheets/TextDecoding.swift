#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Foundation
#endif

/// Turns the bytes of an uploaded text file into UTF-8: as-is when they are valid UTF-8, else
/// converted from GB18030 (a superset of GBK/GB2312, which is what Excel on Chinese Windows
/// writes for "CSV (逗号分隔)"). Leading byte-order marks are removed.
enum TextDecoding {
    /// UTF-8 bytes without BOM, or nil when the bytes are neither UTF-8 nor GB18030 text or
    /// contain a NUL byte (binary data).
    static func utf8(_ data: [UInt8]) -> [UInt8]? {
        var bytes: [UInt8]
        if String(validating: data, as: UTF8.self) != nil {
            bytes = data
        } else if let converted = gb18030ToUTF8(data) {
            bytes = converted
        } else {
            return nil
        }
        if bytes.contains(0) { return nil }
        var bomEnd = 0
        while bytes.count >= bomEnd + 3, bytes[bomEnd] == 0xEF, bytes[bomEnd + 1] == 0xBB, bytes[bomEnd + 2] == 0xBF {
            bomEnd += 3
        }
        if bomEnd > 0 { bytes.removeFirst(bomEnd) }
        return bytes
    }

    /// GB18030 → UTF-8. Nil when the input is not valid GB18030 (an invalid or truncated sequence).
    static func gb18030ToUTF8(_ data: [UInt8]) -> [UInt8]? {
        #if canImport(Glibc) || canImport(Musl)
            return iconvConvert(data, from: "GB18030", to: "UTF-8")
        #elseif canImport(Darwin)
            let encoding = String.Encoding(
                rawValue: CFStringConvertEncodingToNSStringEncoding(
                    CFStringEncoding(CFStringEncodings.GB_18030_2000.rawValue)))
            guard let string = String(bytes: data, encoding: encoding) else { return nil }
            return Array(string.utf8)
        #else
            return nil
        #endif
    }

    #if canImport(Glibc) || canImport(Musl)
        /// Converts with the C library's iconv. Nil when the conversion is unavailable or the input is
        /// invalid in the source encoding (EILSEQ) or ends mid-character (EINVAL).
        static func iconvConvert(_ data: [UInt8], from source: String, to target: String) -> [UInt8]? {
            guard let cd = iconv_open(target, source), Int(bitPattern: cd) != -1 else { return nil }
            defer { iconv_close(cd) }
            if data.isEmpty { return [] }
            var input = data
            var output = [UInt8](repeating: 0, count: data.count * 2 + 16)
            var produced = 0
            let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                while inLeft > 0 {
                    let result: Int = output.withUnsafeMutableBufferPointer { outBuf in
                        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
                            outBuf.baseAddress! + produced
                        )
                        .assumingMemoryBound(to: CChar.self)
                        var outLeft = outBuf.count - produced
                        let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                        produced = outBuf.count - outLeft
                        return r
                    }
                    if result == -1 {
                        if errno == E2BIG {
                            output.append(contentsOf: repeatElement(0, count: output.count))
                            continue
                        }
                        return false  // EILSEQ, EINVAL: not GB18030 text
                    }
                }
                return true
            }
            guard ok else { return nil }
            output.removeLast(output.count - produced)
            return output
        }
    #endif
}
