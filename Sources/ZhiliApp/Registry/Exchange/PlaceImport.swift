import Fluent
import Foundation
import SQLKit
import ZhiliDomain
import ZhiliSheets

/// Imports places and things: matched by place code, or by name within the same grid when
/// the code is blank. The grid must exist and lie in the importer's area.
struct PlaceImport {
    let database: any Database
    let principal: Principal

    struct Row: Sendable {
        let line: Int
        let code: String?
        let name: String
        let kind: String
        let node: String
        let lat: Double
        let lon: Double
        let address: String?
        let contact: String?
        let phone: String?
    }
    private struct Existing: Decodable {
        let id: UUID
        let code: String?
        let name: String
        let kind: String
        let node_code: String
        let lat: Double
        let lon: Double
        let address: String?
        let contact_name: String?
        let contact_phone: String?
    }

    func run(_ sheet: Sheet, dryRun: Bool) async throws -> ImportReport {
        let started = Date()
        let kind = ExchangeKind.places
        let begun = kind.begin(sheet, dryRun: dryRun)
        var report = begun.report
        guard let indices = begun.indices else { return report }
        let db = try database.sql
        var seen: [String: Int] = [:]
        var rows = kind.checkRows(sheet, indices, into: &report) { line, cell, reject in
            let name = cell("name") ?? ""
            if name.isEmpty || name.count > 100 {
                reject("name", "名称不能为空且不超过 100 字", "Name is required (100 characters at most)")
            }
            let kindText = cell("kind") ?? ""
            let placeKind = PlaceKinds.resolve(kindText)
            if placeKind == nil { reject("kind", "类别“\(kindText)”不在目录中", "Unknown kind '\(kindText)'") }
            let node = cell("nodeCode") ?? ""
            let level = (try? HierarchyCode(validating: node))?.level
            if level != .grid && level != .compound {
                reject("nodeCode", "网格编码“\(node)”无效", "Invalid grid code '\(node)'")
            } else if !principal.scope.allows(code: node) {
                reject("nodeCode", "网格 \(node) 不在您的管辖范围内", "Grid \(node) is outside your area")
            }
            let lat = cell("lat").flatMap(Double.init)
            let lon = cell("lon").flatMap(Double.init)
            if lat == nil || !(-90...90).contains(lat!) { reject("lat", "纬度无效", "Invalid latitude") }
            if lon == nil || !(-180...180).contains(lon!) { reject("lon", "经度无效", "Invalid longitude") }
            let code = cell("code")
            if let c = code, c.count > 40 { reject("code", "编码过长", "Code too long") }
            let key = code ?? "\(node)#\(name)"
            if let first = seen[key] { reject("code", "与第 \(first) 行重复", "Duplicate of row \(first)") }
            seen[key] = line
            let address = cell("address")
            let contact = cell("contactName")
            let phone = cell("contactPhone")
            return {
                Row(
                    line: line, code: code, name: name, kind: placeKind!, node: node, lat: lat!, lon: lon!,
                    address: address, contact: contact, phone: phone)
            }
        }
        let nodes = try await StoredKeys(db: db).present(rows.map(\.node), table: "nodes", column: "code")
        for r in rows where !nodes.contains(r.node) {
            report.rejected.append(
                .init(
                    row: r.line, column: "所属网格编码", messageZh: "网格 \(r.node) 不存在",
                    messageEn: "Grid \(r.node) does not exist"))
        }
        report.rejected.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        rows = rows.filter { nodes.contains($0.node) }
        var byKey: [String: Existing] = [:]
        let columns = [
            "id", "code", "name", "kind", "node_code", "lat", "lon", "address", "contact_name", "contact_phone",
        ]
        for chunk in Array(Set(rows.map(\.node))).chunked(500) {
            for e in try await db.select().columns(columns).from("places").where("node_code", .in, Array(chunk)).all(
                decoding: Existing.self)
            {
                if let c = e.code { byKey[c] = e }
                byKey["\(e.node_code)#\(e.name)"] = e
            }
        }
        let codes = rows.compactMap(\.code)
        for chunk in codes.chunked(500) {
            for e in try await db.select().columns(columns).from("places").where("code", .in, Array(chunk)).all(
                decoding: Existing.self)
            {
                if let c = e.code { byKey[c] = e }
            }
        }
        var fresh: [Row] = []
        var changed: [(UUID, Row)] = []
        for r in rows {
            guard let e = byKey[r.code ?? "\(r.node)#\(r.name)"] else {
                fresh.append(r)
                continue
            }
            if e.name != r.name || e.kind != r.kind || e.node_code != r.node || abs(e.lat - r.lat) > 1e-7
                || abs(e.lon - r.lon) > 1e-7
                || e.address != r.address || e.contact_name != r.contact || e.contact_phone != r.phone
            {
                changed.append((e.id, r))
            } else {
                report.unchanged += 1
            }
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
                "places",
                [
                    "id", "code", "kind", "category", "name", "node_code", "lat", "lon", "address", "contact_name",
                    "contact_phone", "created_at",
                ],
                finalFresh.map {
                    [
                        UUID(), $0.code, $0.kind, PlaceKinds.nameZh($0.kind), $0.name, $0.node, $0.lat, $0.lon,
                        $0.address, $0.contact, $0.phone, now,
                    ]
                })
            for (id, r) in finalChanged {
                try await sql.update("places").set("code", to: r.code).set("name", to: r.name).set("kind", to: r.kind)
                    .set("node_code", to: r.node)
                    .set("lat", to: r.lat).set("lon", to: r.lon).set("address", to: r.address).set(
                        "contact_name", to: r.contact
                    )
                    .set("contact_phone", to: r.phone).where("id", .equal, id).run()
            }
            await Dialect(sql).finishBulkWrite(sql)
        }
        report.committed = true
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
