import Foundation
import ZhiliDomain

/// Families for every household (head, spouse, children, sometimes parents), then key-person
/// tags, party members and volunteers drawn from them. Exact totals from `DemoSpec`.
struct DemoPopulation: Sendable {
    var residents: [ResidentRow] = []
    var tags: [TagRow] = []
    var partyOrgs: [PartyOrgRow] = []
    var partyMembers: [PartyMemberRow] = []
    var volunteers: [VolunteerRow] = []
    /// Next free ID variant per birth date and sex (50 fictitious variants each, see `demoID`).
    private var nextVariant: [String: Int] = [:]
    let referenceYear = 2026

    init(spec: DemoSpec, geography: DemoGeography, rng: inout SeededGenerator) {
        let sizes = Self.householdSizes(count: geography.households.count, total: spec.residents, rng: &rng)
        residents.reserveCapacity(spec.residents)
        for (household, size) in zip(geography.households, sizes) {
            addFamily(household: household, size: size, division: spec.cityCode, rng: &rng)
        }
        addTags(spec: spec, rng: &rng)
        addParty(spec: spec, geography: geography, rng: &rng)
        addVolunteers(spec: spec, rng: &rng)
    }

    /// Household sizes from a plausible distribution, nudged until they sum to `total`.
    static func householdSizes(count: Int, total: Int, rng: inout SeededGenerator) -> [Int] {
        let weights = [0.19, 0.31, 0.26, 0.14, 0.07, 0.03]
        var sizes = (0..<count).map { _ in rng.weightedIndex(weights) + 1 }
        var diff = total - sizes.reduce(0, +)
        var i = 0
        while diff != 0, count > 0 {
            let k = rng.int(0...(count - 1))
            if diff > 0, sizes[k] < 6 {
                sizes[k] += 1
                diff -= 1
            } else if diff < 0, sizes[k] > 1 {
                sizes[k] -= 1
                diff += 1
            }
            i += 1
            if i > total * 20 { break }
        }
        return sizes
    }

    private mutating func person(
        household: String, surname: String, sex: Sex, birthYear: Int, relation: HouseholdRelation,
        residency: ResidencyType, division: String, rng: inout SeededGenerator
    ) -> ResidentRow {
        let year = min(max(birthYear, 1926), referenceYear - 1)
        var month = rng.int(1...12)
        var day = rng.int(1...28)
        var id = ""
        while id.isEmpty {
            let key = "\(year)-\(month)-\(day)-\(sex.rawValue)"
            let variant = nextVariant[key, default: 0]
            if variant < 50 {
                nextVariant[key] = variant + 1
                id = Self.demoID(division: division, year: year, month: month, day: day, variant: variant, sex: sex)
            } else {
                day = day % 28 + 1
                if day == 1 { month = month % 12 + 1 }
            }
        }
        let name = surname + DemoPeople.givenName(sex: sex, birthYear: year, using: &rng)
        let age = referenceYear - year
        let political =
            age >= 18 && rng.chance(0.06)
            ? "party_member" : (age >= 14 && age < 28 && rng.chance(0.3) ? "league_member" : "masses")
        let employment: String? =
            age >= 20 && age < 50 && rng.chance(0.05)
            ? rng.pick(["courier", "delivery_rider", "ride_hailing_driver", "truck_driver", "online_seller"]) : nil
        let ethnicity = rng.chance(0.93) ? "汉族" : rng.pick(["回族", "蒙古族", "藏族", "哈萨克族", "裕固族", "东乡族", "土族", "满族"])
        return ResidentRow(
            id: rng.uuid(), householdCode: household, name: name, sex: sex.rawValue,
            birthDate: String(format: "%04d-%02d-%02d", year, month, day), birthYear: year, idNumber: id,
            phone: age >= 14 ? DemoPeople.mobile(using: &rng) : nil, ethnicity: ethnicity, relation: relation.rawValue,
            residencyType: residency.rawValue, politicalStatus: political, employmentGroup: employment
        )
    }

    /// A valid but recognisably fictitious ID number: digits 15–16 are always 90–99 (a range
    /// the demo reserves); the 17th digit carries the sex and varies too, giving 50 per date.
    static func demoID(division: String, year: Int, month: Int, day: Int, variant: Int, sex: Sex) -> String {
        let sequence = 90 + variant % 10
        let parity = (variant / 10) % 5
        let sexDigit = sex == .male ? 2 * parity + 1 : 2 * parity
        let first17 = division + String(format: "%04d%02d%02d", year, month, day) + "\(sequence)\(sexDigit)"
        return first17 + String(ResidentIDNumber.checkCharacter(forFirst17: first17))
    }

    private mutating func addFamily(household: HouseholdRow, size: Int, division: String, rng: inout SeededGenerator) {
        let surname = DemoPeople.surname(using: &rng)
        let residency: ResidencyType =
            rng.weightedIndex([0.78, 0.12, 0.10]) == 0
            ? .registeredResident : (rng.chance(0.5) ? .nonRegisteredResident : .migrant)
        // A third of one-person households are elderly people living alone.
        let headYear = size == 1 && rng.chance(0.45) ? rng.int(1932...1958) : rng.int(1950...2000)
        let headSex: Sex = rng.chance(0.62) ? .male : .female
        residents.append(
            person(
                household: household.code, surname: surname, sex: headSex, birthYear: headYear, relation: .head,
                residency: residency, division: division, rng: &rng))
        var left = size - 1
        if left > 0 {
            residents.append(
                person(
                    household: household.code, surname: DemoPeople.surname(using: &rng),
                    sex: headSex == .male ? .female : .male,
                    birthYear: headYear + rng.int(-4...4), relation: .spouse, residency: residency, division: division,
                    rng: &rng))
            left -= 1
        }
        if left > 0, size >= 5, headYear > 1965 {
            residents.append(
                person(
                    household: household.code, surname: surname, sex: rng.chance(0.5) ? .male : .female,
                    birthYear: headYear - rng.int(24...32), relation: .parent, residency: residency, division: division,
                    rng: &rng))
            left -= 1
        }
        while left > 0 {
            let childYear = headYear + rng.int(22...36)
            let isGrandchild = childYear < referenceYear - 40 && rng.chance(0.5)
            let year = isGrandchild ? childYear + rng.int(22...30) : childYear
            residents.append(
                person(
                    household: household.code, surname: surname, sex: rng.chance(0.51) ? .male : .female,
                    birthYear: min(year, referenceYear - 1), relation: isGrandchild ? .grandchild : .child,
                    residency: residency, division: division, rng: &rng))
            left -= 1
        }
    }

    private mutating func addTags(spec: DemoSpec, rng: inout SeededGenerator) {
        var householdSize: [String: Int] = [:]
        for r in residents { householdSize[r.householdCode, default: 0] += 1 }
        var taken = Set<UUID>()
        for (tag, count) in spec.keyPersons {
            let candidates: [ResidentRow]
            switch tag {
            case .elderlyAlone:
                candidates = residents.filter {
                    referenceYear - $0.birthYear >= 65 && householdSize[$0.householdCode] == 1
                }
            case .leftBehindChild: candidates = residents.filter { referenceYear - $0.birthYear < 16 }
            case .criticallyIll, .disabled: candidates = residents.filter { referenceYear - $0.birthYear >= 18 }
            case .pairedAssistance: candidates = residents.filter { $0.relation == HouseholdRelation.head.rawValue }
            }
            var picked = 0
            var pool = candidates
            while picked < count, !pool.isEmpty {
                let i = rng.int(0...(pool.count - 1))
                pool.swapAt(i, pool.count - 1)
                let r = pool.removeLast()
                guard taken.insert(r.id).inserted else { continue }
                let detail: String? =
                    switch tag {
                    case .disabled:
                        "\(rng.pick(["肢体", "视力", "听力", "言语", "智力", "精神"]))残疾\(rng.pick(["一", "二", "三", "四"]))级"
                    case .criticallyIll: rng.pick(["尿毒症透析", "恶性肿瘤", "重症心脏病", "脑卒中后遗症"])
                    default: nil
                    }
                tags.append(
                    TagRow(
                        id: rng.uuid(), residentID: r.id, householdCode: r.householdCode, tag: tag.rawValue,
                        detail: detail))
                picked += 1
            }
        }
    }

    private mutating func addParty(spec: DemoSpec, geography: DemoGeography, rng: inout SeededGenerator) {
        // Branches: spread over communities; each branch covers consecutive grids of its community.
        let communities = geography.gridsByCommunity.keys.sorted()
        let branchesPerCommunity = DemoSpec.spread(spec.partyBranches, over: communities.count)
        var groupByGrid: [String: UUID] = [:]
        for (ci, community) in communities.enumerated() {
            let grids = geography.gridsByCommunity[community] ?? []
            let shares = DemoSpec.spread(grids.count, over: max(1, branchesPerCommunity[ci]))
            var gi = 0
            for (bi, share) in shares.enumerated() where share > 0 {
                let branch = PartyOrgRow(
                    id: rng.uuid(), kind: "branch", name: "第\(bi + 1)网格党支部", parentID: nil, nodeCode: community)
                partyOrgs.append(branch)
                for _ in 0..<share {
                    let grid = grids[gi]
                    gi += 1
                    let group = PartyOrgRow(
                        id: rng.uuid(), kind: "group", name: "第\(gi)网格党小组", parentID: branch.id, nodeCode: grid)
                    partyOrgs.append(group)
                    groupByGrid[grid] = group.id
                }
            }
        }
        let adults = residents.filter { (22...75).contains(referenceYear - $0.birthYear) }
        var pool = adults
        for _ in 0..<min(spec.partyMembers, adults.count) {
            let i = rng.int(0...(pool.count - 1))
            pool.swapAt(i, pool.count - 1)
            let r = pool.removeLast()
            guard let group = groupByGrid[String(r.householdCode.prefix(NodeLevel.grid.codeLength))] else { continue }
            let inService = referenceYear - r.birthYear < 60 && rng.chance(0.8)
            partyMembers.append(
                PartyMemberRow(
                    id: rng.uuid(), residentID: r.id, orgID: group, householdCode: r.householdCode,
                    kind: inService ? "in_service" : "community",
                    employer: inService
                        ? rng.pick([
                            "市人民医院", "市第一中学", "市税务局", "敦煌研究院", "市供电公司", "市自来水公司", "市公安局", "市市场监管局", "沙州镇政府", "市文旅局",
                        ]) : nil,
                    joinedYear: min(referenceYear - 1, r.birthYear + rng.int(20...40))
                ))
        }
    }

    private mutating func addVolunteers(spec: DemoSpec, rng: inout SeededGenerator) {
        let eligible = residents.filter { (16...75).contains(referenceYear - $0.birthYear) }
        var pool = eligible
        let skills = ["政策宣讲", "环境整治", "矛盾调解", "助老陪护", "义诊", "家电维修", "水电维修", "理发", "法律咨询", "心理疏导", "课业辅导", "文艺演出"]
        for _ in 0..<min(spec.volunteers, eligible.count) {
            let i = rng.int(0...(pool.count - 1))
            pool.swapAt(i, pool.count - 1)
            let r = pool.removeLast()
            let mine = (0..<rng.int(1...3)).map { _ in rng.pick(skills) }
            volunteers.append(
                VolunteerRow(
                    id: rng.uuid(), residentID: r.id, householdCode: r.householdCode,
                    skills: Array(Set(mine)).sorted().joined(separator: ","), hours: Double(rng.int(0...400)) / 2))
        }
    }
}

extension SeededGenerator {
    /// Deterministic version-4-shaped UUID.
    mutating func uuid() -> UUID {
        let a = next()
        let b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
