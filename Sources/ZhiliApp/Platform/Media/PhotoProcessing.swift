import CZhiliImage
import Foundation

/// One uploaded picture made safe to keep and show: decoded (JPEG or PNG only), turned upright
/// by its EXIF orientation, shrunk, and encoded afresh as JPEG without any metadata — so a
/// resident's phone never leaks its GPS track or serial number through a complaint photo.
struct NormalizedPhoto: Sendable {
    let image: Data
    let thumbnail: Data
    let width: Int
    let height: Int
    let sourceWidth: Int
    let sourceHeight: Int
}

enum PhotoProblem: Error, Equatable, Sendable {
    case notAnImage, corrupt, tooManyPixels, tooLarge(bytes: Int), outOfMemory
}

enum PhotoProcessing {
    /// Longest side of the kept image and of its thumbnail, in pixels.
    static let displaySide = 1600
    static let thumbnailSide = 320
    /// One upload may be at most this large before decoding ...
    static let maxBytes = 10 * 1024 * 1024
    /// ... and at most this many pixels (a decompression bomb is refused, not decoded).
    static let maxPixels = 50_000_000

    /// "jpeg", "png" or nil, from the first bytes (never from the client's claimed type).
    static func sniff(_ data: Data) -> String? {
        data.withUnsafeBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            return zhili_image_sniff(base.assumingMemoryBound(to: UInt8.self), raw.count).map { String(cString: $0) }
        }
    }

    static func normalize(_ data: Data) throws(PhotoProblem) -> NormalizedPhoto {
        guard data.count <= maxBytes else { throw .tooLarge(bytes: data.count) }
        let display = try encode(data, side: displaySide, quality: 82)
        // The thumbnail is made from the already small display image: a fraction of the work.
        let thumb = try encode(display.bytes, side: thumbnailSide, quality: 75)
        return NormalizedPhoto(
            image: display.bytes, thumbnail: thumb.bytes, width: display.width, height: display.height,
            sourceWidth: display.sourceWidth, sourceHeight: display.sourceHeight)
    }

    private struct Encoded {
        let bytes: Data
        let width: Int
        let height: Int
        let sourceWidth: Int
        let sourceHeight: Int
    }

    private static func encode(_ data: Data, side: Int, quality: Int) throws(PhotoProblem) -> Encoded {
        var result = zhili_image_result()
        let status = data.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return Int32(ZHILI_IMAGE_UNSUPPORTED.rawValue) }
            return zhili_image_normalize(
                base.assumingMemoryBound(to: UInt8.self), raw.count, Int32(side), Int32(quality), maxPixels, &result)
        }
        defer { zhili_image_free(result.data) }
        switch UInt32(bitPattern: status) {
        case ZHILI_IMAGE_OK.rawValue:
            guard let bytes = result.data else { throw .outOfMemory }
            return Encoded(
                bytes: Data(bytes: bytes, count: result.size), width: Int(result.width), height: Int(result.height),
                sourceWidth: Int(result.source_width), sourceHeight: Int(result.source_height))
        case ZHILI_IMAGE_UNSUPPORTED.rawValue: throw .notAnImage
        case ZHILI_IMAGE_TOO_LARGE.rawValue: throw .tooManyPixels
        case ZHILI_IMAGE_NO_MEMORY.rawValue: throw .outOfMemory
        default: throw .corrupt
        }
    }

    /// RGB pixels (3 bytes each, rows top to bottom) as a JPEG: pictures the platform makes
    /// itself (the demo's camera snapshots).
    static func jpeg(rgb pixels: [UInt8], width: Int, height: Int, quality: Int = 80) throws(PhotoProblem) -> Data {
        guard pixels.count == width * height * 3 else { throw .corrupt }
        var result = zhili_image_result()
        let status = pixels.withUnsafeBufferPointer { buffer -> Int32 in
            zhili_image_encode_rgb(buffer.baseAddress, Int32(width), Int32(height), Int32(quality), &result)
        }
        defer { zhili_image_free(result.data) }
        guard UInt32(bitPattern: status) == ZHILI_IMAGE_OK.rawValue, let bytes = result.data else { throw .corrupt }
        return Data(bytes: bytes, count: result.size)
    }
}
