import Foundation

/// 情: what residents' words are about, beyond the category a clerk picked. A theme is a
/// named list of keywords; a complaint carries every theme one of whose keywords its text
/// contains. The dictionaries are configuration (administrators edit them); these are the
/// defaults a new city starts with.
public struct ComplaintTheme: Sendable, Equatable, Codable {
    public var code: String
    public var nameZh: String
    public var nameEn: String
    public var keywords: [String]

    public init(code: String, nameZh: String, nameEn: String, keywords: [String]) {
        self.code = code
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.keywords = keywords
    }

    public static let defaults: [ComplaintTheme] = [
        ComplaintTheme(
            code: "sanitation", nameZh: "环境脏乱", nameEn: "Dirt and rubbish",
            keywords: ["垃圾", "异味", "臭", "污水", "脏", "清运", "堆放"]),
        ComplaintTheme(code: "noise", nameZh: "噪声扰民", nameEn: "Noise", keywords: ["噪音", "噪声", "吵", "扰民", "音响", "电钻"]),
        ComplaintTheme(code: "parking", nameZh: "停车难", nameEn: "Parking", keywords: ["停车", "车位", "乱停", "占道", "私家车"]),
        ComplaintTheme(
            code: "elderly", nameZh: "一老一小", nameEn: "Elderly and children",
            keywords: ["老人", "独居", "养老", "高龄", "儿童", "孩子", "上下楼困难"]),
        ComplaintTheme(
            code: "safety", nameZh: "安全担忧", nameEn: "Safety worries",
            keywords: ["隐患", "消防", "漏电", "燃气", "危险", "裸露", "充电", "安全"]),
        ComplaintTheme(
            code: "broken", nameZh: "设施损坏", nameEn: "Broken facilities",
            keywords: ["破损", "损坏", "失灵", "不亮", "异响", "坏了", "停运"]),
        ComplaintTheme(
            code: "utilities", nameZh: "水电暖", nameEn: "Water, power, heating",
            keywords: ["停水", "停电", "暖气", "供暖", "水压", "漏水", "不热"]),
        ComplaintTheme(
            code: "neighbours", nameZh: "邻里矛盾", nameEn: "Neighbour disputes",
            keywords: ["纠纷", "邻居", "矛盾", "吵架", "协商不成", "宠物"]),
        ComplaintTheme(
            code: "encroachment", nameZh: "违建占用", nameEn: "Encroachment", keywords: ["违建", "私搭乱建", "占用", "加盖", "占道经营"]),
        ComplaintTheme(code: "hardship", nameZh: "生活困难", nameEn: "Hardship", keywords: ["困难", "救助", "低保", "补贴", "残疾"]),
        ComplaintTheme(
            code: "frustration", nameZh: "情绪急迫", nameEn: "Frustration",
            keywords: ["多次", "反复", "一直没人", "没人管", "无人", "再不", "紧急", "马上"]),
    ]
}

/// Finds the themes of a text. Built once from the dictionaries; matching is a byte search of
/// each keyword's UTF-8 in the text's UTF-8 with spaces removed (so "垃 圾" still counts as
/// 垃圾): valid UTF-8 cannot match in the middle of a character, and it is fast enough to
/// recount a million complaints in seconds.
public struct ThemeMatcher: Sendable {
    private let entries: [(code: String, keywords: [[UInt8]])]

    public init(_ themes: [ComplaintTheme]) {
        entries = themes.map { theme in
            (theme.code, theme.keywords.map { Self.compact(Array($0.utf8)) }.filter { !$0.isEmpty })
        }
    }

    /// Theme codes in dictionary order, each at most once.
    public func themes(of text: String) -> [String] {
        let haystack = Self.compact(Array(text.utf8))
        return entries.filter { entry in entry.keywords.contains { Self.contains(haystack, $0) } }.map(\.code)
    }

    /// Drops ASCII white space and the ideographic space (U+3000, E3 80 80).
    static func compact(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                i += 1
                continue
            }
            if b == 0xE3, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0x80 {
                i += 3
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count
        let h = haystack.count
        guard n > 0, n <= h, let first = needle.first else { return false }
        var i = 0
        while i <= h - n {
            if haystack[i] == first {
                var j = 1
                while j < n && haystack[i + j] == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }
}
