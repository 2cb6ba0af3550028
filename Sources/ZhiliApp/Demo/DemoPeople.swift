import ZhiliDomain

/// A fictitious resident for the demo city. Never derived from real records.
public struct DemoPerson: Sendable {
    public var name: String
    public var sex: Sex
    public var birthYear, birthMonth, birthDay: Int
    public var idNumber: String
    public var phone: String
    public var ethnicity: String

    public init(
        name: String, sex: Sex, birthYear: Int, birthMonth: Int, birthDay: Int,
        idNumber: String, phone: String, ethnicity: String
    ) {
        (self.name, self.sex, self.idNumber, self.phone, self.ethnicity) = (name, sex, idNumber, phone, ethnicity)
        (self.birthYear, self.birthMonth, self.birthDay) = (birthYear, birthMonth, birthDay)
    }
}

/// Deterministic: the same generator state always yields the same people, so
/// a demo database can be rebuilt identically from one seed.
///
/// Identity numbers are not guaranteed unique across calls (only 50 numbers
/// exist per birth date and sex in the demo range); callers filling a table
/// with a unique index should keep a set and redraw on collision.
public enum DemoPeople {
    /// divisionCode: 6 digits used in ID numbers (use the real one, 620982).
    ///
    /// The division is real so that numbers look and validate like local ones.
    /// What marks them as fictitious is digits 15–16: this generator only ever
    /// writes "90"…"99" there, a range it reserves, so a demo number can be
    /// recognised (and scrubbed) by that pattern. They are check-digit valid
    /// and could coincide with a real person's number, so they must never be
    /// sent to any external identity service.
    public static func person(
        using rng: inout SeededGenerator, divisionCode: String, surname: String? = nil,
        birthYearRange: ClosedRange<Int> = 1935...2024,
        referenceYear: Int = 2026
    ) -> DemoPerson {
        let sex: Sex = rng.chance(0.51) ? .male : .female
        let year = birthYear(in: birthYearRange, referenceYear: referenceYear, using: &rng)
        let month = rng.int(1...12)
        let day = rng.int(1...CivilDate.daysIn(month: month, year: year))
        let family = surname ?? self.surname(using: &rng)
        let given = fortunateGivenName(surname: family, sex: sex, birthYear: year, using: &rng)
        let sequence = 90 + rng.int(0...9)
        let sexDigit = rng.int(0...4) * 2 + (sex == .male ? 1 : 0)
        let id = ResidentIDNumber.compose(
            division: divisionCode, year: year, month: month, day: day,
            sequence: sequence, sexDigit: sexDigit)
        return DemoPerson(
            name: family + given, sex: sex, birthYear: year, birthMonth: month, birthDay: day,
            idNumber: id, phone: mobile(using: &rng), ethnicity: ethnicityTable.pick(using: &rng))
    }

    /// Rejection sampling thins the elderly so the population has a plausible
    /// age pyramid rather than as many 90-year-olds as 30-year-olds.
    private static func birthYear(
        in range: ClosedRange<Int>, referenceYear: Int,
        using rng: inout SeededGenerator
    ) -> Int {
        while true {
            let year = rng.int(range)
            let age = Double(referenceYear - year)
            let keep = age <= 60 ? 1.0 : max(0.05, 1 - (age - 60) / 35)
            if rng.chance(keep) { return year }
        }
    }

    public static func surname(using rng: inout SeededGenerator) -> String {
        surnameTable.pick(using: &rng)
    }

    public static func givenName(sex: Sex, birthYear: Int, using rng: inout SeededGenerator) -> String {
        let pool = GivenNamePool.matching(sex: sex, birthYear: birthYear)
        return rng.chance(pool.singleShare) ? rng.pick(pool.single) : rng.pick(pool.double)
    }

    private static func fortunateGivenName(
        surname: String, sex: Sex, birthYear: Int,
        using rng: inout SeededGenerator
    ) -> String {
        while true {
            let given = givenName(sex: sex, birthYear: birthYear, using: &rng)
            if !isUnfortunate(surname: surname, given: given) { return given }
        }
    }

    /// Pools are curated whole names, so the only bad pairings left are with
    /// the surname: crude homophones, famous or meme names, and 孙子 ("grandson", an insult).
    static func isUnfortunate(surname: String, given: String) -> Bool {
        let blocked: Set<String> = [
            "杨伟", "范统", "吴德", "吴能", "吴用", "范建", "李刚", "刘芒", "朱军",
            "杜子腾", "史珍香", "朱逸群", "沈京兵", "魏生津", "秦寿生", "杜琦燕", "胡丽晶",
        ]
        if blocked.contains(surname + given) { return true }
        if surname == "孙" && given.hasPrefix("子") { return true }
        return given.hasPrefix(surname)
    }

    /// The look is valid; nothing reserves a fictitious range in China, so
    /// these may belong to real subscribers. Demo mode must route SMS to a sink.
    public static func mobile(using rng: inout SeededGenerator) -> String {
        rng.pick(mobilePrefixes) + ASCIIDigits.padded(rng.int(0...99_999_999), width: 8)
    }

    static let mobilePrefixes = [
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
        "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "185",
        "186", "187", "188", "189", "191", "198", "199",
    ]

    /// The 56 officially recognised groups in GB 3304 order.
    public static let ethnicities: [String] = [
        "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
        "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
        "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
        "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
        "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
        "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
    ]

    /// Shares in percent, shaped on Gansu and the Jiuquan area (Aksay Kazakh and
    /// Subei Mongol counties border Dunhuang); groups not listed do not occur.
    private static let ethnicityTable = WeightedTable([
        ("汉族", 92.0), ("回族", 3.6), ("东乡族", 1.0), ("藏族", 1.0), ("蒙古族", 0.7), ("哈萨克族", 0.5),
        ("裕固族", 0.3), ("土族", 0.3), ("满族", 0.2), ("维吾尔族", 0.15), ("撒拉族", 0.1),
        ("保安族", 0.05), ("壮族", 0.05), ("土家族", 0.05),
    ])

    /// Approximate national shares in percent (public census summaries), rounded.
    private static let surnameTable = WeightedTable([
        ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.4), ("赵", 2.3),
        ("吴", 2.0), ("周", 1.9), ("徐", 1.6), ("孙", 1.5), ("马", 1.5), ("朱", 1.3), ("胡", 1.3), ("郭", 1.2),
        ("何", 1.2), ("高", 1.1), ("林", 1.1), ("罗", 0.9), ("郑", 0.9), ("梁", 0.8), ("谢", 0.7), ("宋", 0.7),
        ("唐", 0.7), ("许", 0.6), ("韩", 0.6), ("冯", 0.6), ("邓", 0.6), ("曹", 0.6), ("彭", 0.5), ("曾", 0.5),
        ("肖", 0.5), ("田", 0.5), ("董", 0.5), ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4),
        ("余", 0.4), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.3),
        ("任", 0.3), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
        ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3), ("夏", 0.2),
        ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2),
        ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2),
        ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2),
        ("龚", 0.2), ("邵", 0.2), ("万", 0.1), ("钱", 0.1), ("严", 0.1), ("覃", 0.1), ("武", 0.1), ("戴", 0.1),
        ("莫", 0.1), ("孔", 0.1), ("向", 0.1), ("汤", 0.1),
    ])
}

/// Cumulative weights with binary search: O(log n) per draw for tables read
/// hundreds of thousands of times while seeding.
struct WeightedTable: Sendable {
    let items: [String]
    private let cumulative: [Double]

    init(_ entries: [(String, Double)]) {
        items = entries.map(\.0)
        cumulative = entries.reduce(into: []) { $0.append(($0.last ?? 0) + $1.1) }
    }

    func pick(using rng: inout SeededGenerator) -> String {
        let target = rng.unitInterval() * (cumulative.last ?? 0)
        var (low, high) = (0, cumulative.count - 1)
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}

/// Given names fashionable in each birth era, split by sex. Whole names are
/// listed instead of combining characters, which is what keeps odd pairs out.
struct GivenNamePool: Sendable {
    let single: [String]
    let double: [String]
    let singleShare: Double

    static func matching(sex: Sex, birthYear: Int) -> GivenNamePool {
        let male = sex == .male
        switch birthYear {
        case ..<1960: return male ? oldMale : oldFemale
        case ..<1980: return male ? midMale : midFemale
        case ..<2000: return male ? youngMale : youngFemale
        default: return male ? newMale : newFemale
        }
    }

    static let oldMale = GivenNamePool(
        single: ["军", "强", "华", "明", "海", "忠", "义", "福", "山", "胜"],
        double: [
            "建国", "建华", "国庆", "国华", "国强", "卫国", "解放", "援朝", "志强", "永福",
            "德胜", "德明", "振华", "树林", "长生", "福生", "金山", "宝山", "玉林", "文斌",
        ],
        singleShare: 0.2)
    static let oldFemale = GivenNamePool(
        single: ["英", "兰", "珍", "芳", "梅", "琴", "霞", "凤"],
        double: [
            "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "秀珍", "兰英",
            "玉梅", "桂芳", "秀梅", "凤兰", "淑英", "玉英", "金花", "春花", "桂香", "翠英",
        ],
        singleShare: 0.2)
    static let midMale = GivenNamePool(
        single: ["伟", "军", "勇", "刚", "斌", "平", "辉", "涛", "峰", "强"],
        double: [
            "建军", "建平", "卫东", "红军", "志刚", "志明", "海军", "永刚", "建伟", "国平",
            "晓东", "文明", "立新", "建新", "东升", "向东", "跃进", "红兵", "建林", "新民",
        ],
        singleShare: 0.3)
    static let midFemale = GivenNamePool(
        single: ["红", "丽", "艳", "萍", "燕", "霞", "敏", "娟", "芳", "玲"],
        double: [
            "丽华", "红梅", "秀云", "美玲", "丽娟", "海燕", "红霞", "春燕", "玉霞", "爱华",
            "小红", "丽萍", "艳红", "桂芝", "晓梅", "红英", "亚玲", "卫红", "彩霞", "雪莲",
        ],
        singleShare: 0.3)
    static let youngMale = GivenNamePool(
        single: ["浩", "磊", "鹏", "超", "杰", "宇", "鑫", "帅", "亮", "健"],
        double: [
            "志伟", "俊杰", "晓明", "文博", "海涛", "晓峰", "鹏飞", "家豪", "天宇", "明辉",
            "伟强", "宏伟", "俊峰", "振宇", "晨阳", "博文", "立伟", "鑫磊", "嘉伟", "永杰",
        ],
        singleShare: 0.35)
    static let youngFemale = GivenNamePool(
        single: ["婷", "静", "娜", "丹", "倩", "佳", "琳", "颖", "雪", "蕾"],
        double: [
            "婷婷", "晓燕", "丽娜", "佳慧", "雪梅", "思琪", "梦瑶", "晶晶", "欣怡", "倩倩",
            "丹丹", "莉莉", "雅琴", "文静", "晓丽", "慧敏", "玉洁", "亚楠", "梦婷", "佳琪",
        ],
        singleShare: 0.35)
    static let newMale = GivenNamePool(
        single: ["睿", "宸", "泽", "轩", "博"],
        double: [
            "子涵", "浩然", "梓轩", "宇轩", "子轩", "浩宇", "俊熙", "皓轩", "一诺", "沐宸",
            "梓睿", "宇航", "博宇", "奕辰", "子墨", "铭泽", "锦程", "承泽", "思远", "天佑",
        ],
        singleShare: 0.1)
    static let newFemale = GivenNamePool(
        single: ["萱", "悦", "瑶", "彤", "妍"],
        double: [
            "子涵", "欣怡", "梓涵", "诗涵", "雨涵", "一诺", "紫萱", "梓萱", "雨桐", "可欣",
            "语嫣", "若曦", "沐晴", "依诺", "欣妍", "思彤", "梦琪", "佳怡", "芷若", "晨曦",
        ],
        singleShare: 0.1)
}
