import Foundation

/// An extra question a complaint category asks (是否有人被困? 停水范围?). Typed, so answers can
/// be checked, counted and offered to integrators as Open311 attributes.
public struct CategoryQuestion: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case text, number, date, single, multiple

        /// The Open311 GeoReport v2 datatype.
        public var open311: String {
            switch self {
            case .text: "string"
            case .number: "number"
            case .date: "datetime"
            case .single: "singlevaluelist"
            case .multiple: "multivaluelist"
            }
        }
    }

    public var code: String
    public var labelZh: String
    public var labelEn: String
    public var kind: Kind
    public var options: [String]
    public var required: Bool

    public init(
        code: String, labelZh: String, labelEn: String, kind: Kind, options: [String] = [], required: Bool = false
    ) {
        self.code = code
        self.labelZh = labelZh
        self.labelEn = labelEn
        self.kind = kind
        self.options = options
        self.required = required
    }

    private enum CodingKeys: String, CodingKey { case code, labelZh, labelEn, kind, options, required }

    /// Options and required may be left out; English falls back to the Chinese label.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        labelZh = try c.decode(String.self, forKey: .labelZh)
        labelEn = try c.decodeIfPresent(String.self, forKey: .labelEn) ?? labelZh
        kind = try c.decode(Kind.self, forKey: .kind)
        options = try c.decodeIfPresent([String].self, forKey: .options) ?? []
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
    }

    /// What is wrong with a question definition, in both languages; nil when it is sound.
    public var definitionProblem: (zh: String, en: String)? {
        if code.isEmpty || code.count > 40
            || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        {
            return ("问题编码只能含字母、数字和下划线", "A question code has letters, digits and underscores only")
        }
        if labelZh.trimmingCharacters(in: .whitespaces).isEmpty || labelZh.count > 60 {
            return ("问题“\(code)”的名称应为 1–60 字", "Question \(code): label of 1–60 characters")
        }
        if (kind == .single || kind == .multiple)
            && (options.isEmpty || options.count > 30
                || options.contains { $0.isEmpty || $0.count > 30 || $0.contains(",") })
        {
            return (
                "选择题“\(labelZh)”需要 1–30 个选项（每项不超过 30 字、不含逗号）",
                "Choice question \(code) needs 1–30 options without commas"
            )
        }
        return nil
    }
}

public struct AnswerProblem: Error, Equatable, Sendable {
    public let code: String
    public let messageZh: String
    public let messageEn: String
}

public enum CategoryAnswers {
    /// Checks raw answers (question code → text; several choices separated by commas) against
    /// the questions, and returns them cleaned: trimmed, numbers and dates normalised, choices
    /// in the questions' order. Unknown codes are refused; empty optional answers dropped.
    public static func validate(_ raw: [String: String], against questions: [CategoryQuestion]) throws(AnswerProblem)
        -> [String: String]
    {
        let known = Set(questions.map(\.code))
        if let stray = raw.keys.sorted().first(where: { !known.contains($0) }) {
            throw AnswerProblem(
                code: stray, messageZh: "该分类没有问题“\(stray.prefix(40))”",
                messageEn: "This category has no question \(stray.prefix(40))")
        }
        var out: [String: String] = [:]
        for q in questions {
            let value = (raw[q.code] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty {
                if q.required {
                    throw AnswerProblem(
                        code: q.code, messageZh: "请回答“\(q.labelZh)”", messageEn: "Please answer: \(q.labelEn)")
                }
                continue
            }
            switch q.kind {
            case .text:
                guard value.count <= 500 else {
                    throw AnswerProblem(
                        code: q.code, messageZh: "“\(q.labelZh)”不超过 500 字",
                        messageEn: "\(q.labelEn): at most 500 characters")
                }
                out[q.code] = value
            case .number:
                guard let n = Double(value), n.isFinite, abs(n) < 1e12 else {
                    throw AnswerProblem(
                        code: q.code, messageZh: "“\(q.labelZh)”应为数字", messageEn: "\(q.labelEn) must be a number")
                }
                out[q.code] = n == n.rounded() ? String(Int64(n)) : String(n)
            case .date:
                guard let day = isoDay(value) else {
                    throw AnswerProblem(
                        code: q.code, messageZh: "“\(q.labelZh)”应为日期（如 2026-11-29）",
                        messageEn: "\(q.labelEn) must be a date like 2026-11-29")
                }
                out[q.code] = day
            case .single:
                guard q.options.contains(value) else {
                    throw AnswerProblem(
                        code: q.code, messageZh: "“\(q.labelZh)”应从选项中选择",
                        messageEn: "\(q.labelEn): choose one of the options")
                }
                out[q.code] = value
            case .multiple:
                let picked = Set(
                    value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                guard !picked.isEmpty, picked.isSubset(of: Set(q.options)) else {
                    throw AnswerProblem(
                        code: q.code, messageZh: "“\(q.labelZh)”应从选项中选择",
                        messageEn: "\(q.labelEn): choose from the options")
                }
                out[q.code] = q.options.filter(picked.contains).joined(separator: ",")
            }
        }
        return out
    }

    /// "2026-11-29" (also accepts 2026/11/29 and a date-time's leading day); nil if not a real day.
    static func isoDay(_ text: String) -> String? {
        let head = text.prefix(10).replacingOccurrences(of: "/", with: "-")
        let parts = head.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1900...2100).contains(y), (1...12).contains(m), d >= 1
        else { return nil }
        let days = [
            31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ][m - 1]
        guard d <= days else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
