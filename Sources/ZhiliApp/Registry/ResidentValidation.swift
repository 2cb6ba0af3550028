import Foundation
import Vapor
import ZhiliDomain

/// A resident as submitted by a form, the API or an import row: all text, all optional,
/// so every problem can be reported at once instead of failing on the first.
struct ResidentInput: Content, Sendable {
    var name: String?
    var idType: String?
    var idNumber: String?
    var sex: String?
    var birthDate: String?
    var ethnicity: String?
    var phone: String?
    var householdCode: String?
    var relation: String?
    var residencyType: String?
    var employmentGroup: String?
    var politicalStatus: String?
    var employer: String?
    var notes: String?
    var tags: [String]?
    /// Why the change is made (moves and reviews show it); ignored on registration.
    var reason: String?
}

/// One problem with one field, in both languages.
/// Every problem found with a record; the failure side of validation.
struct ValidationFailure: Error, Sendable { let issues: [FieldIssue] }

struct FieldIssue: Content, Sendable, Equatable {
    let field: String
    let messageZh: String
    let messageEn: String
}

/// A resident that passed every rule; values are normalised (keys for closed lists,
/// upper-case X in ID numbers, sex and birth date derived from the ID number).
struct ValidResident: Sendable, Equatable {
    var name: String
    var idType: String
    var idNumber: String
    var sex: String
    var birthDate: String
    var ethnicity: String
    var phone: String?
    var householdCode: String
    var relation: String
    var residencyType: String
    var employmentGroup: String?
    var politicalStatus: String
    var employer: String?
    var notes: String?
    var tags: [String]

    var nameInitials: String { PinyinInitials.of(name) }
    var age: Int { Calendar.current.component(.year, from: Date()) - (Int(birthDate.prefix(4)) ?? 0) }
}

enum ResidentValidation {
    /// "6.20982199001011E+17": what a spreadsheet keeps of a long number typed into a number cell.
    static func isNumberInScientificNotation(_ text: String) -> Bool {
        text.range(of: #"^[0-9](\.[0-9]+)?E\+?[0-9]{1,2}$"#, options: .regularExpression) != nil
    }

    /// Typed text as stored: trimmed, without control characters or bidirectional overrides.
    static func clean(_ s: String?) -> String? {
        guard let t = s.map({ TextSafety.cleaned($0) })?.trimmedWhitespace, !t.isEmpty else { return nil }
        return t
    }

    /// Validates every field; `tagCatalogue` resolves tag codes or Chinese tag names.
    static func validate(_ input: ResidentInput, tagCatalogue: [String: TagCatalogue.Definition], today: Date = Date())
        -> Result<ValidResident, ValidationFailure>
    {
        var issues: [FieldIssue] = []
        let todayText = isoDay(today)
        func issue(_ field: String, _ zh: String, _ en: String) {
            issues.append(FieldIssue(field: field, messageZh: zh, messageEn: en))
        }

        let name = clean(input.name) ?? ""
        if name.isEmpty {
            issue("name", "姓名不能为空", "Name is required")
        } else if name.count > 40 {
            issue("name", "姓名过长（最多 40 字）", "Name too long (40 characters at most)")
        }

        let idTypeText = clean(input.idType) ?? "resident_id_card"
        let idType = RegistryVocabulary.resolve(RegistryVocabulary.idTypes, idTypeText)?.key
        if idType == nil { issue("idType", "证件类型“\(idTypeText)”无效", "Unknown ID type '\(idTypeText)'") }

        var idNumber = clean(input.idNumber)?.uppercased() ?? ""
        var sex = clean(input.sex).flatMap { s in Sex(rawValue: s) ?? Sex.allCases.first { $0.nameZh == s } }
        var birth = clean(input.birthDate)
        // A spreadsheet's date-and-time cell ("1975-06-01 08:30:00"): the day is the birth date.
        if let b = birth,
            b.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"#, options: .regularExpression) != nil
        {
            birth = String(b.prefix(10))
        }
        if clean(input.sex) != nil, sex == nil { issue("sex", "性别应为“男”或“女”", "Sex must be male or female") }
        if idNumber.isEmpty {
            issue("idNumber", "证件号码不能为空", "ID number is required")
        } else if idType == "resident_id_card", Self.isNumberInScientificNotation(idNumber) {
            // Excel keeps 15 significant digits of a number: an 18-digit ID typed into a
            // number cell is stored as 6.20982199001011E+17, its last digits gone for good.
            issue(
                "idNumber", "身份证号码以数字格式保存，后几位已丢失：请把该列设为文本格式后重新填写",
                "The ID number was saved as a number and its last digits are lost: format the column as text and enter it again"
            )
        } else if idType == "resident_id_card" {
            do {
                let id = try ResidentIDNumber(validating: idNumber, today: today)
                idNumber = id.value
                let derivedBirth = isoDate(id.birthYear, id.birthMonth, id.birthDay)
                if let given = sex, given != id.sex {
                    issue(
                        "sex", "性别与身份证号码不符（号码显示为\(id.sex.nameZh)）",
                        "Sex conflicts with the ID number (\(id.sex.rawValue))")
                }
                if let given = birth, normalisedDate(given) != derivedBirth {
                    issue(
                        "birthDate", "出生日期与身份证号码不符（号码显示为 \(derivedBirth)）",
                        "Birth date conflicts with the ID number (\(derivedBirth))")
                }
                sex = id.sex
                birth = derivedBirth
            } catch let e {
                switch e {
                case .badCheckDigit(let expected):
                    issue("idNumber", "身份证号码校验位错误（应为 \(expected)）", "Wrong check digit (expected \(expected))")
                case .badBirthDate: issue("idNumber", "身份证号码中的出生日期无效", "The birth date inside the ID number is invalid")
                case .badLength: issue("idNumber", "身份证号码应为 18 位", "A resident ID number has 18 characters")
                case .badDivision: issue("idNumber", "身份证号码的地区码无效", "Unknown region code in the ID number")
                case .badCharacters: issue("idNumber", "身份证号码只能包含数字和末位 X", "Only digits and a final X are allowed")
                }
            }
        } else if !(4...24).contains(idNumber.count)
            || !idNumber.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            issue("idNumber", "证件号码应为 4–24 位字母或数字", "ID number must be 4–24 letters or digits")
        }
        if idType != nil, idType != "resident_id_card" {
            if sex == nil { issue("sex", "非身份证证件须填写性别", "Sex is required for this ID type") }
            if birth == nil { issue("birthDate", "非身份证证件须填写出生日期", "Birth date is required for this ID type") }
        }
        var birthDate = ""
        if let b = birth {
            if let d = normalisedDate(b), d <= todayText, d >= "1900-01-01" {
                birthDate = d
            } else if !issues.contains(where: { $0.field == "birthDate" || $0.field == "idNumber" }) {
                issue("birthDate", "出生日期“\(b)”无效（格式 YYYY-MM-DD）", "Invalid birth date '\(b)' (YYYY-MM-DD)")
            }
        }

        let ethnicityText = clean(input.ethnicity) ?? "汉族"
        let ethnicity = RegistryVocabulary.resolve(RegistryVocabulary.ethnicities, ethnicityText)
        if ethnicity == nil { issue("ethnicity", "民族“\(ethnicityText)”无效", "Unknown ethnicity '\(ethnicityText)'") }

        let phone = clean(input.phone).map(PhoneNumber.normalised)
        if let p = phone, !PhoneNumber.isValidMobile(p), !(p.count >= 7 && p.count <= 12 && p.allSatisfy(\.isNumber)) {
            issue("phone", "电话号码“\(p)”无效", "Invalid phone number '\(p)'")
        }

        let household = clean(input.householdCode) ?? ""
        if household.isEmpty {
            issue("householdCode", "户编码不能为空", "Household code is required")
        } else if (try? HierarchyCode(validating: household))?.level != .household {
            issue(
                "householdCode", "户编码“\(household)”格式无效（应为 27 位）", "Malformed household code '\(household)' (27 digits)"
            )
        }

        func closed(_ field: String, _ list: [VocabularyItem], _ text: String?, default fallback: String?, zh: String)
            -> String?
        {
            guard let t = clean(text) else { return fallback }
            guard let item = RegistryVocabulary.resolve(list, t) else {
                issue(field, "\(zh)“\(t)”无效", "Unknown \(field) '\(t)'")
                return nil
            }
            return item.key
        }
        let relation = closed("relation", RegistryVocabulary.relations, input.relation, default: "other", zh: "与户主关系")
        let residency = closed(
            "residencyType", RegistryVocabulary.residencyTypes, input.residencyType, default: "registered", zh: "居住类型")
        let employment = closed(
            "employmentGroup", RegistryVocabulary.employmentGroups, input.employmentGroup, default: nil, zh: "新就业群体类型")
        let political = closed(
            "politicalStatus", RegistryVocabulary.politicalStatuses, input.politicalStatus, default: "masses",
            zh: "政治面貌")

        var tags: [String] = []
        for raw in input.tags ?? [] where clean(raw) != nil {
            if let d = TagCatalogue.resolve(raw, in: tagCatalogue), d.active {
                tags.append(d.code)
            } else {
                issue("tags", "标签“\(raw)”不在标签目录中", "Tag '\(raw)' is not in the catalogue")
            }
        }
        if (clean(input.employer)?.count ?? 0) > 100 { issue("employer", "工作单位过长", "Employer too long") }
        if (clean(input.notes)?.count ?? 0) > 500 {
            issue("notes", "备注过长（最多 500 字）", "Notes too long (500 characters at most)")
        }

        guard issues.isEmpty, let idType, let sex, let ethnicity, let relation, let residency, let political else {
            return .failure(ValidationFailure(issues: issues))
        }
        return .success(
            ValidResident(
                name: name, idType: idType, idNumber: idNumber, sex: sex.rawValue, birthDate: birthDate,
                ethnicity: ethnicity.nameZh,
                phone: phone, householdCode: household, relation: relation, residencyType: residency,
                employmentGroup: employment,
                politicalStatus: political, employer: clean(input.employer), notes: clean(input.notes),
                tags: Array(Set(tags)).sorted()
            ))
    }

    /// Accepts 1990-01-02, 1990/1/2, 1990.1.2, 19900102, 1990年1月2日; returns YYYY-MM-DD if it is a real date.
    static func normalisedDate(_ raw: String) -> String? {
        let digits = raw.replacingScalars(["年": "-", "月": "-", "日": "", "/": "-", ".": "-"])
        var parts = digits.split(separator: "-").map(String.init)
        if parts.count == 1, parts[0].count == 8 {
            let s = parts[0]
            parts = [String(s.prefix(4)), String(s.dropFirst(4).prefix(2)), String(s.suffix(2))]
        }
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1800...2200).contains(y)
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard (1...days).contains(d) else { return nil }
        return isoDate(y, m, d)
    }

    /// YYYY-MM-DD without `String(format:)`, which is slow on Linux and runs once per imported row.
    static func isoDate(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Made once: building a calendar reads the time-zone file, and imports ask per row.
    private static let beijingCalendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return cal
    }()

    static func isoDay(_ date: Date) -> String {
        let c = beijingCalendar.dateComponents([.year, .month, .day], from: date)
        return isoDate(c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
