import Foundation
import ZhiliSheets

/// What can be imported and exported, with the Chinese column headers of each template.
enum ExchangeKind: String, Sendable, CaseIterable, Codable {
    case residents, households, places

    struct Column: Sendable {
        let key: String
        let zh: String
        /// The column's name on an English page (files keep the Chinese headers).
        let en: String
        let required: Bool
        let example: String
    }

    var columns: [Column] {
        switch self {
        case .residents:
            [
                Column(key: "name", zh: "姓名", en: "Name", required: true, example: "张三"),
                Column(key: "idType", zh: "证件类型", en: "ID type", required: false, example: "居民身份证"),
                Column(key: "idNumber", zh: "证件号码", en: "ID number", required: true, example: "620982199001019011"),
                Column(key: "sex", zh: "性别", en: "Sex", required: false, example: "男"),
                Column(key: "birthDate", zh: "出生日期", en: "Date of birth", required: false, example: "1990-01-01"),
                Column(key: "ethnicity", zh: "民族", en: "Ethnicity", required: false, example: "汉族"),
                Column(key: "phone", zh: "手机号码", en: "Mobile", required: false, example: "13900000000"),
                Column(
                    key: "householdCode", zh: "户编码", en: "Household code", required: true,
                    example: "620982001001001001001010001"),
                Column(key: "relation", zh: "与户主关系", en: "Relation to head", required: false, example: "户主"),
                Column(key: "residencyType", zh: "居住类型", en: "Residency", required: false, example: "户籍常住"),
                Column(key: "employmentGroup", zh: "新就业群体", en: "New employment group", required: false, example: ""),
                Column(key: "politicalStatus", zh: "政治面貌", en: "Political status", required: false, example: "群众"),
                Column(key: "employer", zh: "工作单位", en: "Employer", required: false, example: ""),
                Column(key: "notes", zh: "备注", en: "Notes", required: false, example: ""),
                Column(key: "tags", zh: "标签", en: "Tags", required: false, example: "孤寡老人"),
            ]
        case .households:
            [
                Column(key: "code", zh: "户编码", en: "Household code", required: false, example: ""),
                Column(
                    key: "unitCode", zh: "单元编码", en: "Unit code", required: true, example: "62098200100100100100101"),
                Column(key: "room", zh: "房号", en: "Room", required: true, example: "502"),
                Column(key: "address", zh: "地址", en: "Address", required: true, example: "敦煌市沙州镇阳关社区鸣沙小区1号楼1单元502室"),
                Column(key: "houseType", zh: "房屋类型", en: "House type", required: false, example: "楼房"),
                Column(key: "floor", zh: "楼层", en: "Floor", required: false, example: "5"),
                Column(key: "area", zh: "面积", en: "Floor area", required: false, example: "86.5"),
            ]
        case .places:
            [
                Column(key: "code", zh: "编码", en: "Code", required: false, example: ""),
                Column(key: "name", zh: "名称", en: "Name", required: true, example: "鸣沙便民超市"),
                Column(key: "kind", zh: "类别", en: "Kind", required: true, example: "超市"),
                Column(key: "nodeCode", zh: "所属网格编码", en: "Grid code", required: true, example: "620982001001001"),
                Column(key: "lat", zh: "纬度", en: "Latitude", required: true, example: "40.1420"),
                Column(key: "lon", zh: "经度", en: "Longitude", required: true, example: "94.6620"),
                Column(key: "address", zh: "地址", en: "Address", required: false, example: ""),
                Column(key: "contactName", zh: "联系人", en: "Contact", required: false, example: ""),
                Column(key: "contactPhone", zh: "联系电话", en: "Contact phone", required: false, example: ""),
            ]
        }
    }

    var nameZh: String {
        switch self {
        case .residents: "居民"
        case .households: "户"
        case .places: "场所与设施"
        }
    }

    /// An empty template with one example row, for download.
    var template: Sheet {
        Sheet(header: columns.map { $0.zh + ($0.required ? "*" : "") }, rows: [columns.map(\.example)])
    }

    /// Maps the file's header to column keys; accepts Chinese names (with or without the
    /// required-star) and English keys. Returns the missing required columns too.
    func mapHeader(_ header: [String]) -> (indices: [String: Int], missing: [String]) {
        var indices: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let h = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "")
            if let c = columns.first(where: { $0.zh == h || $0.key.lowercased() == h.lowercased() }),
                indices[c.key] == nil
            {
                indices[c.key] = i
            }
        }
        let missing = columns.filter { $0.required && indices[$0.key] == nil }.map(\.zh)
        return (indices, missing)
    }

    func headerName(_ key: String) -> String { columns.first { $0.key == key }?.zh ?? key }

    /// A report's column (its Chinese header) in the reader's language.
    func columnName(_ header: String, _ t: Localizer) -> String {
        columns.first { $0.zh == header }.map { t.pick($0.zh, $0.en) } ?? header
    }

    /// Starts an import's report. Without every required column the report names the missing
    /// ones and there is nothing to map.
    func begin(_ sheet: Sheet, dryRun: Bool) -> (report: ImportReport, indices: [String: Int]?) {
        var report = ImportReport(kind: self, dryRun: dryRun, rows: sheet.rows.count)
        let (indices, missing) = mapHeader(sheet.header)
        guard missing.isEmpty else {
            report.rejected = missing.map { zh in
                let en = columns.first { $0.zh == zh }?.en ?? zh
                return .init(
                    row: 1, column: zh, messageZh: "缺少必填列“\(zh)”", messageEn: "Missing required column '\(zh)' (\(en))")
            }
            return (report, nil)
        }
        return (report, indices)
    }

    /// Goes through a sheet's rows. For each, `check` reads cells by column key, reports what is
    /// wrong (column key, Chinese, English; added to the report with the row number as Excel
    /// shows it) and hands back how to build the row, which is done only if nothing was wrong.
    func checkRows<Row>(
        _ sheet: Sheet, _ indices: [String: Int], into report: inout ImportReport,
        _ check: (_ line: Int, _ cell: (String) -> String?, _ reject: (String, String, String) -> Void) -> () -> Row
    ) -> [Row] {
        var rows: [Row] = []
        for (i, cells) in sheet.rows.enumerated() {
            let line = sheet.rowNumbers[i]
            let before = report.rejected.count
            let build = check(line, { ExchangeKind.cell(cells, indices, $0) }) { key, zh, en in
                report.rejected.append(.init(row: line, column: headerName(key), messageZh: zh, messageEn: en))
            }
            if report.rejected.count == before { rows.append(build()) }
        }
        return rows
    }

    /// A row's cell by column key, trimmed; nil when the column is absent or the cell empty.
    static func cell(_ cells: [String], _ indices: [String: Int], _ key: String) -> String? {
        ResidentValidation.clean(indices[key].flatMap { $0 < cells.count ? cells[$0] : nil })
    }
}
