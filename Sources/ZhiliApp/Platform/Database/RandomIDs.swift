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
