/// How carefully a tag must be shown: it decides which roles may see that a person carries it.
public enum TagSensitivity: String, Sendable, CaseIterable, Codable {
    /// Visible to anyone who may see the person.
    case normal
    /// Health data, sensitive personal information under the PIPL.
    case health
    /// Concerns a child, so also sensitive under the PIPL.
    case minor
    /// Receipt of social assistance, which people are entitled to keep from their neighbours.
    case welfare
}

/// One key-population tag (重点人群标签). Tags form a tree: groups have no parent and are
/// only for browsing; residents carry the leaves.
public struct TagDefinition: Sendable, Hashable {
    public let code: String
    public let parentCode: String?
    public let nameZh: String
    public let nameEn: String
    public let sensitivity: TagSensitivity
    /// Default care-plan visit frequency; nil where the tag implies no routine home visit.
    public let visitIntervalDays: Int?

    public init(
        code: String, parentCode: String?, nameZh: String, nameEn: String,
        sensitivity: TagSensitivity = .normal, visitIntervalDays: Int? = nil
    ) {
        (self.code, self.parentCode, self.nameZh, self.nameEn) = (code, parentCode, nameZh, nameEn)
        (self.sensitivity, self.visitIntervalDays) = (sensitivity, visitIntervalDays)
    }
}

/// The catalogue a new city starts with; each city may add, rename or retire tags, but these
/// codes are stable so reports can be compared across cities.
public enum KeyPopulationCatalogue {
    /// Groups come before their members, so the list can be inserted in order.
    ///
    /// Intervals follow common community practice: weekly for people living alone in old age or
    /// in critical illness, fortnightly for children without parental care, monthly otherwise,
    /// quarterly where the visit is a check that circumstances still hold. Tags managed by
    /// another authority (community correction by the justice bureau, for instance) still get
    /// the community's own contact interval, not the supervising authority's.
    public static let defaults: [TagDefinition] = [
        group("elderly", "老年人", "Older people"),
        TagDefinition(
            code: "elderly_alone", parentCode: "elderly", nameZh: "孤寡老人", nameEn: "Elderly living alone without family",
            sensitivity: .welfare, visitIntervalDays: 7),
        TagDefinition(
            code: "empty_nest_elderly", parentCode: "elderly", nameZh: "空巢老人", nameEn: "Empty-nest elderly",
            visitIntervalDays: 14),
        TagDefinition(
            code: "elderly_80_plus", parentCode: "elderly", nameZh: "高龄老人", nameEn: "Aged 80 or over",
            visitIntervalDays: 30),

        group("special_care", "特殊关爱", "Special care"),
        TagDefinition(
            code: "disabled", parentCode: "special_care", nameZh: "残障人士", nameEn: "Person with disability",
            sensitivity: .health, visitIntervalDays: 30),
        TagDefinition(
            code: "critically_ill", parentCode: "special_care", nameZh: "危重症病人", nameEn: "Critically ill",
            sensitivity: .health, visitIntervalDays: 7),
        TagDefinition(
            code: "left_behind_child", parentCode: "special_care", nameZh: "留守儿童", nameEn: "Left-behind child",
            sensitivity: .minor, visitIntervalDays: 14),
        TagDefinition(
            code: "difficult_child", parentCode: "special_care", nameZh: "困境儿童", nameEn: "Child in difficulty",
            sensitivity: .minor, visitIntervalDays: 14),
        TagDefinition(
            code: "left_behind_woman", parentCode: "special_care", nameZh: "留守妇女", nameEn: "Left-behind woman",
            visitIntervalDays: 30),
        TagDefinition(
            code: "pregnant", parentCode: "special_care", nameZh: "孕产妇", nameEn: "Pregnant or postpartum woman",
            sensitivity: .health, visitIntervalDays: 30),

        group("assistance", "帮扶救助", "Assistance and relief"),
        TagDefinition(
            code: "paired_assistance", parentCode: "assistance", nameZh: "结对帮扶对象",
            nameEn: "Paired assistance recipient",
            sensitivity: .welfare, visitIntervalDays: 30),
        TagDefinition(
            code: "subsistence_allowance", parentCode: "assistance", nameZh: "低保户",
            nameEn: "Subsistence allowance household",
            sensitivity: .welfare, visitIntervalDays: 90),
        TagDefinition(
            code: "extreme_poverty", parentCode: "assistance", nameZh: "特困人员", nameEn: "Person in extreme poverty",
            sensitivity: .welfare, visitIntervalDays: 30),

        group("preferential_care", "优抚对象", "Veterans and entitled groups"),
        TagDefinition(code: "veteran", parentCode: "preferential_care", nameZh: "退役军人", nameEn: "Veteran"),

        group("safety", "平安建设", "Public safety"),
        TagDefinition(
            code: "severe_mental_illness", parentCode: "safety", nameZh: "严重精神障碍患者",
            nameEn: "Person with severe mental illness",
            sensitivity: .health, visitIntervalDays: 30),
        TagDefinition(
            code: "community_correction", parentCode: "safety", nameZh: "社区矫正对象", nameEn: "Under community correction",
            visitIntervalDays: 30),
        TagDefinition(
            code: "released_prisoner", parentCode: "safety", nameZh: "刑满释放人员", nameEn: "Released prisoner",
            visitIntervalDays: 90),
        TagDefinition(
            code: "drug_rehab", parentCode: "safety", nameZh: "戒毒康复人员", nameEn: "In drug rehabilitation",
            sensitivity: .health, visitIntervalDays: 30),
        TagDefinition(
            code: "petitioner", parentCode: "safety", nameZh: "重点信访人员", nameEn: "Frequent petitioner",
            visitIntervalDays: 30),
    ]

    private static func group(_ code: String, _ nameZh: String, _ nameEn: String) -> TagDefinition {
        TagDefinition(code: code, parentCode: nil, nameZh: nameZh, nameEn: nameEn)
    }
}
