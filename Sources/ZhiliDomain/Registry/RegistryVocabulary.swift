import Foundation

/// One entry of a closed list in the resident register. `key` is what is stored and never
/// changes; the names are for display. `aliases` are other spellings met in import files.
public struct VocabularyItem: Sendable, Hashable {
    public let key: String
    public let nameZh: String
    public let nameEn: String
    public let aliases: [String]

    public init(key: String, nameZh: String, nameEn: String, aliases: [String] = []) {
        (self.key, self.nameZh, self.nameEn, self.aliases) = (key, nameZh, nameEn, aliases)
    }
}

/// The closed lists of the resident register, with the spellings that spreadsheets from
/// street offices actually contain, so an import can map them to stable keys.
public enum RegistryVocabulary {
    /// The 56 groups in GB 3304-1991 order; the key is the standard's two-letter code, and its
    /// numeric code ("01"…"56", also "1"…"56") and the name without 族 are accepted by `resolve`.
    public static let ethnicities: [VocabularyItem] = {
        let groups: [(String, String, String)] = [
            ("HA", "汉族", "Han"), ("MG", "蒙古族", "Mongol"), ("HU", "回族", "Hui"), ("ZA", "藏族", "Tibetan"),
            ("UG", "维吾尔族", "Uyghur"), ("MH", "苗族", "Miao"), ("YI", "彝族", "Yi"), ("ZH", "壮族", "Zhuang"),
            ("BY", "布依族", "Bouyei"), ("CS", "朝鲜族", "Korean"), ("MA", "满族", "Manchu"), ("DO", "侗族", "Dong"),
            ("YA", "瑶族", "Yao"), ("BA", "白族", "Bai"), ("TJ", "土家族", "Tujia"), ("HN", "哈尼族", "Hani"),
            ("KZ", "哈萨克族", "Kazakh"), ("DA", "傣族", "Dai"), ("LI", "黎族", "Li"), ("LS", "傈僳族", "Lisu"),
            ("VA", "佤族", "Va"), ("SH", "畲族", "She"), ("GS", "高山族", "Gaoshan"), ("LH", "拉祜族", "Lahu"),
            ("SU", "水族", "Sui"), ("DX", "东乡族", "Dongxiang"), ("NX", "纳西族", "Naxi"), ("JP", "景颇族", "Jingpo"),
            ("KG", "柯尔克孜族", "Kyrgyz"), ("TU", "土族", "Tu"), ("DU", "达斡尔族", "Daur"), ("ML", "仫佬族", "Mulao"),
            ("QI", "羌族", "Qiang"), ("BL", "布朗族", "Blang"), ("SL", "撒拉族", "Salar"), ("MN", "毛南族", "Maonan"),
            ("GL", "仡佬族", "Gelao"), ("XB", "锡伯族", "Xibe"), ("AC", "阿昌族", "Achang"), ("PM", "普米族", "Pumi"),
            ("TA", "塔吉克族", "Tajik"), ("NU", "怒族", "Nu"), ("UZ", "乌孜别克族", "Uzbek"), ("RS", "俄罗斯族", "Russian"),
            ("EW", "鄂温克族", "Evenki"), ("DE", "德昂族", "De'ang"), ("BN", "保安族", "Bonan"), ("YG", "裕固族", "Yugur"),
            ("GI", "京族", "Gin"), ("TT", "塔塔尔族", "Tatar"), ("DR", "独龙族", "Derung"), ("OR", "鄂伦春族", "Oroqen"),
            ("HZ", "赫哲族", "Hezhen"), ("MB", "门巴族", "Monba"), ("LB", "珞巴族", "Lhoba"), ("JN", "基诺族", "Jino"),
        ]
        // Colloquial short forms seen in registers, beyond simply dropping 族.
        let colloquial: [String: [String]] = [
            "MG": ["蒙族", "Mongolian"], "UG": ["维族", "Uygur", "Uighur"], "ZA": ["Zang"], "CS": ["Chosen"],
            "MA": ["Man"], "KZ": ["哈族", "Kazak"], "KG": ["Kirgiz"], "GI": ["Jing"], "HU": ["回民"],
        ]
        return groups.enumerated().map { index, group in
            let (key, zh, en) = group
            let number = index + 1
            let aliases = [String(zh.dropLast()), number < 10 ? "0\(number)" : "\(number)", "\(number)"]
            return VocabularyItem(key: key, nameZh: zh, nameEn: en, aliases: aliases + (colloquial[key] ?? []))
        }
    }()

    public static let idTypes: [VocabularyItem] = [
        VocabularyItem(
            key: "resident_id_card", nameZh: "居民身份证", nameEn: "Resident identity card",
            aliases: ["身份证", "二代身份证", "居民身份证号码"]),
        VocabularyItem(
            key: "hk_macao_permit", nameZh: "港澳居民来往内地通行证/居住证", nameEn: "Hong Kong/Macao resident permit",
            aliases: ["港澳居民来往内地通行证", "港澳居民居住证", "回乡证", "港澳台居民居住证（港澳）"]),
        VocabularyItem(
            key: "taiwan_permit", nameZh: "台湾居民来往大陆通行证", nameEn: "Taiwan resident permit",
            aliases: ["台胞证", "台湾居民居住证", "台湾居民来往大陆通行证/居住证"]),
        VocabularyItem(key: "passport", nameZh: "护照", nameEn: "Passport", aliases: ["外国护照", "中国护照"]),
        VocabularyItem(
            key: "foreign_permanent", nameZh: "外国人永久居留身份证", nameEn: "Foreign permanent resident ID card",
            aliases: ["外国人永久居留证", "永居证", "中国绿卡"]),
        VocabularyItem(key: "other", nameZh: "其他", nameEn: "Other", aliases: ["其它", "其他证件"]),
    ]

    /// Relation to the head of household, as in the household register (户口簿).
    public static let relations: [VocabularyItem] = [
        VocabularyItem(key: "head", nameZh: "户主", nameEn: "Head of household", aliases: ["本人"]),
        VocabularyItem(key: "spouse", nameZh: "配偶", nameEn: "Spouse", aliases: ["妻", "妻子", "夫", "丈夫", "夫妻"]),
        VocabularyItem(
            key: "child", nameZh: "子女", nameEn: "Child",
            aliases: ["子", "女", "儿子", "女儿", "长子", "次子", "三子", "长女", "次女", "三女", "独生子", "独生女", "养子", "养女", "继子", "继女"]),
        VocabularyItem(
            key: "parent", nameZh: "父母", nameEn: "Parent", aliases: ["父", "母", "父亲", "母亲", "公公", "婆婆", "岳父", "岳母"]),
        VocabularyItem(
            key: "grandchild", nameZh: "孙子女", nameEn: "Grandchild", aliases: ["孙子", "孙女", "外孙子", "外孙女", "外孙"]),
        VocabularyItem(
            key: "grandparent", nameZh: "祖父母", nameEn: "Grandparent",
            aliases: ["祖父", "祖母", "外祖父", "外祖母", "外祖父母", "爷爷", "奶奶", "外公", "外婆"]),
        VocabularyItem(
            key: "sibling", nameZh: "兄弟姐妹", nameEn: "Sibling",
            aliases: ["兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"]),
        VocabularyItem(key: "child_in_law", nameZh: "儿媳/女婿", nameEn: "Child-in-law", aliases: ["儿媳", "女婿", "媳妇"]),
        VocabularyItem(key: "other", nameZh: "其他", nameEn: "Other", aliases: ["其它", "其他亲属", "非亲属"]),
    ]

    public static let residencyTypes: [VocabularyItem] = [
        VocabularyItem(
            key: "registered", nameZh: "户籍常住", nameEn: "Registered resident", aliases: ["户籍人口", "常住户籍", "户籍"]),
        VocabularyItem(
            key: "non_registered", nameZh: "非户籍常住", nameEn: "Resident registered elsewhere",
            aliases: ["人户分离", "非户籍常住（人户分离）", "非户籍"]),
        VocabularyItem(
            key: "migrant", nameZh: "流动人口", nameEn: "Migrant", aliases: ["外来人员", "外来人口", "暂住人口", "流动人口/外来人员"]),
        VocabularyItem(key: "overseas", nameZh: "境外人员", nameEn: "Overseas resident", aliases: ["境外人口", "境外"]),
    ]

    /// New forms of employment (新就业形态) that community work registers separately.
    public static let employmentGroups: [VocabularyItem] = [
        VocabularyItem(key: "courier", nameZh: "快递员", nameEn: "Courier", aliases: ["快递小哥", "快递"]),
        VocabularyItem(
            key: "delivery_rider", nameZh: "外卖骑手", nameEn: "Food delivery rider", aliases: ["外卖员", "骑手", "外卖送餐员"]),
        VocabularyItem(key: "ride_hailing_driver", nameZh: "网约车司机", nameEn: "Ride-hailing driver", aliases: ["网约车驾驶员"]),
        VocabularyItem(key: "truck_driver", nameZh: "货车司机", nameEn: "Truck driver", aliases: ["卡车司机", "货车驾驶员"]),
        VocabularyItem(
            key: "online_seller", nameZh: "网络主播/电商", nameEn: "Live-streamer or online seller",
            aliases: ["网络主播", "主播", "电商", "网店店主"]),
        VocabularyItem(
            key: "domestic_worker", nameZh: "家政服务员", nameEn: "Domestic worker", aliases: ["家政", "保姆", "育儿嫂", "月嫂"]),
        VocabularyItem(key: "other", nameZh: "其他新就业形态", nameEn: "Other new form of employment", aliases: ["其他", "其它"]),
    ]

    /// Political status (政治面貌) as on personnel forms; the eight democratic parties share one
    /// entry because the register does not need to tell them apart.
    public static let politicalStatuses: [VocabularyItem] = [
        VocabularyItem(key: "party_member", nameZh: "中共党员", nameEn: "CPC member", aliases: ["党员", "中国共产党党员"]),
        VocabularyItem(
            key: "probationary_member", nameZh: "中共预备党员", nameEn: "CPC probationary member", aliases: ["预备党员"]),
        VocabularyItem(key: "league_member", nameZh: "共青团员", nameEn: "CYL member", aliases: ["团员", "中国共产主义青年团团员"]),
        VocabularyItem(
            key: "democratic_party", nameZh: "民主党派", nameEn: "Democratic party member",
            aliases: [
                "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员", "致公党党员", "九三学社社员", "台盟盟员",
                "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟",
            ]),
        VocabularyItem(key: "non_partisan", nameZh: "无党派人士", nameEn: "Non-partisan", aliases: ["无党派"]),
        VocabularyItem(key: "masses", nameZh: "群众", nameEn: "No affiliation", aliases: ["普通群众", "无"]),
    ]

    /// Categories of the national disability certificate (残疾人证).
    public static let disabilityTypes: [VocabularyItem] = [
        ("visual", "视力", "Visual"), ("hearing", "听力", "Hearing"), ("speech", "言语", "Speech"),
        ("physical", "肢体", "Physical"),
        ("intellectual", "智力", "Intellectual"), ("mental", "精神", "Mental"), ("multiple", "多重", "Multiple"),
    ].map { key, short, en in VocabularyItem(key: key, nameZh: short + "残疾", nameEn: en, aliases: [short]) }

    /// Grade 1 is the most severe.
    public static let disabilityGrades: [VocabularyItem] = ["一", "二", "三", "四"].enumerated().map { index, numeral in
        let n = index + 1
        return VocabularyItem(
            key: "grade\(n)", nameZh: numeral + "级", nameEn: "Grade \(n)",
            aliases: ["\(n)级", "\(n)", numeral, numeral + "级残疾"])
    }

    public static func item(_ list: [VocabularyItem], key: String) -> VocabularyItem? {
        list.first { $0.key == key }
    }

    /// Accepts a key or a Chinese name (as typed in an import file, trimmed; e.g. "汉族", "汉", "HA" all → HA for ethnicities; "户主" → head).
    /// Case is ignored; full-width letters, digits and spaces are read as their ASCII forms.
    public static func resolve(_ list: [VocabularyItem], _ text: String) -> VocabularyItem? {
        let wanted = normalised(text)
        guard !wanted.isEmpty else { return nil }
        let folded = wanted.lowercased()
        // Imports resolve several fields per row for many thousand rows, so the built-in lists are
        // answered from an index; a list built elsewhere, or a miss, falls back to a scan.
        for tier in index {
            if let hit = tier[folded]?.first(where: { list.contains($0) }) { return hit }
        }
        func matches(_ spelling: String) -> Bool { normalised(spelling).lowercased() == folded }
        return list.first { matches($0.key) }
            ?? list.first { matches($0.nameZh) || matches($0.nameEn) }
            ?? list.first { $0.aliases.contains(where: matches) }
    }

    /// Keys, then names, then aliases, each normalised like the input: a key beats a name and a name
    /// beats an alias, so an alias can never shadow another entry's name.
    private static let index: [[String: [VocabularyItem]]] = {
        let lists = [
            ethnicities, idTypes, relations, residencyTypes, employmentGroups, politicalStatuses,
            disabilityTypes, disabilityGrades,
        ]
        let tiers: [(VocabularyItem) -> [String]] = [{ [$0.key] }, { [$0.nameZh, $0.nameEn] }, \.aliases]
        return tiers.map { spellings in
            var tier: [String: [VocabularyItem]] = [:]
            for item in lists.joined() {
                for spelling in Set(spellings(item).map { normalised($0).lowercased() }) {
                    tier[spelling, default: []].append(item)
                }
            }
            return tier
        }
    }()

    /// Trims (also the ideographic space) and folds full-width ASCII to half-width, since both
    /// come out of Chinese input methods and spreadsheets.
    private static func normalised(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3000: scalars.append(" ")
            case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            default: scalars.append(scalar)
            }
        }
        return String(scalars).trimmedWhitespace
    }
}
