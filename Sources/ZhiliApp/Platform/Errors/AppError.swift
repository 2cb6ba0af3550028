import Vapor

/// The one error shape of the platform: a machine code, a message in Chinese and in English,
/// and the offending field where there is one.
public struct AppError: AbortError, Sendable {
    public let status: HTTPResponseStatus
    public let code: String
    public let messageZh: String
    public let messageEn: String
    public let field: String?

    public init(_ status: HTTPResponseStatus, code: String, zh: String, en: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.messageZh = zh
        self.messageEn = en
        self.field = field
    }

    public var reason: String { messageEn }

    public static func invalid(_ field: String, zh: String, en: String) -> AppError {
        AppError(.unprocessableEntity, code: "invalid_field", zh: zh, en: en, field: field)
    }
    public static func notFound(_ what: String, zhWhat: String) -> AppError {
        AppError(.notFound, code: "not_found", zh: "\(zhWhat)不存在", en: "\(what) not found")
    }
    public static let unauthorized = AppError(.unauthorized, code: "unauthorized", zh: "请先登录", en: "Sign-in required")
    public static let forbidden = AppError(
        .forbidden, code: "forbidden", zh: "无权访问该数据", en: "You may not access this record")
    public static func conflict(_ code: String, zh: String, en: String, field: String? = nil) -> AppError {
        AppError(.conflict, code: code, zh: zh, en: en, field: field)
    }
    public static func internalFailure(_ detail: String) -> AppError {
        AppError(.internalServerError, code: "internal_error", zh: "服务器内部错误", en: "Internal error")
    }
}

/// The JSON body every 4xx/5xx carries.
public struct ErrorBody: Content, Sendable {
    public struct Detail: Content, Sendable {
        public let code: String
        public let message: String
        public let messageZh: String
        public let messageEn: String
        public let field: String?
    }
    public let error: Detail

    init(_ e: AppError) {
        error = Detail(
            code: e.code, message: e.messageZh, messageZh: e.messageZh, messageEn: e.messageEn, field: e.field)
    }
}
