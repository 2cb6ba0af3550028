import Fluent
import Foundation
import SQLKit
import ZhiliDomain
import ZhiliSheets

/// Imports households: matched by household code, or by unit and room when the code is blank
/// (a new code is then allocated under the unit). All or nothing per file.
struct HouseholdImport {
    let database: any Database
    let principal: Principal

    struct Row: Sendable {
        let line: Int
        var code: String?
        let unit: String
        let room: String
        let address: String
        let houseType: String
        let floor: Int?
        let area: Double?
    }
    private struct Existing: Decodable {
        let code: String
        let room: String
        let address: String
        let house_type: String
        let floor: Int?
        let area: Double?
    }

    func run(_ sheet: Sheet, dryRun: Bool) async throws -> ImportReport {
        let started = Date()
        let kind = ExchangeKind.households
        let begun = kind.begin(sheet, dryRun: dryRun)
        var report = begun.report
        guard let indices = begun.indices else { return report }
        let db = try database.sql
        var seen: [String: Int] = [:]
        var rows = kind.checkRows(sheet, indices, into: &report) { line, cell, reject in
            let unit = cell("unitCode") ?? ""
            if (try? HierarchyCode(validating: unit))?.level != .unit {
                reject("unitCode", "单元编码“\(unit)”无效（应为 23 位）", "Invalid unit code '\(unit)'")
            } else if !principal.scope.allows(code: unit) {
                reject("unitCode", "单元 \(unit) 不在您的管辖范围内", "Unit \(unit) is outside your area")
            }
            let code = cell("code")
            if let code, (try? HierarchyCode(validating: code))?.level != .household || !code.hasPrefix(unit) {
                reject("code", "户编码“\(code)”无效或不属于该单元", "Household code '\(code)' is invalid or not in that unit")
            }
            let room = cell("room") ?? ""
            if room.isEmpty || room.count > 20 {
                reject("room", "房号不能为空且不超过 20 字", "Room is required (20 characters at most)")
            }
            let address = cell("address") ?? ""
            if address.isEmpty || address.count > 200 {
                reject("address", "地址不能为空且不超过 200 字", "Address is required (200 characters at most)")
            }
            let typeText = cell("houseType") ?? "楼房"
            let houseType = ["楼房": "flat", "flat": "flat", "平房": "bungalow", "bungalow": "bungalow"][typeText]
            if houseType == nil { reject("houseType", "房屋类型应为“楼房”或“平房”", "House type must be flat or bungalow") }
            let floor = cell("floor").map { Int($0) }
            if let f = floor, f == nil || !(-5...200).contains(f!) {
                reject("floor", "楼层应为整数", "Floor must be a whole number")
            }
            let area = cell("area").map { Double($0) }
            if let a = area, a == nil || !(1...10_000).contains(a!) {
                reject("area", "面积应为 1–10000 的数字", "Area must be a number 1–10000")
            }
            let key = code ?? "\(unit)#\(room)"
            if let first = seen[key] { reject("code", "与第 \(first) 行重复", "Duplicate of row \(first)") }
            seen[key] = line
            return {
                Row(
                    line: line, code: code, unit: unit, room: room, address: address, houseType: houseType!,
                    floor: floor ?? nil, area: area ?? nil)
            }
        }
        let units = try await StoredKeys(db: db).present(rows.map(\.unit), table: "nodes", column: "code")
        for r in rows where !units.contains(r.unit) {
            report.rejected.append(
                .init(
                    row: r.line, column: "单元编码", messageZh: "单元 \(r.unit) 不存在",
                    messageEn: "Unit \(r.unit) does not exist"))
        }
        report.rejected.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        rows = rows.filter { units.contains($0.unit) }
        var existing: [String: Existing] = [:]
        for chunk in Array(Set(rows.map(\.unit))).chunked(200) {
            for u in chunk {
                for e in try await db.select().columns("code", "room", "address", "house_type", "floor", "area").from(
                    "households"
                )
                .where("code", .greaterThanOrEqual, u).where("code", .lessThan, u + ":").all(decoding: Existing.self) {
                    existing[e.code] = e
                    existing["\(u)#\(e.room)"] = e
                }
            }
        }
        var fresh: [Row] = []
        var changed: [(String, Row)] = []
        var nextSerial: [String: Int] = [:]
        for var r in rows {
            if let e = existing[r.code ?? "\(r.unit)#\(r.room)"] {
                if e.address != r.address || e.room != r.room || e.house_type != r.houseType || e.floor != r.floor
                    || e.area != r.area
                {
                    changed.append((e.code, r))
                } else {
                    report.unchanged += 1
                }
                continue
            }
            if r.code == nil {
                let used =
                    nextSerial[r.unit] ?? existing.keys.filter { $0.hasPrefix(r.unit) && !$0.contains("#") }.compactMap
                { Int($0.suffix(4)) }.max() ?? 0
                nextSerial[r.unit] = used + 1
                r.code = r.unit + String(format: "%04d", used + 1)
            }
            fresh.append(r)
        }
        report.created = fresh.count
        report.updated = changed.count
        guard !dryRun, report.rejected.isEmpty else {
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        let (finalFresh, finalChanged) = (fresh, changed)
        try await database.writeTransaction { tx in
            let sql = try tx.sql
            let now = Date()
            try await BulkInsert(db: sql).run(
                "households", ["code", "address", "house_type", "floor", "room", "area", "retired", "created_at"],
                finalFresh.map { [$0.code!, $0.address, $0.houseType, $0.floor, $0.room, $0.area, false, now] })
            for (code, r) in finalChanged {
                try await sql.update("households").set("address", to: r.address).set("room", to: r.room).set(
                    "house_type", to: r.houseType
                )
                .set("floor", to: r.floor).set("area", to: r.area).where("code", .equal, code).run()
            }
            await Dialect(sql).finishBulkWrite(sql)
        }
        report.committed = true
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
