/// How big the demo city is. Scale 1 is the seed's Dunhuang; `--scale N` multiplies it.
struct DemoSpec: Sendable {
    let scale: Int
    let cityCode = "620982"
    let cityName = "敦煌市"
    let center = (lat: 40.1420, lon: 94.6620)

    var streets: Int { 3 * scale }
    var communities: Int { 12 * scale }
    var grids: Int { 79 * scale }
    var compounds: Int { 239 * scale }
    var buildings: Int { 2_400 * scale }
    var households: Int { 30_000 * scale }
    var residents: Int { 80_000 * scale }
    var partyBranches: Int { 23 * scale }
    var partyMembers: Int { 2_300 * scale }
    var volunteers: Int { 3_500 * scale }
    var auxiliaryPlaces: Int { 64_000 * scale }
    var merchants: Int { 900 * scale }
    var coBuildingUnits: Int { 150 * scale }
    var devices: Int { 70 * scale }
    /// The seed's 2,978 key persons across its five tags.
    var keyPersons: [(KeyPopulationTag, Int)] {
        let base: [(KeyPopulationTag, Int)] = [(.elderlyAlone, 900), (.disabled, 820), (.criticallyIll, 310), (.leftBehindChild, 420), (.pairedAssistance, 528)]
        return base.map { ($0.0, $0.1 * scale) }
    }

    /// Spreads `total` items over `buckets` as evenly as possible (earlier buckets take the remainder).
    static func spread(_ total: Int, over buckets: Int) -> [Int] {
        guard buckets > 0 else { return [] }
        return (0..<buckets).map { total / buckets + ($0 < total % buckets ? 1 : 0) }
    }
}

/// Names that make the demo city read like Dunhuang.
enum DemoNames {
    static let streets = ["沙州镇", "七里镇", "肃州镇", "莫高镇", "转渠口镇", "阳关镇", "月牙泉镇", "郭家堡镇", "黄渠镇"]
    static let communities = ["阳关", "鸣山", "沙州", "飞天", "月泉", "党河", "丝路", "南湖", "西域", "三危", "北关", "文昌",
                              "古城", "东街", "西关", "雷音", "玉门", "渥洼", "绿洲", "大漠", "驼铃", "汉唐", "敦煌", "莫高"]
    static let compoundPrefixes = ["鸣沙", "阳关", "飞天", "丝路", "党河", "月泉", "文昌", "古城", "三危", "莫高", "玉门", "雷音",
                                   "沙州", "金辉", "祥和", "富康", "康乐", "和平", "团结", "幸福", "光明", "银河", "宏达", "绿洲",
                                   "天润", "西域", "驼铃", "汉唐", "盛世", "锦绣", "瑞祥", "春晖", "馨园", "泉湖", "敦化", "兴业"]
    static let compoundSuffixes = ["小区", "花园", "家园", "嘉苑", "花苑", "新村", "佳苑", "名苑", "雅居", "公寓", "人家", "华庭"]
    static let chineseNumerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    static func street(_ i: Int) -> String {
        i < streets.count ? streets[i] : "新区第\(i - streets.count + 1)街道"
    }

    static func community(_ i: Int) -> String {
        let base = communities[i % communities.count]
        let round = i / communities.count
        return round == 0 ? "\(base)社区" : "\(base)\(round + 1)社区"
    }

    static func grid(community: String, index: Int) -> String {
        let short = community.hasSuffix("社区") ? String(community.dropLast(2)) : community
        return "\(short)第\(index + 1)网格"
    }
}
