import Vapor

/// Turns any thrown error into an `AppError`, so clients always see one shape.
enum ErrorTranslation {
    static func translate(_ error: any Error) -> AppError {
        switch error {
        case let e as AppError:
            return e
        case let e as DecodingError:
            return decoding(e)
        case let e as any AbortError:
            return abort(e.status, reason: e.reason)
        // MultipartKit's parser throws its own private error type for a broken body.
        case _ where error is MultipartError || String(reflecting: type(of: error)).hasPrefix("MultipartKit."):
            return AppError(
                .badRequest, code: "malformed_body", zh: "表单数据格式错误（multipart/form-data 无法解析）",
                en: "Malformed multipart/form-data body")
        default:
            return .internalFailure(String(describing: error))
        }
    }

    static func decoding(_ error: DecodingError) -> AppError {
        func path(_ ctx: DecodingError.Context) -> String? {
            let p = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? nil : p
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let field = (path(ctx).map { $0 + "." } ?? "") + key.stringValue
            return AppError(
                .badRequest, code: "missing_field", zh: "缺少必填字段 \(field)", en: "Missing required field \(field)",
                field: field)
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            let field = path(ctx)
            return AppError(
                .badRequest, code: "wrong_type", zh: "字段 \(field ?? "") 类型错误",
                en: "Field \(field ?? "") has the wrong type", field: field)
        case .dataCorrupted(let ctx):
            if let field = path(ctx) {
                return AppError(
                    .badRequest, code: "invalid_value", zh: "字段 \(field) 的取值无效",
                    en: "Field \(field) has an invalid value", field: field)
            }
            return AppError(
                .badRequest, code: "malformed_body", zh: "请求体不是合法的 JSON", en: "The request body is not valid JSON")
        @unknown default:
            return AppError(
                .badRequest, code: "malformed_body", zh: "请求体无法解析", en: "The request body could not be read")
        }
    }

    static func abort(_ status: HTTPResponseStatus, reason: String) -> AppError {
        switch status {
        case .notFound:
            return AppError(.notFound, code: "not_found", zh: "请求的资源不存在", en: "Not found")
        case .methodNotAllowed:
            return AppError(.methodNotAllowed, code: "method_not_allowed", zh: "不支持该请求方法", en: "Method not allowed")
        case .payloadTooLarge:
            return AppError(.payloadTooLarge, code: "payload_too_large", zh: "请求体过大", en: "Request body too large")
        case .unsupportedMediaType:
            return AppError(
                .unsupportedMediaType, code: "unsupported_media_type", zh: "不支持的内容类型", en: "Unsupported content type")
        case .unauthorized:
            return .unauthorized
        case .forbidden:
            return .forbidden
        case .tooManyRequests:
            return AppError(
                .tooManyRequests, code: "too_many_requests", zh: "请求过于频繁，请稍后再试",
                en: "Too many requests; try again later")
        case .badRequest:
            return AppError(.badRequest, code: "bad_request", zh: "请求无效：\(reason)", en: "Bad request: \(reason)")
        default:
            if status.code >= 500 { return .internalFailure(reason) }
            return AppError(status, code: "http_\(status.code)", zh: "请求失败（\(status.code)）", en: reason)
        }
    }
}
