import Testing
import ZhiliSheets

@Suite("CSV")
struct CSVTests {
    private func read(_ text: String, maxRows: Int = 1_000_000) throws(SheetError) -> Sheet {
        try SheetReader.read(Array(text.utf8), format: .csv, maxRows: maxRows)
    }

    @Test func roundTripWithCommasQuotesNewlinesChineseAndFormulaPrefix() throws {
        let sheet = Sheet(
            header: ["姓名", "身份证号", "地址", "备注"],
            rows: [
                ["张三", "62098219900101901X", "北京市朝阳区, 望京街道", "他说\"你好\""],
                ["李四", "000123", "第一行\r\n第二行\n第三行\r第四行", "  前后有空格  "],
                ["王五", "=HYPERLINK(\"http://x\")", "+86 138 0000 0000", "-5"],
                ["赵六", "@SUM(A1)", "", "𠮷祥 👨‍👩‍👧 \u{3000}全角"],
            ])
        let bytes = SheetWriter.csv(sheet)
        let back = try SheetReader.read(bytes, format: .csv)
        var expected = sheet
        expected.rows[2][1] = "'=HYPERLINK(\"http://x\")"
        expected.rows[2][2] = "'+86 138 0000 0000"
        expected.rows[2][3] = "'-5"
        expected.rows[3][1] = "'@SUM(A1)"
        #expect(back == expected)
        #expect(back.rowNumbers == [2, 3, 4, 5])
    }

    @Test func writerUsesBOMCRLFAndRFC4180Quoting() {
        let sheet = Sheet(
            header: ["a", "b"], rows: [["x,y", "say \"hi\""], ["=1+1", "plain"], ["line\nbreak", " pad"]])
        let bytes = SheetWriter.csv(sheet)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n'=1+1,plain\r\n\"line\nbreak\",\" pad\"\r\n")
    }

    @Test func stripsUTF8BOM() throws {
        let sheet = try SheetReader.read([0xEF, 0xBB, 0xBF] + Array("姓名,电话\n张三,13800000000\n".utf8), format: .csv)
        #expect(sheet.header == ["姓名", "电话"])
        #expect(sheet.rows == [["张三", "13800000000"]])
    }

    @Test func decodesGB18030AndGBK() throws {
        let text = "姓名,地址,备注\r\n张三,\"北京市朝阳区,望京\",𠮷祥\r\n李四,上海市浦东新区,联通\r\n"
        let gb18030 = try #require(TestSupport.iconvEncode(text, to: "GB18030"))
        #expect(String(validating: gb18030, as: UTF8.self) == nil, "test input must not be valid UTF-8")
        let sheet = try SheetReader.read(gb18030, format: .csv)
        #expect(
            sheet
                == Sheet(
                    header: ["姓名", "地址", "备注"],
                    rows: [["张三", "北京市朝阳区,望京", "𠮷祥"], ["李四", "上海市浦东新区", "联通"]]))
        #expect(SheetFormat.detect(filename: nil, data: gb18030) == .csv)

        let gbkText = "户号,户主\n0001,欧阳娜娜\n"
        let gbk = try #require(TestSupport.iconvEncode(gbkText, to: "GBK"))
        let gbkSheet = try SheetReader.read(gbk, format: .csv)
        #expect(gbkSheet.rows == [["0001", "欧阳娜娜"]])
    }

    @Test func rejectsBytesThatAreNotText() {
        #expect(throws: SheetError.notText) { try SheetReader.read([0x81, 0x20, 0xFF, 0xFE], format: .csv) }
        #expect(throws: SheetError.notText) { try SheetReader.read(Array("a,b\n1,\u{0}2\n".utf8), format: .csv) }
    }

    @Test func emptyInputsThrowEmpty() {
        #expect(throws: SheetError.empty) { try read("") }
        #expect(throws: SheetError.empty) { try SheetReader.read([0xEF, 0xBB, 0xBF], format: .csv) }
        #expect(throws: SheetError.empty) { try read("\r\n\n  ,  , \n\"\",\"\"\n") }
    }

    @Test func unterminatedQuoteReportsTheRecordWhereItOpened() {
        #expect(throws: SheetError.unterminatedQuote(row: 4)) {
            try read("姓名,备注\n张三,\"多行\n备注\"\n李四,ok\n王五,\"没有结束\n赵六,x\n")
        }
        #expect(throws: SheetError.unterminatedQuote(row: 1)) { try read("\"a,b\n") }
    }

    @Test func rowNumbersAreRecordNumbersAndBlankLinesAreSkipped() throws {
        let sheet = try read("\n姓名,备注\r\n张三,\"第一行\n第二行\"\r\n\r\n , \n李四,ok\r王五,\"x\"\"y\"\n")
        #expect(sheet.header == ["姓名", "备注"])
        #expect(sheet.rows == [["张三", "第一行\n第二行"], ["李四", "ok"], ["王五", "x\"y"]])
        #expect(sheet.rowNumbers == [3, 6, 7])
    }

    @Test func trimsUnquotedCellsPadsAndTruncatesRows() throws {
        let sheet = try read("  姓名 ,\u{3000}电话\u{3000}, 备注 ,,\n 张三 ,\" 138 \"\n李四,139,备,多余,更多\n")
        #expect(sheet.header == ["姓名", "电话", "备注"])
        #expect(sheet.rows == [["张三", " 138 ", ""], ["李四", "139", "备"]])
    }

    @Test func lenientQuoteHandling() throws {
        let sheet = try read("a,b,c\n  \"q,1\"  ,ab\"c,\"x\"y\n")
        #expect(sheet.rows == [["q,1", "ab\"c", "xy"]])
    }

    @Test func enforcesRowLimit() throws {
        let text = "a\n1\n2\n3\n"
        #expect(throws: SheetError.tooLarge(rows: 2)) { try read(text, maxRows: 2) }
        #expect(try read(text, maxRows: 3).rows.count == 3)
    }

    @Test func wideHeaderCannotBlowUpMemory() {
        // 100,000 named columns and many one-cell rows: padding every row would take gigabytes.
        let header = (1...100_000).map { "c\($0)" }.joined(separator: ",")
        let text = header + "\n" + String(repeating: "x\n", count: 1_000)
        #expect(throws: SheetError.tooLarge(rows: 320)) { try read(text) }
    }
}
