import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Random (version 4) UUIDs in bulk. Foundation's `UUID()` on Linux opens, reads and closes
/// /dev/urandom for every identifier, three system calls each: at a hundred thousand imported
/// rows (three identifiers a row) that was a fifth of the import. Here one read fills the
/// bytes of many identifiers from the same kernel source.
enum RandomIDs {
    static func make(_ count: Int) -> [UUID] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count * 16)
        fill(&bytes)
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for i in 0..<count {
            let o = i * 16
            ids.append(UUID(uuid: (bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3], bytes[o + 4], bytes[o + 5],
                                   bytes[o + 6] & 0x0F | 0x40, bytes[o + 7], bytes[o + 8] & 0x3F | 0x80, bytes[o + 9],
                                   bytes[o + 10], bytes[o + 11], bytes[o + 12], bytes[o + 13], bytes[o + 14], bytes[o + 15])))
        }
        return ids
    }

    private static func fill(_ bytes: inout [UInt8]) {
        #if canImport(Glibc)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var done = 0
            let total = bytes.count
            bytes.withUnsafeMutableBytes { raw in
                while done < total {
                    let n = read(fd, raw.baseAddress! + done, total - done)
                    if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
            }
            if done == total { return }
        }
        #endif
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
    }
}

/// UUIDs stored as text (SQLite) read back without Foundation's parser, which goes through
/// `sscanf` on Linux.
enum UUIDText {
    static func parse(_ text: String) -> UUID? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0, high: UInt8? = nil, position = 0
        for c in text.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                guard count < 16 else { return nil }
                bytes[count] = h << 4 | v
                count += 1
                high = nil
            } else {
                high = v
            }
        }
        guard position == 36, count == 16 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
