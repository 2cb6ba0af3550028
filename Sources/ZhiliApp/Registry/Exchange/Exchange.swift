import Fluent
import Foundation
import SQLKit
import ZhiliDomain
import ZhiliSheets

/// The front door of imports and exports, shared by the web page, the API and the commands.
struct Exchange {
    let database: any Database
    let cipher: FieldCipher
    let principal: Principal

    static let maxRows = 500_000

    /// Parses the file, then imports (or dry-runs) it. A file that cannot be read at all is a
    /// report with one row-1 issue, never an exception for the caller to render.
    func importFile(_ kind: ExchangeKind, bytes: [UInt8], filename: String?, dryRun: Bool) async throws -> ImportReport
    {
        // People and households are imported by those who keep the register; places by any staff.
        guard principal.role.isStaff, kind == .places || RegistryPolicy.mayWriteResidents(principal) else {
            throw AppError.forbidden
        }
        let sheet: Sheet
        let parseStarted = Date()
        do {
            guard let format = SheetFormat.detect(filename: filename, data: bytes) else { throw SheetError.notText }
            sheet = try SheetReader.read(bytes, format: format, maxRows: Self.maxRows)
        } catch let e as SheetError {
            var report = ImportReport(kind: kind, dryRun: dryRun, rows: 0)
            report.rejected = [.init(row: 1, column: "文件", messageZh: e.messageZh, messageEn: e.messageEn)]
            return report
        }
        let parseSeconds = Date().timeIntervalSince(parseStarted)
        var report: ImportReport
        switch kind {
        case .residents:
            report = try await ResidentImport(database: database, cipher: cipher, principal: principal).run(
                sheet, dryRun: dryRun)
        case .households:
            report = try await HouseholdImport(database: database, principal: principal).run(sheet, dryRun: dryRun)
        case .places:
            report = try await PlaceImport(database: database, principal: principal).run(sheet, dryRun: dryRun)
        }
        database.logger.debug("\(kind.rawValue) import: file read in \(String(format: "%.2f", parseSeconds)) s")
        // The time reported is the whole import, reading the file included.
        report.seconds += parseSeconds
        return report
    }

    struct ExportRequest: Sendable {
        var kind: ExchangeKind
        var under: HierarchyCode
        var unmasked = false
        var reason: String?
    }

    /// Rows under a node, masked unless an authorised person asked for plain values with a reason.
    func export(_ request: ExportRequest) async throws -> Sheet {
        guard principal.role.isStaff, principal.scope.allows(code: request.under.value) else {
            throw AppError.forbidden
        }
        if request.unmasked {
            guard TagVisibility.mayReveal(principal, isChild: false), principal.role != .gridWorker else {
                throw AppError(
                    .forbidden, code: "unmasked_export_forbidden", zh: "无权导出未脱敏数据",
                    en: "You may not export unmasked data")
            }
            _ = try RevealReason.validated(request.reason)
        }
        let db = try database.sql
        let lo = request.under.value
        let hi = request.under.rangeUpperBound
        let kind = request.kind
        let header = kind.columns.map(\.zh)
        switch kind {
        case .households:
            struct R: Decodable {
                let code: String
                let address: String
                let house_type: String
                let floor: Int?
                let room: String
                let area: Double?
            }
            let rows = try await db.select().columns("code", "address", "house_type", "floor", "room", "area").from(
                "households"
            )
            .where("code", .greaterThanOrEqual, lo).where("code", .lessThan, hi).where("retired", .equal, false)
            .orderBy("code")
            .all(decoding: R.self)
            return Sheet(
                header: header,
                rows: rows.map {
                    [
                        $0.code, String($0.code.prefix(23)), $0.room, $0.address,
                        $0.house_type == "bungalow" ? "平房" : "楼房", $0.floor.map(String.init) ?? "",
                        $0.area.map { String($0) } ?? "",
                    ]
                })
        case .places:
            struct R: Decodable {
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
            let rows = try await db.select().columns(
                "code", "name", "kind", "node_code", "lat", "lon", "address", "contact_name", "contact_phone"
            )
            .from("places").where("node_code", .greaterThanOrEqual, lo).where("node_code", .lessThan, hi).orderBy(
                "node_code"
            ).orderBy("name")
            .all(decoding: R.self)
            return Sheet(
                header: header,
                rows: rows.map {
                    [
                        $0.code ?? "", $0.name, PlaceKinds.nameZh($0.kind), $0.node_code, String($0.lat),
                        String($0.lon),
                        $0.address ?? "", $0.contact_name ?? "",
                        request.unmasked ? ($0.contact_phone ?? "") : ($0.contact_phone.map(PhoneNumber.masked) ?? ""),
                    ]
                })
        case .residents:
            return try await exportResidents(db: db, lo: lo, hi: hi, header: header, unmasked: request.unmasked)
        }
    }

    private struct ResidentRow: Decodable {
        let id: UUID
        let household_code: String
        let name: String
        let sex: String
        let birth_date: String
        let id_type: String
        let id_number_enc: String
        let id_number_masked: String
        let phone_enc: String?
        let phone_masked: String?
        let ethnicity: String
        let relation: String
        let residency_type: String
        let employment_group: String?
        let political_status: String
        let employer: String?
        let notes: String?
    }

    private func exportResidents(db: any SQLDatabase, lo: String, hi: String, header: [String], unmasked: Bool)
        async throws -> Sheet
    {
        let rows = try await db.select().columns(
            "id", "household_code", "name", "sex", "birth_date", "id_type", "id_number_enc", "id_number_masked",
            "phone_enc", "phone_masked", "ethnicity", "relation", "residency_type", "employment_group",
            "political_status", "employer", "notes"
        )
        .from("residents").where("household_code", .greaterThanOrEqual, lo).where("household_code", .lessThan, hi)
        .orderBy("household_code").orderBy("id").all(decoding: ResidentRow.self)
        let catalogue = try await TagCatalogue.byCode(on: db)
        var tags: [UUID: [String]] = [:]
        struct T: Decodable {
            let resident_id: UUID
            let tag: String
        }
        for t in try await db.select().columns("resident_id", "tag").from("resident_tags")
            .where("household_code", .greaterThanOrEqual, lo).where("household_code", .lessThan, hi).all(
                decoding: T.self)
        where TagVisibility.canSee(principal, catalogue[t.tag]?.tagSensitivity ?? .normal) {
            tags[t.resident_id, default: []].append(catalogue[t.tag]?.nameZh ?? t.tag)
        }
        func name(_ list: [VocabularyItem], _ key: String?) -> String {
            key.flatMap { RegistryVocabulary.item(list, key: $0)?.nameZh } ?? (key ?? "")
        }
        // Children under 14 as everywhere else: names as the viewer's role sees them, numbers in
        // plain only for those who may reveal a child's.
        let year = ResidentViews.year(of: Date())
        let revealChildren = TagVisibility.mayReveal(principal, isChild: true)
        return Sheet(
            header: header,
            rows: try rows.map { r in
                let child = ResidentViews.isChild(birthDate: r.birth_date, currentYear: year)
                let plain = unmasked && (!child || revealChildren)
                return [
                    ResidentViews.name(r.name, birthDate: r.birth_date, for: principal, currentYear: year),
                    name(RegistryVocabulary.idTypes, r.id_type),
                    plain ? try cipher.decrypt(r.id_number_enc) : r.id_number_masked,
                    Sex(rawValue: r.sex)?.nameZh ?? r.sex, r.birth_date, r.ethnicity,
                    plain ? (try r.phone_enc.map(cipher.decrypt) ?? "") : (r.phone_masked ?? ""), r.household_code,
                    name(RegistryVocabulary.relations, r.relation),
                    name(RegistryVocabulary.residencyTypes, r.residency_type),
                    name(RegistryVocabulary.employmentGroups, r.employment_group),
                    name(RegistryVocabulary.politicalStatuses, r.political_status),
                    r.employer ?? "", r.notes ?? "", (tags[r.id] ?? []).sorted().joined(separator: "、"),
                ]
            })
    }
}
