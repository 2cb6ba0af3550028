import Testing

@testable import ZhiliDomain

@Test func initialsOfCommonNames() {
    #expect(PinyinInitials.of("张三") == "zs")
    #expect(PinyinInitials.of("王小明") == "wxm")
    #expect(PinyinInitials.of("欧阳修") == "oyx")
    #expect(PinyinInitials.of("欧阳娜娜") == "oynn")
    #expect(PinyinInitials.of("诸葛亮") == "zgl")
    #expect(PinyinInitials.of("  李四 ") == "ls")
}

@Test func asciiLettersAndDigitsAreKeptLowerCasedAndTheRestDropped() {
    #expect(PinyinInitials.of("A栋3号") == "ad3h")
    #expect(PinyinInitials.of("Anna·李") == "annal")
    #expect(PinyinInitials.of("阿依古丽·买买提") == "aygl" + "mmt")
    #expect(PinyinInitials.of("Ｂ座１２") == "bz12")  // full-width, as typed with a Chinese input method
    #expect(PinyinInitials.of("😀，。!?") == "")
    #expect(PinyinInitials.of("") == "")
}

@Test func polyphonicSurnamesTakeTheSurnameReadingOnlyInFirstPlace() {
    #expect(PinyinInitials.initial(of: "曾") == "z")
    #expect(PinyinInitials.initial(of: "单") == "s")
    #expect(PinyinInitials.initial(of: "单", asSurname: false) == "d")
    #expect(PinyinInitials.of("单田芳") == "stf")
    #expect(PinyinInitials.of("解缙") == "xj")
    #expect(PinyinInitials.of("王解放") == "wjf")  // 解 in a given name is jiě
    #expect(PinyinInitials.of("仇英") == "qy")
    #expect(PinyinInitials.of("区志强") == "ozq")
    #expect(PinyinInitials.of("查良镛") == "zly")
    #expect(PinyinInitials.of("乐嘉") == "yj")
    #expect(PinyinInitials.of("张乐乐") == "zll")
    #expect(PinyinInitials.of("翟志刚") == "zzg")
    #expect(PinyinInitials.of("覃海洋") == "qhy")
    #expect(PinyinInitials.of("曾国藩") == "zgf")
    #expect(PinyinInitials.of("朴树") == "ps")
    #expect(PinyinInitials.of("长孙无忌") == "zswj")
    #expect(PinyinInitials.of("尉迟恭") == "ycg")
    #expect(PinyinInitials.of("万俟卨") == "mq")  // 卨 is not in the built-in list: dropped
    #expect(PinyinInitials.of("李援朝") == "lyc")
    #expect(PinyinInitials.of("张长生") == "zcs")
}

/// The first character of each level-1 pinyin range and the last before it, straight from
/// glibc's GB18030 converter: if the table were off by one, one of these would move.
@Test func level1BoundariesFallBetweenTheRightCharacters() {
    let firsts = "啊芭擦搭蛾发噶哈击喀垃妈拿哦啪期然撒塌挖昔压匝"
    let lasts = "澳怖错堕贰咐过祸骏阔络穆诺沤瀑群弱所唾误迅孕座"
    #expect(
        firsts.map { PinyinInitials.initial(of: $0, asSurname: false).map(String.init) ?? "?" }.joined()
            == "abcdefghjklmnopqrstwxyz")
    #expect(
        lasts.map { PinyinInitials.initial(of: $0, asSurname: false).map(String.init) ?? "?" }.joined()
            == "abcdefghjklmnopqrstwxyz")
}

@Test func charactersOutsideLevel1AreCovered() {
    // GB2312 level 2 (radical order) and GBK-only characters fashionable in names.
    #expect(PinyinInitials.of("王梓轩") == "wzx")
    #expect(PinyinInitials.of("李宸睿") == "lcr")
    #expect(PinyinInitials.of("刘奕辰") == "lyc")
    #expect(PinyinInitials.of("陈晟") == "cs")
    #expect(PinyinInitials.of("张靓颖") == "zly")
    #expect(PinyinInitials.of("周玥") == "zy")
    #expect(PinyinInitials.of("赵彧") == "zy")
    #expect(PinyinInitials.of("钱堃") == "qk")
    #expect(PinyinInitials.of("孙喆") == "sz")
    #expect(PinyinInitials.of("吴祎") == "wy")
    #expect(PinyinInitials.of("朱镕基") == "zrj")
    // Traditional forms, for Hong Kong, Macao and Taiwan residents.
    #expect(PinyinInitials.of("陳志明") == "czm")
    #expect(PinyinInitials.of("張學友") == "zxy")
    #expect(PinyinInitials.of("劉德華") == "ldh")
    #expect(PinyinInitials.of("鄧麗君") == "dlj")
    #expect(PinyinInitials.of("歐陽震華") == "oyzh")
    #expect(PinyinInitials.of("單立文") == "slw")
}

@Test func everyCharacterOfTheHundredCommonestSurnamesHasAnInitial() {
    let surnames =
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
        + "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常"
    #expect(surnames.count == 100)
    let missing = surnames.filter { PinyinInitials.initial(of: $0) == nil }
    #expect(missing.isEmpty, "no initial for \(missing)")
    let compound = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "夏侯", "慕容", "令狐", "公孙", "司徒", "端木", "呼延", "轩辕"]
    #expect(compound.allSatisfy { PinyinInitials.of($0).count == 2 })
}

@Test func commonGivenNameCharactersHaveAnInitial() {
    let given =
        "秀英桂兰玉珍凤建国华军强伟芳娜敏静丽勇艳杰娟涛明超霞平刚辉鹏飞宇浩然博轩涵子梓晨睿泽宸熙铭俊豪嘉怡欣雨萱"
        + "诗琪悦瑶婷雪晓燕丹倩佳琳颖蕾慧晶楠思梦雅一诺沐若曦芷汐语桐彤可馨钰茜蕊菲萌妍瑾琦璐昊煜烨炜焱熠鑫淼垚犇翊骞臻"
    let missing = given.filter { PinyinInitials.initial(of: $0) == nil }
    #expect(missing.isEmpty, "no initial for \(missing)")
}

@Test func concurrentCallsAgree() async {
    let names = ["张三", "欧阳娜娜", "单田芳", "陳志明", "覃海洋"]
    let expected = names.map(PinyinInitials.of)
    let results = await withTaskGroup(of: [String].self) { group in
        for _ in 0..<8 { group.addTask { (0..<2_000).flatMap { _ in names.map(PinyinInitials.of) } } }
        return await group.reduce(into: []) { $0.append($1) }
    }
    for batch in results { #expect(batch == Array((0..<2_000).map { _ in expected }.joined())) }
}
