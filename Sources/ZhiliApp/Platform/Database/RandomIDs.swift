import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Identifiers for rows written in bulk: time-ordered UUIDs (version 7, RFC 9562).
///
/// Foundation's `UUID()` on Linux opens, reads and closes /dev/urandom for every identifier,
/// three system calls each: at a hundred thousand imported rows (three identifiers a row) that
/// was a fifth of the import. Here one read fills the random bits of many identifiers.
///
/// Time order matters as much: the primary-key index of a table, and every index that holds
/// a row's identifier (moves, history, tags), then takes a batch's new entries at one place,
/// in order, instead of at random pages all over an index of a million entries. Layout: 48
/// bits of Unix milliseconds, the version, a 26-bit counter that rises through the batch
/// (split over `rand_a` and the top of `rand_b`), the variant and 48 random bits; two batches
/// made in the same millisecond differ in the random bits.
enum RandomIDs {
    static func make(_ count: Int, now: Date = Date()) -> [UUID] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count * 6)
        fill(&bytes)
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for i in 0..<count {
            let o = i * 6
            let counter = UInt32(truncatingIfNeeded: i) & 0x03FF_FFFF
            ids.append(
                UUID(
                    uuid: (
                        UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32),
                        UInt8(truncatingIfNeeded: ms >> 24),
                        UInt8(truncatingIfNeeded: ms >> 16), UInt8(truncatingIfNeeded: ms >> 8),
                        UInt8(truncatingIfNeeded: ms),
                        0x70 | UInt8(truncatingIfNeeded: counter >> 22), UInt8(truncatingIfNeeded: counter >> 14),
                        0x80 | UInt8(truncatingIfNeeded: counter >> 8) & 0x3F, UInt8(truncatingIfNeeded: counter),
                        bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3], bytes[o + 4], bytes[o + 5]
                    )))
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

/// UUIDs stored as text (SQLite), read and written without Foundation, whose parser goes
/// through `sscanf` and whose `uuidString` through `sprintf` on Linux.
enum UUIDText {
    /// The same text as `uuid.uuidString` (upper-case hex, dashes after 4, 6, 8 and 10 bytes).
    static func string(_ uuid: UUID) -> String {
        let digits: StaticString = "0123456789ABCDEF"
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var n = 0
                digits.withUTF8Buffer { hex in
                    for (i, b) in bytes.enumerated() {
                        if i == 4 || i == 6 || i == 8 || i == 10 {
                            out[n] = UInt8(ascii: "-")
                            n += 1
                        }
                        out[n] = hex[Int(b >> 4)]
                        out[n + 1] = hex[Int(b & 0x0F)]
                        n += 2
                    }
                }
                return n
            }
        }
    }

    static func parse(_ text: String) -> UUID? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0
        var high: UInt8? = nil
        var position = 0
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
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
