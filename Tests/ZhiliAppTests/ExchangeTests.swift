import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain
import ZhiliSheets

@testable import ZhiliApp

@Suite("Registry: import and export")
struct ExchangeTests {
    static let header = ExchangeKind.residents.columns.map(\.zh)

    static func row(_ name: String, _ id: String, _ household: String, birth: String = "", tags: String = "")
        -> [String]
    {
        [name, "", id, "", birth, "汉族", "", household, "户主", "", "", "", "", "", tags]
    }

    static func csv(_ rows: [[String]]) -> [UInt8] { SheetWriter.csv(Sheet(header: header, rows: rows)) }

    static func importer(_ app: Application) -> Exchange {
        Exchange(database: app.db, cipher: app.zhili.cipher, principal: ExchangeCommands.operatorPrincipal)
    }

    @Test func dryRunReportsEveryBadRowAndWritesNothing() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let good = RegistryFixture.idNumber(sequence: 1)
            var badCheck = Array(RegistryFixture.idNumber(sequence: 2))
            badCheck[17] = badCheck[17] == "3" ? "4" : "3"
            let rows = [
                Self.row("正确", good, household),  // 2: fine
                Self.row("校验错", String(badCheck), household),  // 3: check digit
                Self.row("重复", good, household),  // 4: duplicate of row 2
                Self.row("", RegistryFixture.idNumber(sequence: 3), household),  // 5: empty name
                // 6: bad / conflicting date
                Self.row("日期错", RegistryFixture.idNumber(sequence: 4), household, birth: "1950-02-30"),
                // 7: unknown household
                Self.row("无此户", RegistryFixture.idNumber(sequence: 5), "620982009009009009009099999"),
                Self.row("标签错", RegistryFixture.idNumber(sequence: 6), household, tags: "不存在的标签"),  // 8: unknown tag
            ]
            let before = try await app.count("residents")
            let report = try await Self.importer(app).importFile(
                .residents, bytes: Self.csv(rows), filename: "people.csv", dryRun: true)
            #expect(report.rows == 7)
            #expect(Set(report.rejected.map(\.row)) == [3, 4, 5, 6, 7, 8])
            #expect(report.rejected.first { $0.row == 3 }?.column == "证件号码")
            #expect(report.rejected.first { $0.row == 4 }?.messageZh.contains("第 2 行") == true)
            #expect(report.rejected.first { $0.row == 5 }?.column == "姓名")
            #expect(report.rejected.first { $0.row == 6 }?.column == "出生日期")
            #expect(report.rejected.first { $0.row == 7 }?.column == "户编码")
            #expect(report.rejected.first { $0.row == 8 }?.column == "标签")
            #expect(report.created == 1)
            #expect(!report.committed)
            // The real run refuses the whole file.
            let real = try await Self.importer(app).importFile(
                .residents, bytes: Self.csv(rows), filename: "people.csv", dryRun: false)
            #expect(!real.committed)
            let actual201 = try await app.count("residents")
            #expect(actual201 == before)
        }
    }

    /// Files keep their Chinese headers; a report read in English names the columns in English.
    @Test func reportColumnsReadInTheReadersLanguage() throws {
        for kind in ExchangeKind.allCases {
            #expect(Set(kind.columns.map(\.en)).count == kind.columns.count, "\(kind): English names are unique")
            #expect(kind.columns.allSatisfy { !$0.en.isEmpty && $0.en.unicodeScalars.allSatisfy(\.isASCII) })
        }
        let en = Localizer(lang: .en, catalogue: MessageCatalogue())
        let zh = Localizer(lang: .zh, catalogue: MessageCatalogue())
        #expect(ExchangeKind.residents.columnName("证件号码", en) == "ID number")
        #expect(ExchangeKind.residents.columnName("证件号码", zh) == "证件号码")
        #expect(ExchangeKind.households.columnName("户编码", en) == "Household code")
        #expect(ExchangeKind.residents.columnName("不认识的列", en) == "不认识的列")
        let (report, indices) = ExchangeKind.residents.begin(Sheet(header: ["姓名"], rows: []), dryRun: true)
        #expect(indices == nil)
        #expect(report.rejected.map(\.messageEn).contains("Missing required column '证件号码' (ID number)"))
    }

    @Test func malformedFilesAreOneClearRowOneError() async throws {
        try await withTestApp { app in
            let garbage: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0x41, count: 200)
            let report = try await Self.importer(app).importFile(
                .residents, bytes: garbage, filename: "broken.xlsx", dryRun: true)
            #expect(report.rejected.count == 1)
            #expect(report.rejected.first?.row == 1)
            #expect(report.rejected.first?.column == "文件")
            let noColumns = try await Self.importer(app).importFile(
                .residents, bytes: Array("姓名,电话\n张三,1\n".utf8), filename: "x.csv", dryRun: true)
            #expect(noColumns.rejected.map(\.column).contains("证件号码"))
        }
    }

    @Test func importIsIdempotentAndXlsxWorksLikeCSV() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let rows = (0..<20).map {
                Self.row(
                    "导入\($0)", RegistryFixture.idNumber(year: 1980 + $0, sequence: 40 + $0), household,
                    tags: $0 == 0 ? "孤寡老人" : "")
            }
            let xlsx = try SheetWriter.xlsx(Sheet(header: Self.header, rows: rows))
            let before = try await app.count("residents")
            let first = try await Self.importer(app).importFile(
                .residents, bytes: xlsx, filename: "people.xlsx", dryRun: false)
            #expect(first.committed)
            #expect(first.created == 20)
            let actual202 = try await app.count("residents")
            #expect(actual202 == before + 20)
            let second = try await Self.importer(app).importFile(
                .residents, bytes: Self.csv(rows), filename: "people.csv", dryRun: false)
            #expect(second.created == 0)
            #expect(second.unchanged == 20)
            let actual203 = try await app.count("residents")
            #expect(actual203 == before + 20)
            var changed = rows
            changed[3][12] = "敦煌研究院"
            let third = try await Self.importer(app).importFile(
                .residents, bytes: Self.csv(changed), filename: "people.csv", dryRun: false)
            #expect(third.updated == 1)
            #expect(third.unchanged == 19)
        }
    }

    @Test func importInterruptedHalfWayLeavesNothingBehind() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let rows = (0..<10).map {
                Self.row("中断\($0)", RegistryFixture.idNumber(year: 1970 + $0, sequence: 60 + $0), household)
            }
            let sheet = try SheetReader.read(Self.csv(rows), format: .csv)
            let before = (
                try await app.count("residents"), try await app.count("household_moves"),
                try await app.count("field_changes")
            )
            var importer = ResidentImport(
                database: app.db, cipher: app.zhili.cipher, principal: ExchangeCommands.operatorPrincipal)
            importer.interruptAfter = 5
            await #expect(throws: ImportInterrupted.self) { _ = try await importer.run(sheet, dryRun: false) }
            let after = (
                try await app.count("residents"), try await app.count("household_moves"),
                try await app.count("field_changes")
            )
            #expect(after == before)
        }
    }

    @Test func householdsAndPlacesImportWithCodesAllocatedAndUnknownGridsRejected() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let unit = String(household.prefix(23))
            let hh = Sheet(
                header: ExchangeKind.households.columns.map(\.zh),
                rows: [["", unit, "901", "测试地址901", "楼房", "9", "88"], ["", unit, "902", "测试地址902", "平房", "", ""]])
            let r1 = try await Self.importer(app).importFile(
                .households, bytes: SheetWriter.csv(hh), filename: "h.csv", dryRun: false)
            #expect(r1.committed && r1.created == 2)
            let r2 = try await Self.importer(app).importFile(
                .households, bytes: SheetWriter.csv(hh), filename: "h.csv", dryRun: false)
            #expect(r2.unchanged == 2 && r2.created == 0)
            let grid = try await app.gridCodes()[0]
            let places = Sheet(
                header: ExchangeKind.places.columns.map(\.zh),
                rows: [
                    ["", "便民超市", "超市", grid, "40.14", "94.66", "", "", ""],
                    ["", "无效网格", "超市", "620982009009009", "40.14", "94.66", "", "", ""],
                    ["", "坏类别", "城堡", grid, "40.14", "94.66", "", "", ""],
                    ["", "坏坐标", "超市", grid, "140", "94.66", "", "", ""],
                ])
            let r3 = try await Self.importer(app).importFile(
                .places, bytes: SheetWriter.csv(places), filename: "p.csv", dryRun: true)
            #expect(Set(r3.rejected.map(\.row)) == [3, 4, 5])
            #expect(r3.created == 1)
        }
    }

    @Test func exportIsMaskedUnlessPermittedWithAReasonAndIsAudited() async throws {
        try await withTestApp { app in
            let grid = try await app.gridCodes()[0]
            let worker = try await app.bearer("grid001")
            try await app.testing().test(
                .GET, "/api/v1/exchange/residents/export?under=\(grid)&format=csv", headers: worker
            ) { res in
                #expect(res.status == .ok)
                let sheet = try SheetReader.read(Array(res.body.readableBytesView), format: .csv)
                #expect(!sheet.rows.isEmpty)
                let idColumn = try #require(sheet.header.firstIndex(of: "证件号码"))
                #expect(sheet.rows.allSatisfy { $0[idColumn].contains("********") })
            }
            try await app.testing().test(
                .GET,
                "/api/v1/exchange/residents/export?under=\(grid)&unmasked=true&reason=%E6%A0%B8%E5%AF%B9%E6%95%B0%E6%8D%AE",
                headers: worker
            ) { res in
                #expect(res.status == .forbidden, "grid workers may not export unmasked")
            }
            let staff = try await app.bearer("community")
            try await app.testing().test(
                .GET, "/api/v1/exchange/residents/export?under=\(grid)&unmasked=true", headers: staff
            ) { res in
                #expect(res.status == .unprocessableEntity)
            }
            try await app.testing().test(
                .GET,
                "/api/v1/exchange/residents/export?under=\(grid)&format=xlsx&unmasked=true&reason=%E6%A0%B8%E5%AF%B9%E6%95%B0%E6%8D%AE",
                headers: staff
            ) { res in
                #expect(res.status == .ok)
                let sheet = try SheetReader.read(Array(res.body.readableBytesView), format: .xlsx)
                let idColumn = try #require(sheet.header.firstIndex(of: "证件号码"))
                #expect(sheet.rows.allSatisfy { (try? ResidentIDNumber(validating: $0[idColumn])) != nil })
            }
            let audited = try await AuditQueries.list(AuditQueries.Filter(action: "export_unmasked"), on: app.sql)
            #expect(audited.count == 1)
            #expect(audited.first?.detail?.contains("核对数据") == true)
        }
    }

    @Test func exportsShortenChildrensNamesAndKeepTheirNumbersMaskedLikeEveryOtherView() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let number = RegistryFixture.idNumber(year: 2018, sequence: 91)
            _ = try await RegistryFixture.register(app, name: "李小明", idNumber: number, household: household, phone: nil)
            let grid = String(household.prefix(15))
            func exported(_ user: String, unmasked: Bool) async throws -> Sheet {
                var sheet = Sheet(header: [], rows: [])
                let query = unmasked ? "&unmasked=true&reason=%E6%A0%B8%E5%AF%B9%E6%95%B0%E6%8D%AE" : ""
                try await app.testing().test(
                    .GET, "/api/v1/exchange/residents/export?under=\(grid)&format=csv\(query)",
                    headers: try await app.bearer(user)
                ) { res in
                    #expect(res.status == .ok, "\(user)")
                    sheet = try SheetReader.read(Array(res.body.readableBytesView), format: .csv)
                }
                return sheet
            }
            // A city official: the child's name shortened, as on every page.
            let city = try await exported("city", unmasked: false)
            let nameColumn = try #require(city.header.firstIndex(of: "姓名"))
            let idColumn = try #require(city.header.firstIndex(of: "证件号码"))
            #expect(city.rows.contains { $0[nameColumn] == "李*明" })
            #expect(!city.rows.contains { $0[nameColumn] == "李小明" })
            // Civil affairs may export plain numbers, but not a child's (only community staff may reveal those).
            let civil = try await exported("civil", unmasked: true)
            let childRow = try #require(
                civil.rows.first { $0[nameColumn] == "李小明" }, "civil affairs care for children: full name")
            #expect(childRow[idColumn].contains("********"))
            #expect(
                civil.rows.contains { (try? ResidentIDNumber(validating: $0[idColumn])) != nil },
                "adults' numbers in plain")
            // Community staff may.
            let community = try await exported("community", unmasked: true)
            #expect(community.rows.contains { $0[idColumn] == number })
        }
    }

    @Test func templatesDownloadInBothFormats() async throws {
        try await withTestApp(seed: false) { app in
            try await app.testing().test(.GET, "/api/v1/exchange/residents/template?format=xlsx") { res in
                #expect(res.status == .unauthorized)
            }
        }
        try await withTestApp { app in
            let headers = try await app.bearer("community")
            for format in SheetFormat.allCases {
                try await app.testing().test(
                    .GET, "/api/v1/exchange/places/template?format=\(format.rawValue)", headers: headers
                ) { res in
                    #expect(res.status == .ok)
                    let sheet = try SheetReader.read(Array(res.body.readableBytesView), format: format)
                    #expect(sheet.header.first == "编码")
                }
            }
        }
    }

    /// A workbook written by openpyxl, as another system exports one: birth dates are real date
    /// cells (format 14, yyyy-mm-dd, a Chinese format, a date with a time).
    static func openpyxlWorkbook() throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ZhiliSheetsTests/Fixtures/residents-dates-openpyxl.xlsx")
        return Array(try Data(contentsOf: url))
    }

    @Test func birthDatesInRealDateCellsAgreeWithTheIDNumbers() async throws {
        try await withTestApp { app in
            let report = try await Self.importer(app).importFile(
                .residents, bytes: try Self.openpyxlWorkbook(), filename: "居民.xlsx", dryRun: true)
            for line in 2...5 {
                let issues = report.rejected.filter { $0.row == line }.map(\.column)
                #expect(
                    !issues.contains("出生日期") && !issues.contains("证件号码") && !issues.contains("性别"),
                    "row \(line): \(issues)")
            }
        }
    }

    @Test func anIDNumberSavedAsANumberIsRefusedWithTheReason() async throws {
        try await withTestApp { app in
            let report = try await Self.importer(app).importFile(
                .residents, bytes: try Self.openpyxlWorkbook(), filename: "居民.xlsx", dryRun: true)
            let issue = try #require(report.rejected.first { $0.row == 6 && $0.column == "证件号码" })
            #expect(issue.messageZh.contains("数字格式"))
            #expect(issue.messageZh.contains("文本格式"))
            #expect(issue.messageEn.contains("format the column as text"))
        }
    }
}
