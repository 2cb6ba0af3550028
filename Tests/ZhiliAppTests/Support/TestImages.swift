import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// Test pictures made here, byte by byte: a PNG with stored (uncompressed) deflate blocks.
enum TestImages {
    static func png(width: Int, height: Int) -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                raw += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), 128]
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            let last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        zlib += be32((b << 16) | a)
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", zlib)
        out += chunk("IEND", [])
        return Data(out)
    }

    /// A JPEG with an EXIF block saying "rotate 90° clockwise to display" (orientation 6).
    static func jpegRotated(width: Int, height: Int) throws -> Data {
        let plain = try PhotoProcessing.normalize(png(width: width, height: height)).image
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42] + be32(8)
        tiff += [0, 1]  // one entry
        tiff += [0x01, 0x12, 0, 3] + be32(1) + [0, 6, 0, 0]  // Orientation, SHORT, 1, value 6
        tiff += be32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let app1: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Data([0xFF, 0xD8] + app1 + plain.dropFirst(2))
    }

    private static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be32(UInt32(data.count)) + body + be32(~crc)
    }

    /// A multipart/form-data body with text fields and files under `photos[]`.
    static func multipart(fields: [String: String], files: [(String, Data)], boundary: String = "zhili-test-boundary")
        -> ByteBuffer
    {
        var body = Data()
        func line(_ s: String) { body.append(Data((s + "\r\n").utf8)) }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(name)\"")
            line("")
            line(value)
        }
        for (filename, data) in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"photos[]\"; filename=\"\(filename)\"")
            line("Content-Type: application/octet-stream")
            line("")
            body.append(data)
            line("")
        }
        line("--\(boundary)--")
        return ByteBuffer(data: body)
    }
}
