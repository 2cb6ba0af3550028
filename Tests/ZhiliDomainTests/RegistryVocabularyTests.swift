import Testing

@testable import ZhiliDomain

@Test func fiftySixDistinctEthnicitiesHanFirst() {
    let list = RegistryVocabulary.ethnicities
    #expect(list.count == 56)
    #expect(Set(list.map(\.key)).count == 56)
    #expect(Set(list.map(\.nameZh)).count == 56)
    #expect(list.allSatisfy { $0.key.count == 2 && $0.key == $0.key.uppercased() && $0.nameZh.hasSuffix("族") })
    #expect(list.first?.key == "HA" && list.first?.nameZh == "汉族")
    #expect(RegistryVocabulary.item(list, key: "UG")?.nameZh == "维吾尔族")
    #expect(RegistryVocabulary.item(list, key: "JN")?.nameZh == "基诺族")
}

@Test func ethnicityResolvesByKeyNameShortNameAndNumber() {
    let list = RegistryVocabulary.ethnicities
    for text in ["汉族", "汉", "HA", "ha", " 汉族 ", "01", "1", "Han", "ＨＡ"] {
        #expect(RegistryVocabulary.resolve(list, text)?.key == "HA", "\(text)")
    }
    #expect(RegistryVocabulary.resolve(list, "维族")?.key == "UG")
    #expect(RegistryVocabulary.resolve(list, "蒙古")?.key == "MG")
    #expect(RegistryVocabulary.resolve(list, "土")?.key == "TU")
    #expect(RegistryVocabulary.resolve(list, "土家")?.key == "TJ")
    #expect(RegistryVocabulary.resolve(list, "56")?.key == "JN")
    #expect(RegistryVocabulary.resolve(list, "火星族") == nil)
    #expect(RegistryVocabulary.resolve(list, "") == nil)
    #expect(RegistryVocabulary.resolve(list, "户主") == nil)
}

@Test func everyNameAndKeyResolvesToItsOwnItemInEveryList() {
    let lists = [
        RegistryVocabulary.ethnicities, RegistryVocabulary.idTypes, RegistryVocabulary.relations,
        RegistryVocabulary.residencyTypes, RegistryVocabulary.employmentGroups, RegistryVocabulary.politicalStatuses,
        RegistryVocabulary.disabilityTypes, RegistryVocabulary.disabilityGrades,
    ]
    for list in lists {
        #expect(Set(list.map(\.key)).count == list.count)
        for item in list {
            for text in [item.key, item.nameZh, item.nameEn] + item.aliases {
                #expect(RegistryVocabulary.resolve(list, text) == item, "\(text) in \(item.key)")
            }
        }
    }
}

@Test func otherListsResolveTypicalImportSpellings() {
    typealias V = RegistryVocabulary
    #expect(V.resolve(V.relations, "户主")?.key == "head")
    #expect(V.resolve(V.relations, "女儿")?.key == "child")
    #expect(V.resolve(V.relations, "女婿")?.key == "child_in_law")
    #expect(V.resolve(V.relations, "其他")?.key == "other")
    #expect(V.resolve(V.employmentGroups, "其他")?.key == "other")
    #expect(V.resolve(V.idTypes, "身份证")?.key == "resident_id_card")
    #expect(V.resolve(V.idTypes, "台胞证")?.key == "taiwan_permit")
    #expect(V.resolve(V.residencyTypes, "人户分离")?.key == "non_registered")
    #expect(V.resolve(V.residencyTypes, "外来人员")?.key == "migrant")
    #expect(V.resolve(V.politicalStatuses, "党员")?.key == "party_member")
    #expect(V.resolve(V.politicalStatuses, "九三学社")?.key == "democratic_party")
    #expect(V.resolve(V.politicalStatuses, "群众")?.key == "masses")
    #expect(V.resolve(V.disabilityTypes, "肢体")?.key == "physical")
    #expect(V.resolve(V.disabilityGrades, "二级")?.key == "grade2")
    #expect(V.resolve(V.disabilityGrades, "2级")?.key == "grade2")
    #expect(V.resolve(V.employmentGroups, "Courier")?.key == "courier")
}

@Test func customListsResolveWithoutTheIndex() {
    let list = [VocabularyItem(key: "a", nameZh: "甲", nameEn: "A one", aliases: ["一号"])]
    #expect(RegistryVocabulary.resolve(list, "A")?.key == "a")
    #expect(RegistryVocabulary.resolve(list, "甲")?.key == "a")
    #expect(RegistryVocabulary.resolve(list, "a one")?.key == "a")
    #expect(RegistryVocabulary.resolve(list, "一号")?.key == "a")
    #expect(RegistryVocabulary.resolve(list, "户主") == nil)
}

// MARK: - Key-population catalogue

@Test func catalogueCodesAreUniqueAndParentsComeFirst() {
    let tags = KeyPopulationCatalogue.defaults
    #expect(Set(tags.map(\.code)).count == tags.count)
    #expect(Set(tags.map(\.nameZh)).count == tags.count)
    var seen: Set<String> = []
    for tag in tags {
        if let parent = tag.parentCode {
            #expect(seen.contains(parent), "\(tag.code): parent \(parent) missing or listed later")
            #expect(tags.first { $0.code == parent }?.parentCode == nil, "\(tag.code): groups are one level deep")
        }
        seen.insert(tag.code)
        #expect(tag.code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        #expect((tag.visitIntervalDays ?? 1) > 0)
    }
}

@Test func seedTagsKeepTheirCodesNamesAndSensitivity() {
    let byCode = Dictionary(uniqueKeysWithValues: KeyPopulationCatalogue.defaults.map { ($0.code, $0) })
    let seed: [(String, String, TagSensitivity, Int)] = [
        ("elderly_alone", "孤寡老人", .welfare, 7), ("disabled", "残障人士", .health, 30),
        ("critically_ill", "危重症病人", .health, 7), ("left_behind_child", "留守儿童", .minor, 14),
        ("paired_assistance", "结对帮扶对象", .welfare, 30),
    ]
    for (code, name, sensitivity, days) in seed {
        let tag = byCode[code]
        #expect(tag?.nameZh == name)
        #expect(tag?.sensitivity == sensitivity)
        #expect(tag?.visitIntervalDays == days)
        #expect(tag?.parentCode != nil)
    }
    #expect(byCode["severe_mental_illness"]?.sensitivity == .health)
    #expect(byCode["difficult_child"]?.sensitivity == .minor)
    #expect(byCode["subsistence_allowance"]?.sensitivity == .welfare)
}
