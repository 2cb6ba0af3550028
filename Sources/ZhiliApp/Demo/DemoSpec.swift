/// How big the demo city is. Scale 1 is the seed's Dunhuang; `--scale N` multiplies it.
struct DemoSpec: Sendable {
    let scale: Int
    let cityCode = "620982"
    let cityName = "敦煌市"
    let center = (lat: 40.1420, lon: 94.6620)

    var streets: Int
    var communities: Int
    var grids: Int
    var compounds: Int
    var buildings: Int
    var households: Int
    var residents: Int
    var partyBranches: Int
    var partyMembers: Int
    var volunteers: Int
    var auxiliaryPlaces: Int
    var merchants: Int
    var coBuildingUnits: Int
    var devices: Int
    var complaintsPerYear: Int
    var keyPersonBase = [900, 820, 310, 420, 528]

    init(scale: Int) {
        self.scale = scale
        streets = 3 * scale
        communities = 12 * scale
        grids = 79 * scale
        compounds = 239 * scale
        buildings = 2_400 * scale
        households = 30_000 * scale
        residents = 80_000 * scale
        partyBranches = 23 * scale
        partyMembers = 2_300 * scale
        volunteers = 3_500 * scale
        auxiliaryPlaces = 64_000 * scale
        merchants = 900 * scale
        coBuildingUnits = 150 * scale
        devices = 70 * scale
        complaintsPerYear = 6_000 * scale
    }

    /// A small town for tests: two communities, four grids, a few hundred people.
    static var tiny: DemoSpec {
        var s = DemoSpec(scale: 1)
        s.streets = 1
        s.communities = 2
        s.grids = 4
        s.compounds = 6
        s.buildings = 12
        s.households = 120
        s.residents = 300
        s.partyBranches = 2
        s.partyMembers = 20
        s.volunteers = 30
        s.auxiliaryPlaces = 100
        s.merchants = 5
        s.coBuildingUnits = 3
        s.devices = 4
        s.complaintsPerYear = 60
        s.keyPersonBase = [5, 4, 3, 3, 3]
        return s
    }

    /// The seed's 2,978 key persons across its five tags.
    var keyPersons: [(KeyPopulationTag, Int)] {
        let tags: [KeyPopulationTag] = [.elderlyAlone, .disabled, .criticallyIll, .leftBehindChild, .pairedAssistance]
        return zip(tags, keyPersonBase).map { ($0, $1 * scale) }
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
    static let communities = [
        "阳关", "鸣山", "沙州", "飞天", "月泉", "党河", "丝路", "南湖", "西域", "三危", "北关", "文昌",
        "古城", "东街", "西关", "雷音", "玉门", "渥洼", "绿洲", "大漠", "驼铃", "汉唐", "敦煌", "莫高",
    ]
    static let compoundPrefixes = [
        "鸣沙", "阳关", "飞天", "丝路", "党河", "月泉", "文昌", "古城", "三危", "莫高", "玉门", "雷音",
        "沙州", "金辉", "祥和", "富康", "康乐", "和平", "团结", "幸福", "光明", "银河", "宏达", "绿洲",
        "天润", "西域", "驼铃", "汉唐", "盛世", "锦绣", "瑞祥", "春晖", "馨园", "泉湖", "敦化", "兴业",
    ]
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
