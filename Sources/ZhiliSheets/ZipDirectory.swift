import Foundation
import ZIPFoundation

/// A bounds-checked reader for the zip container of an .xlsx, over bytes in memory.
///
/// Why not `ZIPFoundation.Archive(data:accessMode: .read)`: with 0.9.20 on Linux its in-memory
/// reader traps (MemoryFile.readData) when an offset in the central directory points past the end
/// of the data, and `extract` loops forever when a deflate stream is cut short (its inflate loop
/// keeps asking for more input at end of file). Uploads are untrusted, so the directory is parsed
/// here with every offset and size checked against the data, and ZIPFoundation's public
/// `Data.decompress` inflates each entry from a provider that throws at the end of the entry
/// (and pads a short last chunk: that function hands zlib `bufferSize` as the input length of every
/// chunk, so a corrupt stream would otherwise make zlib read past the end of a short one).
struct ZipDirectory {
    struct Item {
        let name: String
        let flags: UInt16
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let dataOffset: Int
    }

    private let bytes: [UInt8]
    private(set) var items: [Item] = []

    init(_ bytes: [UInt8]) throws(SheetError) {
        self.bytes = bytes
        let count = bytes.count
        guard count >= 22 else { throw .malformedXLSX("too short to be a zip archive (\(count) bytes)") }

        // End of central directory: the last signature that leaves room for its comment.
        var eocd = -1
        var p = count - 22
        let lowest = max(0, count - 22 - 0xFFFF)
        while p >= lowest {
            if u32(p) == 0x0605_4B50, p + 22 + Int(u16(p + 20)) <= count {
                eocd = p
                break
            }
            p -= 1
        }
        guard eocd >= 0 else { throw .malformedXLSX("no end-of-central-directory record (truncated or not a zip)") }
        var total = UInt64(u16(eocd + 10))
        var cdSize = UInt64(u32(eocd + 12))
        var cdOffset = UInt64(u32(eocd + 16))
        if total == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            guard eocd >= 20, u32(eocd - 20) == 0x0706_4B50 else {
                throw .malformedXLSX("ZIP64 markers without a ZIP64 locator")
            }
            let record = u64(eocd - 12)
            guard count >= 56, record <= UInt64(count - 56), u32(Int(record)) == 0x0606_4B50 else {
                throw .malformedXLSX("ZIP64 end-of-central-directory record out of bounds")
            }
            total = u64(Int(record) + 32)
            cdSize = u64(Int(record) + 40)
            cdOffset = u64(Int(record) + 48)
        }
        guard cdOffset <= UInt64(count), cdSize <= UInt64(count) - cdOffset else {
            throw .malformedXLSX("central directory out of bounds (truncated file?)")
        }
        guard total <= cdSize / 46 else { throw .malformedXLSX("central directory too small for \(total) entries") }

        let cdEnd = Int(cdOffset + cdSize)
        var pos = Int(cdOffset)
        for index in 0..<Int(total) {
            guard pos + 46 <= cdEnd, u32(pos) == 0x0201_4B50 else {
                throw .malformedXLSX("central directory entry \(index + 1) is corrupt")
            }
            let nameLength = Int(u16(pos + 28))
            let extraLength = Int(u16(pos + 30))
            let commentLength = Int(u16(pos + 32))
            let next = pos + 46 + nameLength + extraLength + commentLength
            guard next <= cdEnd else { throw .malformedXLSX("central directory entry \(index + 1) is truncated") }
            let name = String(decoding: bytes[(pos + 46)..<(pos + 46 + nameLength)], as: UTF8.self)
            var compressed = UInt64(u32(pos + 20))
            var uncompressed = UInt64(u32(pos + 24))
            var local = UInt64(u32(pos + 42))
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
                var values = zip64Values(extraStart: pos + 46 + nameLength, extraLength: extraLength)
                if uncompressed == 0xFFFF_FFFF { uncompressed = values.isEmpty ? .max : values.removeFirst() }
                if compressed == 0xFFFF_FFFF { compressed = values.isEmpty ? .max : values.removeFirst() }
                if local == 0xFFFF_FFFF { local = values.isEmpty ? .max : values.removeFirst() }
            }
            guard count >= 30, local <= UInt64(count - 30), u32(Int(local)) == 0x0403_4B50 else {
                throw .malformedXLSX("local header of \(name) out of bounds or corrupt")
            }
            let dataOffset = Int(local) + 30 + Int(u16(Int(local) + 26)) + Int(u16(Int(local) + 28))
            guard dataOffset <= count, compressed <= UInt64(count - dataOffset) else {
                throw .malformedXLSX("data of \(name) extends past the end of the file (truncated?)")
            }
            items.append(
                Item(
                    name: name, flags: u16(pos + 8), method: u16(pos + 10), crc: u32(pos + 16),
                    compressedSize: Int(compressed),
                    uncompressedSize: uncompressed > UInt64(Int.max) ? Int.max : Int(uncompressed),
                    dataOffset: dataOffset))
            pos = next
        }
    }

    /// The 64-bit values of a ZIP64 extended-information extra field (header id 1), in order.
    private func zip64Values(extraStart: Int, extraLength: Int) -> [UInt64] {
        var p = extraStart
        let end = extraStart + extraLength
        while p + 4 <= end {
            let id = u16(p)
            let size = Int(u16(p + 2))
            guard p + 4 + size <= end else { break }
            if id == 0x0001 {
                return stride(from: p + 4, to: p + 4 + size - 7, by: 8).map { u64($0) }
            }
            p += 4 + size
        }
        return []
    }

    /// The decompressed content of `item`, refusing more than `limit` bytes.
    func extract(_ item: Item, limit: Int) throws(SheetError) -> Data {
        guard item.flags & 1 == 0 else { throw .malformedXLSX("\(item.name) is encrypted") }
        guard item.uncompressedSize <= limit else {
            throw .malformedXLSX(
                "\(item.name) would be \(item.uncompressedSize) bytes uncompressed, over the 200 MB limit (zip bomb?)")
        }
        let start = item.dataOffset
        let end = item.dataOffset + item.compressedSize
        var out = Data()
        let checksum: UInt32
        switch item.method {
        case 0:
            out = Data(bytes[start..<end])
            checksum = out.crc32(checksum: 0)
        case 8:
            out.reserveCapacity(min(item.uncompressedSize, 16 << 20))
            var position = start
            do {
                checksum = try Data.decompress(
                    size: Int64(item.compressedSize), bufferSize: 64 * 1024, skipCRC32: false,
                    provider: { _, size in
                        guard position < end else { throw ZipStop.truncated }
                        let stop = min(end, position + size)
                        var chunk = Data(bytes[position..<stop])
                        // On Linux ZIPFoundation tells zlib every chunk is `size` bytes long, even a
                        // short last one; pad it so that a corrupt stream cannot read past the buffer.
                        if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                        position = stop
                        return chunk
                    },
                    consumer: { chunk in
                        guard out.count + chunk.count <= limit else { throw ZipStop.tooLarge }
                        out.append(chunk)
                    })
            } catch ZipStop.tooLarge {
                throw .malformedXLSX("\(item.name) inflates to more than the 200 MB limit (zip bomb?)")
            } catch ZipStop.truncated {
                throw .malformedXLSX("compressed data of \(item.name) is truncated")
            } catch {
                throw .malformedXLSX("compressed data of \(item.name) is corrupt (\(error))")
            }
        default:
            throw .malformedXLSX("\(item.name) uses unsupported compression method \(item.method)")
        }
        guard out.count == item.uncompressedSize else {
            throw .malformedXLSX("\(item.name) has \(out.count) bytes, the directory says \(item.uncompressedSize)")
        }
        guard checksum == item.crc else { throw .malformedXLSX("CRC mismatch in \(item.name) (corrupt file)") }
        return out
    }

    private enum ZipStop: Error { case truncated, tooLarge }

    private func u16(_ p: Int) -> UInt16 { UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8 }
    private func u32(_ p: Int) -> UInt32 { UInt32(u16(p)) | UInt32(u16(p + 2)) << 16 }
    private func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }
}
