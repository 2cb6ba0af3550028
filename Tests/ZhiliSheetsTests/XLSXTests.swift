import Testing
import ZhiliSheets

@Suite("XLSX")
struct XLSXTests {
    static let registry = Sheet(
        header: ["姓名", "身份证号", "编号", "地址", "备注"],
        rows: [
            ["张三", "62098219900101901X", "000123", "北京市朝阳区望京街道", "=SUM(A1:A3)"],
            ["李四", "110105199003077654", "0", "上海市, \"浦东\" & <新区>", "第一行\r\n第二行\n第三行"],
            ["欧阳娜娜", "", "1.50", "literal _x0041_ stays", "tab\tinside 𠮷 👨‍👩‍👧"],
            ["王五", "45292", "-7", "", "x"],
        ])

    @Test func roundTripKeepsEveryCellExactly() throws {
        let bytes = try SheetWriter.xlsx(Self.registry, sheetName: "居民")
        #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        #expect(SheetFormat.detect(filename: "export.csv", data: bytes) == .xlsx)
        let back = try SheetReader.read(bytes, format: .xlsx)
        #expect(back == Self.registry)
        #expect(back.rows[0][1] == "62098219900101901X")
        #expect(back.rows[0][2] == "000123")
        #expect(back.rowNumbers == [2, 3, 4, 5])
    }

    @Test func writerDropsCharactersNotAllowedInXML() throws {
        let sheet = Sheet(header: ["a\u{1}b"], rows: [["c\u{0}d\u{1B}e\u{FFFE}"]])
        let back = try SheetReader.read(try SheetWriter.xlsx(sheet), format: .xlsx)
        #expect(back == Sheet(header: ["ab"], rows: [["cde"]]))
    }

    @Test func writerOutputIsDeterministicAndHandlesOddSheetNames() throws {
        let a = try SheetWriter.xlsx(Self.registry, sheetName: "2024/Q1: [居民]*?")
        let b = try SheetWriter.xlsx(Self.registry, sheetName: "2024/Q1: [居民]*?")
        #expect(a == b)
        #expect(try SheetReader.read(a, format: .xlsx) == Self.registry)
        let emptySheet = Sheet(header: ["仅表头"], rows: [])
        #expect(try SheetReader.read(try SheetWriter.xlsx(emptySheet, sheetName: ""), format: .xlsx) == emptySheet)
    }

    /// A workbook as Excel/WPS would write it: shared strings with rich-text runs and phonetic
    /// guides, the first worksheet not named sheet1.xml and behind a hidden sheet, a namespace
    /// prefix, skipped columns and rows, numbers, booleans, errors and cells without `r`.
    static func handBuiltWorkbook() -> [UInt8] {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let workbook = """
            <?xml version="1.0" encoding="UTF-8"?>
            <workbook xmlns="\(main)" xmlns:r="\(rel)"><sheets>
            <sheet name="隐藏" sheetId="7" state="hidden" r:id="rId9"/>
            <sheet name="居民" sheetId="2" r:id="rId3"/>
            </sheets></workbook>
            """
        let rels = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId9" Type="\(rel)/worksheet" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId3" Type="\(rel)/worksheet" Target="/xl/worksheets/residents.xml"/>
            <Relationship Id="rId5" Type="\(rel)/sharedStrings" Target="strings.xml"/>
            </Relationships>
            """
        let strings = """
            <?xml version="1.0" encoding="UTF-8"?>
            <sst xmlns="\(main)" count="5" uniqueCount="5">
            <si><t>姓名</t></si>
            <si><t xml:space="preserve"> 身份证号 </t></si>
            <si><r><rPr><b/></rPr><t>张</t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>ZHANG</t></rPh></si>
            <si><t>000123</t></si>
            <si><t>a&amp;b_x000D__x000A_c</t></si>
            </sst>
            """
        let residents = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <x:worksheet xmlns:x="\(main)"><x:sheetData>
            <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>\
            <x:c r="D1" t="inlineStr"><x:is><x:t>电话</x:t></x:is></x:c><x:c r="E1" t="str"><x:f>"年"&amp;"龄"</x:f><x:v>年龄</x:v></x:c>\
            <x:c r="F1" s="3"/></x:row>
            <x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3"><x:v>6.20982199001019E+17</x:v></x:c>\
            <x:c r="D3"><x:v>13800138000</x:v></x:c><x:c r="E3"><x:v>35.0</x:v></x:c><x:c r="G3"><x:v>99</x:v></x:c></x:row>
            <x:row r="5"><x:c r="B5" t="s"><x:v>3</x:v></x:c><x:c r="C5" t="b"><x:v>1</x:v></x:c>\
            <x:c r="D5" t="e"><x:v>#N/A</x:v></x:c><x:c r="E5"><x:v>1E+3</x:v></x:c></x:row>
            <x:row r="6"><x:c r="A6" s="2"/><x:c r="B6" t="s"><x:v></x:v></x:c></x:row>
            <x:row><x:c t="inlineStr"><x:is><x:r><x:t>李</x:t></x:r><x:r><x:t>四</x:t></x:r></x:is></x:c>\
            <x:c t="s"><x:v>4</x:v></x:c><x:c><x:v>0.1</x:v></x:c><x:c><x:v>12.50</x:v></x:c><x:c><x:v>45292</x:v></x:c></x:row>
            </x:sheetData></x:worksheet>
            """
        let decoy =
            "<worksheet xmlns=\"\(main)\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"
        return TestSupport.storedZip([
            ("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            (
                "_rels/.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", rels),
            ("xl/strings.xml", strings),
            ("xl/worksheets/sheet1.xml", decoy),
            ("xl/worksheets/residents.xml", residents),
        ])
    }

    @Test func readsHandBuiltWorkbookWithSharedStringsAndGaps() throws {
        let sheet = try SheetReader.read(Self.handBuiltWorkbook(), format: .xlsx)
        #expect(sheet.header == ["姓名", "身份证号", "", "电话", "年龄"])
        #expect(
            sheet.rows == [
                ["张三", "6.20982199001019E+17", "", "13800138000", "35"],
                ["", "000123", "TRUE", "#N/A", "1000"],
                ["李四", "a&b\r\nc", "0.1", "12.5", "45292"],
            ])
        #expect(sheet.rowNumbers == [3, 5, 7])
    }

    @Test func fallsBackToSheet1WithoutWorkbook() throws {
        let sheet1 = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            <row r="2"><c r="B2" t="inlineStr"><is><t>户号</t></is></c></row>
            <row r="4"><c r="B4"><v>1.0</v></c><c r="A4" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>
            </sheetData></worksheet>
            """
        let sheet = try SheetReader.read(TestSupport.storedZip([("xl/worksheets/sheet1.xml", sheet1)]), format: .xlsx)
        #expect(sheet == Sheet(header: ["", "户号"], rows: [["a<b", "1"]], rowNumbers: [4]))
        // The same part in a ZIP64 archive (as some streaming writers produce).
        let zip64 = TestSupport.zip([.init(name: "xl/worksheets/sheet1.xml", payload: Array(sheet1.utf8))], zip64: true)
        #expect(try SheetReader.read(zip64, format: .xlsx) == sheet)
    }

    /// The app reads uploads on several threads at once; XMLParser and zlib must cope.
    @Test func concurrentReadsAgree() async throws {
        let registry = try SheetWriter.xlsx(Self.registry)
        let handBuilt = Self.handBuiltWorkbook()
        let expected = try SheetReader.read(handBuilt, format: .xlsx)
        let results = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for index in 0..<32 {
                group.addTask {
                    let bytes = index.isMultiple(of: 2) ? registry : handBuilt
                    let sheet = try? SheetReader.read(bytes, format: .xlsx)
                    return sheet == (index.isMultiple(of: 2) ? Self.registry : expected)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 })
    }

    @Test func enforcesRowLimit() throws {
        let bytes = try SheetWriter.xlsx(Self.registry)
        #expect(throws: SheetError.tooLarge(rows: 3)) { try SheetReader.read(bytes, format: .xlsx, maxRows: 3) }
        #expect(try SheetReader.read(bytes, format: .xlsx, maxRows: 4).rows.count == 4)
    }
}

@Suite("XLSX large parts")
struct XLSXLargeTests {
    /// Excel writes each part on one line; parts over 10 MB once failed in libxml2's push parser.
    @Test func readsPartsLargerThanTenMegabytes() throws {
        let rows = (0..<120_000).map { i in
            ["11010519900307\(1000 + i % 9000)", "北京市朝阳区望京街道第\(i)号院内某某楼某某单元某某室附近的一条很长的地址描述"]
        }
        let sheet = Sheet(header: ["身份证号", "地址"], rows: rows)
        let bytes = try SheetWriter.xlsx(sheet)
        let back = try SheetReader.read(bytes, format: .xlsx)
        #expect(back.rows.count == rows.count)
        #expect(back == sheet)
    }
}
