import Foundation

/// Query values checked against the ranges the OpenAPI document states: out of range is a
/// clear error naming the field, never silently clamped.
enum QueryValue {
    static func int(_ raw: Int?, default value: Int, in range: ClosedRange<Int>, field: String) throws -> Int {
        guard let raw else { return value }
        guard range.contains(raw) else {
            throw AppError.invalid(
                field, zh: "\(field) 应在 \(range.lowerBound)–\(range.upperBound) 之间",
                en: "\(field) must be \(range.lowerBound)–\(range.upperBound)")
        }
        return raw
    }

    /// ISO 8601 date-times (the OpenAPI `date-time` format), with or without fractions. An
    /// empty value is an error in the API; forms (whose empty fields mean "not given") pass
    /// `emptyIsAbsent`.
    static func instant(_ raw: String?, field: String, emptyIsAbsent: Bool = false) throws -> Date? {
        guard let raw, !(raw.isEmpty && emptyIsAbsent) else { return nil }
        // The formatter alone lets trailing characters through; the shape is checked first.
        let shape = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"#
        let f = ISO8601DateFormatter()
        if raw.range(of: shape, options: .regularExpression) != nil {
            if let d = f.date(from: raw) { return d }
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = f.date(from: raw) { return d }
        }
        throw AppError(
            .unprocessableEntity, code: "invalid_value", zh: "时间格式应为 ISO 8601（如 2026-01-01T00:00:00Z）",
            en: "Use ISO 8601 date-times", field: field)
    }
}
