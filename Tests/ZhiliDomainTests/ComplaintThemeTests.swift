import Testing
import ZhiliDomain

@Suite("情: themes from complaint text")
struct ComplaintThemeTests {
    let matcher = ThemeMatcher(ComplaintTheme.defaults)

    @Test func aTextCarriesEveryThemeItMentions() {
        #expect(matcher.themes(of: "楼下垃圾三天没有清运，多次反映没人管") == ["sanitation", "frustration"])
        #expect(matcher.themes(of: "电梯经常停运，老人上下楼困难") == ["elderly", "broken", "hardship"])
        #expect(matcher.themes(of: "夜间施工噪音扰民") == ["noise"])
    }

    @Test func spacesDoNotHideAKeywordAndUnrelatedTextHasNoTheme() {
        #expect(matcher.themes(of: "垃 圾 堆 放") == ["sanitation"])
        #expect(matcher.themes(of: "咨询办事时间").isEmpty)
        #expect(matcher.themes(of: "").isEmpty)
    }

    @Test func customDictionariesReplaceTheDefaults() {
        let custom = ThemeMatcher([
            ComplaintTheme(code: "dust", nameZh: "扬尘", nameEn: "Dust", keywords: ["扬尘", "沙尘", " "])
        ])
        #expect(custom.themes(of: "工地扬尘严重") == ["dust"])
        #expect(custom.themes(of: "楼下垃圾") == [])
    }
}
