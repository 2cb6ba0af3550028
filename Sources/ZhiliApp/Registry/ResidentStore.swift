import Fluent
import Foundation
import SQLKit
import ZhiliDomain

/// Writes residents: the one place that turns a valid record into encrypted columns, keeps
/// the move history and the field history. Used by the API, the web forms and imports.
struct ResidentStore {
    let db: any SQLDatabase
    let cipher: FieldCipher

    struct Actor: Sendable {
        let id: UUID?
        let name: String
    }

    private struct IDRow: Decodable { let id: UUID }

    func findID(idNumber: String) async throws -> UUID? {
        try await db.select().column("id").from("residents")
            .where("id_number_hash", .equal, cipher.searchHash(idNumber)).first(decoding: IDRow.self)?.id
    }

    /// Inserts a new resident with its move-in record and tags; returns the new id.
    func insert(_ r: ValidResident, actor: Actor, id: UUID = UUID(), catalogue: [String: TagCatalogue.Definition])
        async throws -> UUID
    {
        let now = Date()
        try await db.insert(into: "residents")
            .columns(
                "id", "household_code", "name", "sex", "birth_date", "id_type", "id_number_enc", "id_number_hash",
                "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "ethnicity", "relation",
                "residency_type",
                "political_status", "employment_group", "employer", "notes", "name_initials", "status", "created_at",
                "updated_at"
            )
            .values(
                SQLBind(id), SQLBind(r.householdCode), SQLBind(r.name), SQLBind(r.sex), SQLBind(r.birthDate),
                SQLBind(r.idType),
                SQLBind(try cipher.encrypt(r.idNumber)), SQLBind(cipher.searchHash(r.idNumber)),
                SQLBind(Masking.idNumber(r.idNumber)),
                SQLBind(try r.phone.map(cipher.encrypt)), SQLBind(r.phone.map(cipher.searchHash)),
                SQLBind(r.phone.map(PhoneNumber.masked)),
                SQLBind(r.ethnicity), SQLBind(r.relation), SQLBind(r.residencyType), SQLBind(r.politicalStatus),
                SQLBind(r.employmentGroup), SQLBind(r.employer), SQLBind(r.notes), SQLBind(r.nameInitials),
                SQLBind("active"),
                SQLBind(now), SQLBind(now)
            )
            .run()
        try await db.insert(into: "household_moves").columns(
            "id", "resident_id", "household_code", "moved_in_at", "moved_out_at", "reason"
        )
        .values(
            SQLBind(UUID()), SQLBind(id), SQLBind(r.householdCode), SQLBind(now), SQLBind(Optional<Date>.none),
            SQLBind("登记")
        )
        .run()
        for tag in r.tags { try await addTag(tag, residentID: id, household: r.householdCode, catalogue: catalogue) }
        try await history(
            entity: "resident", id: id.uuidString, household: r.householdCode, field: "created", old: nil, new: r.name,
            actor: actor)
        return id
    }

    func addTag(
        _ tag: String, residentID: UUID, household: String, catalogue: [String: TagCatalogue.Definition],
        detail: String? = nil
    ) async throws {
        let interval = catalogue[tag]?.visitIntervalDays
        let due = interval.map { ResidentValidation.isoDay(Date().addingTimeInterval(Double($0) * 86400)) }
        try await db.insert(into: "resident_tags")
            .columns(
                "id", "resident_id", "household_code", "tag", "detail", "created_at", "visit_interval_days",
                "next_visit_due"
            )
            .values(
                SQLBind(UUID()), SQLBind(residentID), SQLBind(household), SQLBind(tag), SQLBind(detail),
                SQLBind(Date()),
                SQLBind(interval), SQLBind(due)
            )
            .run()
    }

    func removeTag(_ tag: String, residentID: UUID) async throws {
        try await db.delete(from: "resident_tags").where("resident_id", .equal, residentID).where("tag", .equal, tag)
            .run()
    }

    /// Updates plain (non-identity) columns and records each change.
    func update(id: UUID, household: String, changes: [(column: String, old: String?, new: String?)], actor: Actor)
        async throws
    {
        guard !changes.isEmpty else { return }
        let update = db.update("residents").set("updated_at", to: Date()).where("id", .equal, id)
        for c in changes { try apply(c.column, c.new, to: update) }
        try await update.run()
        for c in changes {
            try await history(
                entity: "resident", id: id.uuidString, household: household, field: c.column,
                old: displayValue(c.column, c.old), new: displayValue(c.column, c.new), actor: actor)
        }
    }

    /// Identity and contact numbers are stored encrypted with hash and mask; history keeps masks only.
    private func apply(_ column: String, _ value: String?, to update: SQLUpdateBuilder) throws {
        switch column {
        case "id_number":
            guard let v = value else { return }
            update.set("id_number_enc", to: try cipher.encrypt(v)).set("id_number_hash", to: cipher.searchHash(v))
                .set("id_number_masked", to: Masking.idNumber(v))
        case "phone":
            update.set("phone_enc", to: try value.map(cipher.encrypt)).set(
                "phone_hash", to: value.map(cipher.searchHash)
            )
            .set("phone_masked", to: value.map(PhoneNumber.masked))
        case "name":
            update.set("name", to: value).set("name_initials", to: value.map(PinyinInitials.of))
        default:
            update.set(SQLIdentifier(column), to: SQLBind(value))
        }
    }

    private func displayValue(_ column: String, _ value: String?) -> String? {
        switch column {
        case "id_number": value.map(Masking.idNumber)
        case "phone": value.map(PhoneNumber.masked)
        default: value
        }
    }

    /// Moves a resident to another household, closing the open move record.
    func move(id: UUID, from old: String, to new: String, reason: String, actor: Actor) async throws {
        let now = Date()
        try await db.update("household_moves").set("moved_out_at", to: now)
            .where("resident_id", .equal, id).where("moved_out_at", .is, SQLLiteral.null).run()
        try await db.insert(into: "household_moves").columns(
            "id", "resident_id", "household_code", "moved_in_at", "moved_out_at", "reason"
        )
        .values(SQLBind(UUID()), SQLBind(id), SQLBind(new), SQLBind(now), SQLBind(Optional<Date>.none), SQLBind(reason))
        .run()
        try await db.update("residents").set("household_code", to: new).set("updated_at", to: now).where(
            "id", .equal, id
        ).run()
        try await db.update("resident_tags").set("household_code", to: new).where("resident_id", .equal, id).run()
        try await history(
            entity: "resident", id: id.uuidString, household: new, field: "household_code", old: old, new: new,
            actor: actor)
    }

    func history(entity: String, id: String, household: String, field: String, old: String?, new: String?, actor: Actor)
        async throws
    {
        try await db.insert(into: "field_changes")
            .columns(
                "id", "entity", "entity_id", "household_code", "field", "old_value", "new_value", "actor_id",
                "actor_name", "at"
            )
            .values(
                SQLBind(UUID()), SQLBind(entity), SQLBind(id), SQLBind(household), SQLBind(field), SQLBind(old),
                SQLBind(new),
                SQLBind(actor.id), SQLBind(actor.name), SQLBind(Date())
            )
            .run()
    }
}
