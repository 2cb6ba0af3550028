import Foundation
import Testing

@testable import ZhiliDomain

@Suite("Fast text clean-up on bulk paths")
struct FastTextTests {
    @Test func trimsWhatFoundationTrims() {
        let samples = [
            "", " ", "张三", "  张三 ", "\t李四\n", "\u{3000}王五\u{3000}", "a b", " \r\n ", "\u{00A0}x\u{00A0}", "x\u{2003}",
            "中 文",
        ]
        for s in samples {
            #expect(s.trimmedWhitespace == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
        let text = "  62098219900101001X "
        #expect(text.dropFirst().trimmedWhitespace == "62098219900101001X")
    }

    @Test func replacesScalarsInOnePass() {
        #expect("1990年1月2日".replacingScalars(["年": "-", "月": "-", "日": ""]) == "1990-1-2")
        #expect("138 0013-8000".replacingScalars([" ": "", "-": ""]) == "13800138000")
        #expect("".replacingScalars(["a": "b"]) == "")
        #expect("无需替换".replacingScalars(["x": "y"]) == "无需替换")
    }
}

@Suite("White space as Unicode defines it")
struct WhiteSpaceTableTests {
    @Test func theWrittenOutTableIsUnicodesWhiteSpace() {
        for value in UInt32(0)...0x3100 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.isSpace == scalar.properties.isWhitespace, "U+\(String(value, radix: 16))")
        }
    }
}

@Suite("Phone numbers as people write them")
struct PhoneNormalisingTests {
    @Test func spacesDashesAndTheCountryCodeGo() {
        #expect(PhoneNumber.normalised(" +86 138-0013-8000 ") == "13800138000")
        #expect(PhoneNumber.normalised("0937-8821234") == "09378821234")
        #expect(PhoneNumber.normalised("") == "")
        #expect(PhoneNumber.isValidMobile(PhoneNumber.normalised("+86 139 0000 1111")))
    }
}
