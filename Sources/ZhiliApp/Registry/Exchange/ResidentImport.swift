import Fluent
import Foundation
import SQLKit
import ZhiliDomain
import ZhiliSheets

/// Imports residents from a sheet: validates every row first, then writes all or nothing.
/// Re-importing the same file changes nothing: people are matched by ID number (its hash).
struct ResidentImport {
    let database: any Database
    let cipher: FieldCipher
    let principal: Principal
    /// Test hook: throw after this many rows were written, to prove the rollback.
    var interruptAfter: Int?

    struct Existing: Decodable {
        let id: UUID
        let id_number_hash: String
        let household_code: String
        let name: String
        let sex: String
        let birth_date: String
        let phone_hash: String?
        let ethnicity: String
        let relation: String
        let residency_type: String
        let employment_group: String?
        let political_status: String
        let employer: String?
        let notes: String?
    }
    private struct TagRow: Decodable {
        let resident_id: UUID
        let tag: String
    }

    func run(_ sheet: Sheet, dryRun: Bool) async throws -> ImportReport {
        let started = Date()
        let kind = ExchangeKind.residents
        let begun = kind.begin(sheet, dryRun: dryRun)
        var report = begun.report
        guard let indices = begun.indices else { return report }
        let db = try database.sql
        let catalogue = try await TagCatalogue.byCode(on: db)
        var valid: [(row: Int, value: ValidResident)] = []
        var seen: [String: Int] = [:]
        // Validation is pure and per row: spread it over the cores, then check across rows in order.
        let results = await Self.validateAll(sheet, indices: indices, catalogue: catalogue)
        @Sendable func phase(_ name: String) {
            db.logger.debug(
                "resident import: \(name) after \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        }
        phase("validated")
        for (i, result) in results.enumerated() {
            let rowNumber = sheet.rowNumbers[i]
            switch result {
            case .failure(let f):
                report.rejected += f.issues.map {
                    ImportReport.RowIssue(
                        row: rowNumber, column: kind.headerName($0.field), messageZh: $0.messageZh,
                        messageEn: $0.messageEn)
                }
            case .success(let v):
                if let first = seen[v.idNumber] {
                    report.rejected.append(
                        .init(
                            row: rowNumber, column: "证件号码", messageZh: "与第 \(first) 行的证件号码重复",
                            messageEn: "Same ID number as row \(first)"))
                } else if !principal.scope.allows(code: v.householdCode) {
                    seen[v.idNumber] = rowNumber
                    report.rejected.append(
                        .init(
                            row: rowNumber, column: "户编码", messageZh: "户 \(v.householdCode) 不在您的管辖范围内",
                            messageEn: "Household \(v.householdCode) is outside your area"))
                } else {
                    seen[v.idNumber] = rowNumber
                    valid.append((rowNumber, v))
                }
            }
        }
        // Households must already exist.
        let known = try await StoredKeys(db: db).present(
            valid.map(\.value.householdCode), table: "households", column: "code")
        for (row, v) in valid where !known.contains(v.householdCode) {
            report.rejected.append(
                .init(
                    row: row, column: "户编码", messageZh: "户 \(v.householdCode) 不存在，请先导入户信息",
                    messageEn: "Household \(v.householdCode) does not exist; import households first"))
        }
        report.rejected.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        let okRows = valid.filter { known.contains($0.value.householdCode) }
        // Match existing people by ID hash: first which hashes are stored (cheap), then their
        // records and tags, on one connection held for the lookups (its rows come back in one
        // hand-off per query, not one per row).
        let hashes = okRows.map { cipher.searchHash($0.value.idNumber) }
        let stored = try await StoredKeys(db: db).present(hashes, table: "residents", column: "id_number_hash")
        let (existing, existingTags) = try await db.withSession { session in
            var existing: [String: Existing] = [:]
            for chunk in stored.sorted().chunked(StoredKeys.chunk) {
                for e in try await session.select().columns(
                    "id", "id_number_hash", "household_code", "name", "sex", "birth_date", "phone_hash", "ethnicity",
                    "relation", "residency_type", "employment_group", "political_status", "employer", "notes"
                )
                .from("residents").where("id_number_hash", .in, Array(chunk)).all(decoding: Existing.self) {
                    existing[e.id_number_hash] = e
                }
            }
            var existingTags: [UUID: Set<String>] = [:]
            // In index order (as SQLite stores them: upper-case text), the text made once per id.
            let ids = existing.values.map { ($0.id, UUIDText.string($0.id)) }.sorted { $0.1 < $1.1 }.map(\.0)
            for chunk in ids.chunked(StoredKeys.chunk) {
                for t in try await session.select().columns("resident_id", "tag").from("resident_tags").where(
                    "resident_id", .in, Array(chunk)
                ).all(decoding: TagRow.self) {
                    existingTags[t.resident_id, default: []].insert(t.tag)
                }
            }
            return (existing, existingTags)
        }
        // Only people already inside the importer's area are matched. Anyone else with the ID
        // number is, to the importer, the same as someone unknown: the dry run counts both as
        // new, and the real run sends the former to review as a move-in instead of moving them.
        var fresh: [(ValidResident, String)] = []
        var changed: [(row: Int, existing: Existing, value: ValidResident)] = []
        var transfers: [(row: Int, existing: Existing, value: ValidResident)] = []
        for ((row, v), hash) in zip(okRows, hashes) {
            guard let e = existing[hash] else {
                fresh.append((v, hash))
                continue
            }
            guard principal.scope.allows(code: e.household_code) else {
                transfers.append((row, e, v))
                continue
            }
            if Self.differs(e, v, cipher: cipher) || !Set(v.tags).isSubset(of: existingTags[e.id] ?? []) {
                changed.append((row, e, v))
            } else {
                report.unchanged += 1
            }
        }
        let holdsForReview = ResidentService.changesNeedReview(principal)
        report.created = fresh.count + (dryRun ? transfers.count : 0)
        report.updated = changed.count
        phase("matched against stored people")
        guard !dryRun, report.rejected.isEmpty else {
            if holdsForReview {
                // What would wait for review among the importer's own people (no one else's).
                for c in changed where Self.holdsIdentity(c.existing, c.value, tags: existingTags[c.existing.id] ?? [])
                {
                    report.held(c.row, zh: "身份信息或标签的变更须经社区审核", en: "Identity or tag changes wait for community review")
                }
            }
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        let actor = ResidentStore.Actor(id: principal.userID, name: principal.username)
        // New people go in by household: the household index then takes them in order, and a
        // household's members sit together in the table.
        fresh.sort { $0.0.householdCode < $1.0.householdCode }
        let (finalFresh, finalChanged, finalTransfers, finalExistingTags) = (fresh, changed, transfers, existingTags)
        let principal = self.principal
        let held = try await database.writeTransaction { tx -> [(row: Int, zh: String, en: String)] in
            let sql = try tx.sql
            try await insertFresh(finalFresh, on: sql, catalogue: catalogue, actor: actor)
            let service = ResidentService(db: sql, cipher: cipher)
            var held: [(row: Int, zh: String, en: String)] = []
            // Changes go the way a one-by-one edit goes: a grid worker's identity and tag
            // changes wait for review, the rest applies.
            for c in finalChanged {
                guard let current = try await service.load(c.existing.id) else { continue }
                var patch = ResidentService.patch(from: c.value, reason: "批量导入")
                patch.tags = Array(Set(c.value.tags).union(finalExistingTags[c.existing.id] ?? [])).sorted()
                let outcome = try await service.apply(patch, to: current, by: principal, catalogue: catalogue)
                if outcome.pendingReview != nil {
                    held.append((c.row, "身份信息或标签的变更已提交社区审核", "Identity or tag changes sent to community review"))
                }
            }
            let queue = ReviewQueue(db: sql, cipher: cipher)
            for t in finalTransfers {
                try await queue.submitMoveIn(residentID: t.existing.id, value: t.value, by: principal)
                held.append((t.row, "已提交迁入审核：该证件号码的居民将经社区审核后迁入", "Sent to review as a move-in"))
            }
            await Dialect(sql).finishBulkWrite(sql)
            phase("written")
            return held
        }
        for h in held { report.held(h.row, zh: h.zh, en: h.en) }
        phase("committed")
        report.committed = true
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Whether a change to this person would touch what a grid worker's edit sends to review.
    static func holdsIdentity(_ e: Existing, _ v: ValidResident, tags: Set<String>) -> Bool {
        e.name != v.name || e.sex != v.sex || e.birth_date != v.birthDate || !Set(v.tags).isSubset(of: tags)
    }

    static func validateAll(_ sheet: Sheet, indices: [String: Int], catalogue: [String: TagCatalogue.Definition]) async
        -> [Result<ValidResident, ValidationFailure>]
    {
        let today = Date()
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, sheet.rows.count / 2000))
        let size = (sheet.rows.count + parts - 1) / max(parts, 1)
        return await withTaskGroup(of: (Int, [Result<ValidResident, ValidationFailure>]).self) { group in
            for part in 0..<parts {
                let range = (part * size)..<min((part + 1) * size, sheet.rows.count)
                let rows = Array(sheet.rows[range])
                group.addTask {
                    (
                        part,
                        rows.map { cells in
                            func cell(_ key: String) -> String? { ExchangeKind.cell(cells, indices, key) }
                            let tags = cell("tags").map {
                                $0.split(whereSeparator: { ",，、;；".contains($0) }).map(String.init)
                            }
                            let input = ResidentInput(
                                name: cell("name"), idType: cell("idType"), idNumber: cell("idNumber"),
                                sex: cell("sex"),
                                birthDate: cell("birthDate"), ethnicity: cell("ethnicity"), phone: cell("phone"),
                                householdCode: cell("householdCode"), relation: cell("relation"),
                                residencyType: cell("residencyType"),
                                employmentGroup: cell("employmentGroup"), politicalStatus: cell("politicalStatus"),
                                employer: cell("employer"), notes: cell("notes"), tags: tags)
                            return ResidentValidation.validate(input, tagCatalogue: catalogue, today: today)
                        }
                    )
                }
            }
            var byPart: [Int: [Result<ValidResident, ValidationFailure>]] = [:]
            for await (part, results) in group { byPart[part] = results }
            return (0..<parts).flatMap { byPart[$0] ?? [] }
        }
    }

    static func differs(_ e: Existing, _ v: ValidResident, cipher: FieldCipher) -> Bool {
        e.name != v.name || e.sex != v.sex || e.birth_date != v.birthDate || e.household_code != v.householdCode
            || e.phone_hash != v.phone.map(cipher.searchHash) || e.ethnicity != v.ethnicity || e.relation != v.relation
            || e.residency_type != v.residencyType || e.employment_group != v.employmentGroup
            || e.political_status != v.politicalStatus || e.employer != v.employer || e.notes != v.notes
    }

    /// New people in bulk: residents, their move-in records, tags and one history entry each.
    private func insertFresh(
        _ people: [(ValidResident, String)], on db: any SQLDatabase, catalogue: [String: TagCatalogue.Definition],
        actor: ResidentStore.Actor
    ) async throws {
        let now = Date()
        let bulk = BulkInsert(db: db)
        let built = try await Self.buildRows(people, cipher: cipher, catalogue: catalogue, actor: actor, now: now)
        db.logger.debug(
            "resident import: \(people.count) rows encrypted and laid out in \(String(format: "%.2f", Date().timeIntervalSince(now))) s"
        )
        var residents = built.residents
        let (moves, tags, history) = (built.moves, built.tags, built.history)
        if let limit = interruptAfter {
            residents = Array(residents.prefix(limit))
            try await bulk.run("residents", ResidentImport.residentColumns, residents)
            throw ImportInterrupted()
        }
        try await bulk.run("residents", Self.residentColumns, residents)
        try await bulk.run(
            "household_moves", ["id", "resident_id", "household_code", "moved_in_at", "moved_out_at", "reason"], moves)
        try await bulk.run(
            "resident_tags",
            [
                "id", "resident_id", "household_code", "tag", "detail", "created_at", "visit_interval_days",
                "next_visit_due",
            ], tags)
        try await bulk.run(
            "field_changes",
            [
                "id", "entity", "entity_id", "household_code", "field", "old_value", "new_value", "actor_id",
                "actor_name", "at",
            ], history)
    }

    typealias Rows = [[any Encodable & Sendable]]

    /// Encrypts and lays out the new people's rows, spread over the cores.
    static func buildRows(
        _ people: [(ValidResident, String)], cipher: FieldCipher, catalogue: [String: TagCatalogue.Definition],
        actor: ResidentStore.Actor, now: Date
    ) async throws -> (residents: Rows, moves: Rows, tags: Rows, history: Rows) {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, people.count / 2000))
        let size = (people.count + parts - 1) / max(parts, 1)
        return try await withThrowingTaskGroup(of: (Int, Rows, Rows, Rows, Rows).self) { group in
            for part in 0..<parts {
                let slice = Array(people[(part * size)..<min((part + 1) * size, people.count)])
                group.addTask {
                    var residents: Rows = []
                    var moves: Rows = []
                    var tags: Rows = []
                    var history: Rows = []
                    let tagCount = slice.reduce(0) { $0 + $1.0.tags.count }
                    var ids = RandomIDs.make(slice.count * 3 + tagCount).makeIterator()
                    for (r, idHash) in slice {
                        let id = ids.next()!
                        residents.append([
                            id, r.householdCode, r.name, r.sex, r.birthDate, r.idType, try cipher.encrypt(r.idNumber),
                            idHash, Masking.idNumber(r.idNumber), try r.phone.map(cipher.encrypt),
                            r.phone.map(cipher.searchHash), r.phone.map(PhoneNumber.masked), r.ethnicity, r.relation,
                            r.residencyType,
                            r.politicalStatus, r.employmentGroup, r.employer, r.notes, r.nameInitials, "active", now,
                            now,
                        ])
                        moves.append([ids.next()!, id, r.householdCode, now, Optional<Date>.none, "批量导入"])
                        for tag in r.tags {
                            let interval = catalogue[tag]?.visitIntervalDays
                            tags.append([
                                ids.next()!, id, r.householdCode, tag, Optional<String>.none, now, interval,
                                interval.map { ResidentValidation.isoDay(now.addingTimeInterval(Double($0) * 86400)) },
                            ])
                        }
                        history.append([
                            ids.next()!, "resident", UUIDText.string(id), r.householdCode, "created",
                            Optional<String>.none, r.name, actor.id, actor.name, now,
                        ])
                    }
                    return (part, residents, moves, tags, history)
                }
            }
            var byPart: [Int: (Rows, Rows, Rows, Rows)] = [:]
            for try await (part, a, b, c, d) in group { byPart[part] = (a, b, c, d) }
            let ordered = (0..<parts).compactMap { byPart[$0] }
            return (ordered.flatMap(\.0), ordered.flatMap(\.1), ordered.flatMap(\.2), ordered.flatMap(\.3))
        }
    }

    static let residentColumns = [
        "id", "household_code", "name", "sex", "birth_date", "id_type", "id_number_enc", "id_number_hash",
        "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "ethnicity", "relation", "residency_type",
        "political_status", "employment_group", "employer", "notes", "name_initials", "status", "created_at",
        "updated_at",
    ]
}

struct ImportInterrupted: Error {}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
