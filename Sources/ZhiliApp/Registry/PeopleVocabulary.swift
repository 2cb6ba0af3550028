/// Closed lists a resident record uses, stored as their English key, shown in Chinese.
enum HouseholdRelation: String, CaseIterable, Sendable {
    case head, spouse, child, parent, grandchild, sibling, other
    var nameZh: String {
        switch self {
        case .head: "户主"
        case .spouse: "配偶"
        case .child: "子女"
        case .parent: "父母"
        case .grandchild: "孙子女"
        case .sibling: "兄弟姐妹"
        case .other: "其他"
        }
    }
}

enum ResidencyType: String, CaseIterable, Sendable {
    case registeredResident = "registered", nonRegisteredResident = "non_registered", migrant
    var nameZh: String {
        switch self {
        case .registeredResident: "户籍常住"
        case .nonRegisteredResident: "非户籍常住"
        case .migrant: "流动人口"
        }
    }
}

enum KeyPopulationTag: String, CaseIterable, Sendable {
    case elderlyAlone = "elderly_alone", disabled, criticallyIll = "critically_ill", leftBehindChild = "left_behind_child", pairedAssistance = "paired_assistance"
    var nameZh: String {
        switch self {
        case .elderlyAlone: "孤寡老人"
        case .disabled: "残障人士"
        case .criticallyIll: "危重症病人"
        case .leftBehindChild: "留守儿童"
        case .pairedAssistance: "结对帮扶对象"
        }
    }
}
