import Vapor

/// Refuses multipart bodies that MultipartKit 4.7's parser cannot survive: a byte of 0x80 or
/// more where it reads a part's header name indexes past its 128-entry table and stops the
/// whole process (found by schemathesis). Runs before anything decodes the body, the
/// anti-forgery check included, and answers such bodies with a 400 instead.
struct MultipartGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.headers.contentType?.type == "multipart",
            let boundary = request.headers.contentType?.parameters["boundary"]
        else {
            return try await next.respond(to: request)
        }
        let body = try await request.body.collect(max: PhotoUploads.requestLimit.value).get()
        if let body, !Self.headerNamesAreASCII(Array(body.readableBytesView), boundary: Array(("--" + boundary).utf8)) {
            throw AppError(
                .badRequest, code: "malformed_body", zh: "表单数据格式错误（multipart/form-data 无法解析）",
                en: "Malformed multipart/form-data body")
        }
        return try await next.respond(to: request)
    }

    /// After each boundary, every header line up to its colon (or the blank line) is ASCII.
    static func headerNamesAreASCII(_ bytes: [UInt8], boundary: [UInt8]) -> Bool {
        guard !boundary.isEmpty, bytes.count >= boundary.count else { return true }
        var i = 0
        while i <= bytes.count - boundary.count {
            guard bytes[i] == boundary[0], bytes[i..<(i + boundary.count)].elementsEqual(boundary) else {
                i += 1
                continue
            }
            var j = i + boundary.count
            // Header lines start after the boundary's line break; the parser reads names there.
            while j < bytes.count, bytes[j] != 0x0A { j += 1 }
            j += 1
            lines: while j < bytes.count {
                // A name runs to ':'; a line that starts with CR ends the headers.
                if bytes[j] == 0x0D { break lines }
                while j < bytes.count, bytes[j] != 0x3A, bytes[j] != 0x0A {
                    if bytes[j] >= 0x80 { return false }
                    if bytes[j] == 0x0D { break }
                    j += 1
                }
                while j < bytes.count, bytes[j] != 0x0A { j += 1 }
                j += 1
            }
            i = max(j, i + 1)
        }
        return true
    }
}
