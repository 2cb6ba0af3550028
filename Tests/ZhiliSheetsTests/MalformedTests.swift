import Testing
import ZhiliSheets

@Suite("Malformed input")
struct MalformedTests {
    private func isMalformedXLSX(_ body: () throws(SheetError) -> Sheet) -> Bool {
        do {
            _ = try body()
            return false
        } catch {
            if case .malformedXLSX = error { return true }
            return false
        }
    }

    @Test func randomBytesNamedXLSX() {
        var rng = SeededGenerator(seed: 42)
        for length in [0, 1, 3, 4, 100, 5_000] {
            let junk = rng.bytes(length)
            #expect(SheetFormat.detect(filename: "居民名单.XLSX", data: junk) == .xlsx)
            #expect(
                isMalformedXLSX { () throws(SheetError) in try SheetReader.read(junk, format: .xlsx) },
                "length \(length)")
            let zipLike = [0x50, 0x4B, 0x03, 0x04] + junk
            #expect(
                isMalformedXLSX { () throws(SheetError) in try SheetReader.read(zipLike, format: .xlsx) },
                "PK + \(length)")
        }
    }

    @Test func zipWithoutWorkbook() {
        let zip = TestSupport.storedZip([("hello.txt", "你好"), ("docProps/app.xml", "<Properties/>")])
        #expect(isMalformedXLSX { () throws(SheetError) in try SheetReader.read(zip, format: .xlsx) })
    }

    @Test func truncatedZipAtEveryLength() throws {
        let full = try SheetWriter.xlsx(XLSXTests.registry)
        var failures: [Int] = []
        for length in stride(from: 0, to: full.count, by: 7) {
            let cut = Array(full.prefix(length))
            if !isMalformedXLSX({ () throws(SheetError) in try SheetReader.read(cut, format: .xlsx) }) {
                failures.append(length)
            }
        }
        #expect(failures.isEmpty, "truncations not reported as malformed: \(failures.prefix(10))")
    }

    @Test func corruptedBytesNeverCrash() throws {
        let full = try SheetWriter.xlsx(XLSXTests.registry)
        var rng = SeededGenerator(seed: 7)
        var outcomes = (ok: 0, malformed: 0, other: 0)
        for _ in 0..<300 {
            var bytes = full
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            do {
                _ = try SheetReader.read(bytes, format: .xlsx)
                outcomes.ok += 1
            } catch {
                if case .malformedXLSX = error { outcomes.malformed += 1 } else { outcomes.other += 1 }
            }
        }
        #expect(outcomes.malformed > 0)
        #expect(outcomes.ok + outcomes.malformed + outcomes.other == 300)
    }

    @Test func refusesZipBombEntries() {
        let sheet1 =
            "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c></row></sheetData></worksheet>"
        let bomb = TestSupport.storedZip(
            [("xl/worksheets/sheet1.xml", Array(sheet1.utf8))],
            declaredSize: ["xl/worksheets/sheet1.xml": 300 * 1024 * 1024])
        #expect(throws: SheetError.self) { try SheetReader.read(bomb, format: .xlsx) }
        do {
            _ = try SheetReader.read(bomb, format: .xlsx)
        } catch {
            #expect(error.messageEn.contains("200 MB"), "\(error)")
        }
    }

    @Test func badXMLAndBadReferences() {
        let cases: [(String, String)] = [
            ("bad XML", "<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>"),
            ("DTD", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet><sheetData/></worksheet>"),
            (
                "shared string index",
                "<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>5</v></c></row></sheetData></worksheet>"
            ),
            (
                "cell reference",
                "<worksheet><sheetData><row r=\"1\"><c r=\"1A\"><v>1</v></c></row></sheetData></worksheet>"
            ),
            (
                "column limit",
                "<worksheet><sheetData><row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row></sheetData></worksheet>"
            ),
            ("row number", "<worksheet><sheetData><row r=\"0\"><c><v>1</v></c></row></sheetData></worksheet>"),
            ("unclosed", "<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row>"),
            ("not XML", "PK this is not xml"),
        ]
        for (name, xml) in cases {
            let zip = TestSupport.storedZip([("xl/worksheets/sheet1.xml", xml)])
            #expect(isMalformedXLSX { () throws(SheetError) in try SheetReader.read(zip, format: .xlsx) }, "\(name)")
        }
    }

    /// ZIPFoundation 0.9.20's own extract loops forever on this on Linux; it must fail fast.
    @Test func truncatedDeflateStream() {
        // A deflate "stored" block that promises 65,535 bytes but the entry ends after two.
        let entry = TestSupport.ZipEntry(
            name: "xl/worksheets/sheet1.xml", payload: [0x00, 0xFF, 0xFF, 0x00, 0x00, 0x41, 0x42],
            method: 8, uncompressedSize: 100)
        #expect(
            isMalformedXLSX { () throws(SheetError) in try SheetReader.read(TestSupport.zip([entry]), format: .xlsx) })
    }

    /// ZIPFoundation 0.9.20's in-memory reader traps on offsets past the end of the data.
    @Test func offsetsPastTheEnd() {
        let good = TestSupport.storedZip([("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")])
        let eocd = good.count - 22
        let cd = Int(good[eocd + 16]) | Int(good[eocd + 17]) << 8
        var badLocal = good
        badLocal[cd + 42] = 0xFF
        badLocal[cd + 43] = 0xFF
        badLocal[cd + 44] = 0xFF
        badLocal[cd + 45] = 0x7F
        var badDirectory = good
        badDirectory[eocd + 16] = 0xF0
        badDirectory[eocd + 19] = 0x10
        var badSize = good
        badSize[cd + 20] = 0xFF
        badSize[cd + 21] = 0xFF
        badSize[cd + 22] = 0x0F
        for bytes in [badLocal, badDirectory, badSize] {
            #expect(isMalformedXLSX { () throws(SheetError) in try SheetReader.read(bytes, format: .xlsx) })
        }
    }

    @Test func workbookPointingAtMissingSheet() {
        let zip = TestSupport.storedZip([
            (
                "xl/workbook.xml",
                "<workbook xmlns:r=\"r\"><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                "<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" Target=\"worksheets/gone.xml\"/></Relationships>"
            ),
        ])
        #expect(isMalformedXLSX { () throws(SheetError) in try SheetReader.read(zip, format: .xlsx) })
    }

    @Test func emptyWorksheetIsEmpty() {
        let zip = TestSupport.storedZip([("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")])
        #expect(throws: SheetError.empty) { try SheetReader.read(zip, format: .xlsx) }
    }
}

@Suite("Format and errors")
struct FormatTests {
    @Test func detection() {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0, 0]
        #expect(SheetFormat.detect(filename: "a.csv", data: zip) == .xlsx)
        #expect(SheetFormat.detect(filename: nil, data: zip) == .xlsx)
        #expect(SheetFormat.detect(filename: "a.xlsx", data: [1, 2, 3]) == .xlsx)
        #expect(SheetFormat.detect(filename: "名单.CSV", data: [0xFF, 0x00]) == .csv)
        #expect(SheetFormat.detect(filename: nil, data: Array("姓名,电话\n".utf8)) == .csv)
        #expect(SheetFormat.detect(filename: "upload.bin", data: Array("a,b\n".utf8)) == .csv)
        #expect(SheetFormat.detect(filename: nil, data: [0x00, 0xFF, 0x10]) == nil)
        #expect(SheetFormat.detect(filename: "old.xls", data: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) == nil)
        #expect(SheetFormat.detect(filename: "old.xls", data: Array("a,b".utf8)) == nil)
    }

    @Test func bilingualMessages() {
        let error = SheetError.unterminatedQuote(row: 12)
        #expect(error.messageZh.contains("第 12 行"))
        #expect(error.messageEn.contains("Row 12"))
        #expect(error.description == error.messageZh + " / " + error.messageEn)
        #expect(SheetError.malformedXLSX("missing workbook").messageEn.contains("missing workbook"))
        #expect(SheetError.tooLarge(rows: 1_000).description.contains("1000"))
        for e in [SheetError.empty, .notText] { #expect(!e.messageZh.isEmpty && !e.messageEn.isEmpty) }
    }

    @Test func initNumbersRowsByDefault() {
        #expect(Sheet(header: ["a"], rows: [["1"], ["2"]]).rowNumbers == [2, 3])
        #expect(Sheet(header: ["a"], rows: [["1"], ["2"]], rowNumbers: [5, 9]).rowNumbers == [5, 9])
        #expect(Sheet(header: ["a"], rows: [["1"]], rowNumbers: [5, 9]).rowNumbers == [2])
    }
}
