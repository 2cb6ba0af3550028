import Testing
import ZhiliDomain

@Suite("Category questions: typed answers checked and cleaned")
struct CategoryQuestionTests {
    let questions = [
        CategoryQuestion(
            code: "trapped", labelZh: "是否有人被困", labelEn: "Anyone trapped?", kind: .single, options: ["是", "否"],
            required: true),
        CategoryQuestion(code: "floors", labelZh: "楼层", labelEn: "Floor", kind: .number),
        CategoryQuestion(code: "since", labelZh: "开始日期", labelEn: "Since", kind: .date),
        CategoryQuestion(code: "when", labelZh: "时段", labelEn: "When", kind: .multiple, options: ["白天", "夜间"]),
        CategoryQuestion(code: "note", labelZh: "补充", labelEn: "Note", kind: .text),
    ]

    @Test func goodAnswersAreCleaned() throws {
        let out = try CategoryAnswers.validate(
            ["trapped": " 是 ", "floors": "12.0", "since": "2026/2/28", "when": "夜间, 白天", "note": ""], against: questions
        )
        #expect(out == ["trapped": "是", "floors": "12", "since": "2026-02-28", "when": "白天,夜间"])
    }

    @Test func eachKindOfBadAnswerNamesItsQuestion() {
        #expect(throws: AnswerProblem.self) { try CategoryAnswers.validate([:], against: questions) }
        let cases: [([String: String], String)] = [
            (["trapped": "也许"], "trapped"), (["trapped": "是", "floors": "十二"], "floors"),
            (["trapped": "是", "since": "2026-02-30"], "since"),
            (["trapped": "是", "when": "凌晨"], "when"), (["trapped": "是", "colour": "红"], "colour"),
            (["trapped": "是", "note": String(repeating: "长", count: 501)], "note"),
        ]
        for (answers, code) in cases {
            do {
                _ = try CategoryAnswers.validate(answers, against: questions)
                Issue.record("accepted \(answers)")
            } catch {
                #expect(error.code == code)
            }
        }
    }

    @Test func definitionsAreChecked() {
        #expect(questions.allSatisfy { $0.definitionProblem == nil })
        #expect(CategoryQuestion(code: "a b", labelZh: "x", labelEn: "x", kind: .text).definitionProblem != nil)
        #expect(
            CategoryQuestion(code: "c", labelZh: "选", labelEn: "c", kind: .single, options: []).definitionProblem != nil
        )
        #expect(
            CategoryQuestion(code: "c", labelZh: "选", labelEn: "c", kind: .single, options: ["a,b"]).definitionProblem
                != nil)
        #expect(CategoryQuestion.Kind.multiple.open311 == "multivaluelist")
    }
}
