import Foundation

/// What of a resident's words may be shown to the public (an Open311 tracker, neighbours
/// following a complaint): the description with phone numbers, ID numbers and names taken
/// out. Names in free text cannot be found in general; this removes the names it is told
/// (the submitter's), a name introduced as one (我叫…, 联系人…, 姓名…) and the surname before
/// a form of address (王先生 → *先生).
public enum PublicText {
    public static let mask = "＊＊"

    // Compiled once and only read (Regex is not marked Sendable; matching does not mutate it).
    nonisolated(unsafe) private static let patterns: [(Regex<AnyRegexOutput>, String)] = [
        // 18-digit ID numbers (last may be X), before phones so their digits are not split.
        // (Swift's Regex has no lookbehind: the character before is captured and put back.)
        (try! Regex(#"(^|[^0-9])[0-9]{17}[0-9Xx](?![0-9])"#), "$1［证件号已隐去］"),
        // Mobiles, also written with spaces or dashes (138 0013 8000), with or without +86.
        (try! Regex(#"(^|[^0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]){8}(?![0-9])"#), "$1［电话已隐去］"),
        // Landlines: 0937-1234567, (0937)1234567.
        (try! Regex(#"(^|[^0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3}-?)[0-9]{7,8}(?![0-9])"#), "$1［电话已隐去］"),
        // A name introduced as one.
        (try! Regex(#"(我叫|联系人|姓名|名叫)([:：]?\s*)\p{Han}{2,3}"#), "$1$2" + mask),
        // A surname before a form of address.
        (try! Regex(#"\p{Han}(先生|女士|师傅|阿姨|大爷|大妈|奶奶|爷爷|老师)"#), "*$1"),
    ]

    public static func redacted(_ text: String, names: [String] = []) -> String {
        var out = text
        for name in names where name.count >= 2 { out = out.replacingOccurrences(of: name, with: mask) }
        for (pattern, template) in patterns {
            out = out.replacing(pattern) { match in
                var result = template
                for i in 1..<max(match.output.count, 1) {
                    result = result.replacingOccurrences(
                        of: "$\(i)", with: match.output[i].substring.map(String.init) ?? "")
                }
                return result
            }
        }
        return out
    }

    /// A point shown to the public, rounded to about 100 m (three decimals).
    public static func coarse(_ degrees: Double) -> Double { (degrees * 1000).rounded() / 1000 }
}

/// Text a person typed, safe to store and show: no NUL or other control characters (a tab
/// and line breaks stay where `multiline`), and no bidirectional overrides or isolates,
/// which make a name or note display in an order other than the one stored.
public enum TextSafety {
    static func isUnsafe(_ s: Unicode.Scalar, multiline: Bool) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return !multiline
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    public static func cleaned(_ text: String, multiline: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, multiline: multiline) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for s in text.unicodeScalars where !isUnsafe(s, multiline: multiline) { scalars.append(s) }
        return String(scalars)
    }
}
