import Testing
import ZhiliDomain

@Suite("Public text: what a tracker may show of a resident's words")
struct PublicTextTests {
    @Test(arguments: [
        ("电话13800138000请回电", "电话［电话已隐去］请回电"),
        ("打 138 0013 8000 或 +86-13900139000", "打 ［电话已隐去］ 或 ［电话已隐去］"),
        ("座机0937-8812345", "座机［电话已隐去］"),
        ("身份证620982195003041234号", "身份证［证件号已隐去］号"),
        ("我叫王建国，住3号楼", "我叫＊＊，住3号楼"),
        ("联系人：李梅", "联系人：＊＊"),
        ("找张师傅修", "找*师傅修"),
        ("路灯坏了三天", "路灯坏了三天"),
        ("编号20261129-3FA2", "编号20261129-3FA2"),
    ])
    func phonesIDNumbersAndNamesAreTakenOut(text: String, shown: String) {
        #expect(PublicText.redacted(text) == shown)
    }

    @Test func theSubmittersOwnNameIsTakenOutWherever() {
        #expect(PublicText.redacted("赵小红家门口的井盖丢了", names: ["赵小红"]) == "＊＊家门口的井盖丢了")
    }

    @Test func pointsAreRoundedToAboutAHundredMetres() {
        #expect(PublicText.coarse(40.142_87) == 40.143)
        #expect(PublicText.coarse(94.661_21) == 94.661)
    }

    @Test func controlAndDirectionOverrideCharactersAreRemoved() {
        #expect(TextSafety.cleaned("王\u{202E}五\u{0}") == "王五")
        #expect(TextSafety.cleaned("第一行\n第二行") == "第一行\n第二行")
        #expect(TextSafety.cleaned("第一行\n第二行", multiline: false) == "第一行第二行")
        #expect(TextSafety.cleaned("\u{2066}普通\u{2069}") == "普通")
    }
}
