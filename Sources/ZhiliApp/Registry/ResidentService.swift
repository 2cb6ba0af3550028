import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The rules of keeping a register: who may change what, which changes wait for review,
/// and what the history keeps. Knows nothing of HTTP beyond the principal.
struct ResidentService {
    let db: any SQLDatabase
    let cipher: FieldCipher

    var store: ResidentStore { ResidentStore(db: db, cipher: cipher) }

    /// A change to a resident: the same fields as a registration, every one optional;
    /// tags as the full new set.
    typealias Patch = ResidentInput

    struct Outcome: Content, Sendable {
        let applied: [String]
        let pendingReview: UUID?
        let issues: [FieldIssue]
    }

    static let identityFields: Set<String> = ["name", "id_type", "id_number", "sex", "birth_date"]

    struct Current: Sendable {
        let id: UUID
        let household: String
        let valid: ValidResident
    }

    private struct FullRow: Decodable {
        let id: UUID
        let household_code: String
        let name: String
        let sex: String
        let birth_date: String
        let id_type: String
        let id_number_enc: String
        let phone_enc: String?
        let ethnicity: String
        let relation: String
        let residency_type: String
        let employment_group: String?
        let political_status: String
        let employer: String?
        let notes: String?
    }
    private struct TagRow: Decodable { let tag: String }

    func load(_ id: UUID) async throws -> Current? {
        guard
            let r = try await db.select().columns(
                "id", "household_code", "name", "sex", "birth_date", "id_type", "id_number_enc", "phone_enc",
                "ethnicity", "relation", "residency_type", "employment_group", "political_status", "employer", "notes"
            )
            .from("residents").where("id", .equal, id).first(decoding: FullRow.self)
        else { return nil }
        let tags = try await db.select().column("tag").from("resident_tags").where("resident_id", .equal, id).all(
            decoding: TagRow.self
        ).map(\.tag)
        return Current(
            id: r.id, household: r.household_code,
            valid: ValidResident(
                name: r.name, idType: r.id_type, idNumber: try cipher.decrypt(r.id_number_enc), sex: r.sex,
                birthDate: r.birth_date,
                ethnicity: r.ethnicity, phone: try r.phone_enc.map(cipher.decrypt), householdCode: r.household_code,
                relation: r.relation,
                residencyType: r.residency_type, employmentGroup: r.employment_group,
                politicalStatus: r.political_status,
                employer: r.employer, notes: r.notes, tags: tags.sorted()))
    }

    /// Merges a patch over the current record and validates the result as a whole.
    func merged(_ current: ValidResident, _ p: Patch, catalogue: [String: TagCatalogue.Definition]) -> Result<
        ValidResident, ValidationFailure
    > {
        let idChanged = p.idNumber != nil || p.idType != nil
        let input = ResidentInput(
            name: p.name ?? current.name, idType: p.idType ?? current.idType, idNumber: p.idNumber ?? current.idNumber,
            sex: p.sex ?? (idChanged ? nil : current.sex),
            birthDate: p.birthDate ?? (idChanged ? nil : current.birthDate),
            ethnicity: p.ethnicity ?? current.ethnicity, phone: p.phone ?? current.phone,
            householdCode: p.householdCode ?? current.householdCode,
            relation: p.relation ?? current.relation, residencyType: p.residencyType ?? current.residencyType,
            employmentGroup: p.employmentGroup ?? current.employmentGroup,
            politicalStatus: p.politicalStatus ?? current.politicalStatus,
            employer: p.employer ?? current.employer, notes: p.notes ?? current.notes, tags: p.tags ?? current.tags)
        return ResidentValidation.validate(input, tagCatalogue: catalogue)
    }

    static func diff(_ a: ValidResident, _ b: ValidResident) -> [(column: String, old: String?, new: String?)] {
        let pairs: [(String, String?, String?)] = [
            ("name", a.name, b.name), ("id_type", a.idType, b.idType), ("id_number", a.idNumber, b.idNumber),
            ("sex", a.sex, b.sex),
            ("birth_date", a.birthDate, b.birthDate), ("ethnicity", a.ethnicity, b.ethnicity),
            ("phone", a.phone, b.phone),
            ("relation", a.relation, b.relation), ("residency_type", a.residencyType, b.residencyType),
            ("employment_group", a.employmentGroup, b.employmentGroup),
            ("political_status", a.politicalStatus, b.politicalStatus),
            ("employer", a.employer, b.employer), ("notes", a.notes, b.notes),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { (column: $0.0, old: $0.1, new: $0.2) }
    }

    /// Applies a patch. A grid worker's changes to identity fields or tags wait for review;
    /// everything else (and every change by reviewers) takes effect at once.
    func apply(
        _ patch: Patch, to current: Current, by p: Principal, catalogue known: [String: TagCatalogue.Definition]? = nil
    ) async throws -> Outcome {
        let catalogue: [String: TagCatalogue.Definition]
        if let known { catalogue = known } else { catalogue = try await TagCatalogue.byCode(on: db) }
        let next: ValidResident
        switch merged(current.valid, patch, catalogue: catalogue) {
        case .success(let v): next = v
        case .failure(let f): return Outcome(applied: [], pendingReview: nil, issues: f.issues)
        }
        let actor = ResidentStore.Actor(id: p.userID, name: p.username)
        let changes = Self.diff(current.valid, next)
        let tagsChanged = next.tags != current.valid.tags
        let needsReview = Self.changesNeedReview(p)
        let immediate = needsReview ? changes.filter { !Self.identityFields.contains($0.column) } : changes
        try await store.update(id: current.id, household: current.household, changes: immediate, actor: actor)
        var applied = immediate.map(\.column)
        if !needsReview, tagsChanged {
            try await applyTags(
                from: current.valid.tags, to: next.tags, resident: current.id, household: current.household,
                catalogue: catalogue, actor: actor)
            applied.append("tags")
        }
        if next.householdCode != current.household {
            try await requireHousehold(next.householdCode)
            try await store.move(
                id: current.id, from: current.household, to: next.householdCode, reason: patch.reason ?? "迁入",
                actor: actor)
            applied.append("household_code")
        }
        var pending: UUID?
        let held = changes.filter { Self.identityFields.contains($0.column) }
        if needsReview, !held.isEmpty || tagsChanged {
            pending = try await ReviewQueue(db: db, cipher: cipher).submit(
                residentID: current.id, household: next.householdCode,
                patch: Patch(
                    name: next.name, idType: next.idType, idNumber: next.idNumber, sex: next.sex,
                    birthDate: next.birthDate,
                    tags: tagsChanged ? next.tags : nil, reason: patch.reason),
                summary: Self.summary(
                    held, oldTags: current.valid.tags, newTags: tagsChanged ? next.tags : nil, catalogue: catalogue),
                by: p)
        }
        return Outcome(applied: applied, pendingReview: pending, issues: [])
    }

    /// A grid worker's changes to identity fields and tags wait for community review.
    static func changesNeedReview(_ p: Principal) -> Bool { p.role == .gridWorker }

    /// A whole record as a patch: every field set (an import row, a move-in).
    static func patch(from v: ValidResident, reason: String?) -> Patch {
        Patch(
            name: v.name, idType: v.idType, idNumber: v.idNumber, sex: v.sex, birthDate: v.birthDate,
            ethnicity: v.ethnicity,
            phone: v.phone, householdCode: v.householdCode, relation: v.relation, residencyType: v.residencyType,
            employmentGroup: v.employmentGroup, politicalStatus: v.politicalStatus, employer: v.employer,
            notes: v.notes,
            tags: v.tags, reason: reason)
    }

    func applyTags(
        from old: [String], to new: [String], resident: UUID, household: String,
        catalogue: [String: TagCatalogue.Definition], actor: ResidentStore.Actor
    ) async throws {
        for tag in Set(new).subtracting(old) {
            try await store.addTag(tag, residentID: resident, household: household, catalogue: catalogue)
        }
        for tag in Set(old).subtracting(new) { try await store.removeTag(tag, residentID: resident) }
        try await store.history(
            entity: "resident", id: resident.uuidString, household: household, field: "tags",
            old: old.sorted().joined(separator: ","), new: new.sorted().joined(separator: ","), actor: actor)
    }

    func requireHousehold(_ code: String) async throws {
        guard try await db.select().column("code").from("households").where("code", .equal, code).first() != nil else {
            throw AppError.invalid("householdCode", zh: "户 \(code) 不存在", en: "Household \(code) does not exist")
        }
    }

    /// What a reviewer sees: old → new per field, numbers masked.
    static func summary(
        _ changes: [(column: String, old: String?, new: String?)], oldTags: [String], newTags: [String]?,
        catalogue: [String: TagCatalogue.Definition]
    ) -> String {
        var lines = changes.map { c -> String in
            let mask: (String?) -> String = { v in
                guard let v else { return "—" }
                return c.column == "id_number" ? Masking.idNumber(v) : v
            }
            return "\(FieldNames.zh(c.column))：\(mask(c.old)) → \(mask(c.new))"
        }
        if let newTags {
            let name: (String) -> String = { catalogue[$0]?.nameZh ?? $0 }
            lines.append("标签：\(oldTags.map(name).joined(separator: "、")) → \(newTags.map(name).joined(separator: "、"))")
        }
        return lines.joined(separator: "\n")
    }
}

enum FieldNames {
    static func zh(_ column: String) -> String {
        [
            "name": "姓名", "id_type": "证件类型", "id_number": "证件号码", "sex": "性别", "birth_date": "出生日期", "ethnicity": "民族",
            "phone": "电话", "household_code": "所在户", "relation": "与户主关系", "residency_type": "居住类型",
            "employment_group": "新就业群体", "political_status": "政治面貌", "employer": "工作单位", "notes": "备注", "tags": "标签",
            "created": "登记",
        ][column] ?? column
    }
}
