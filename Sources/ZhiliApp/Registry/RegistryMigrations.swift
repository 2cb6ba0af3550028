import Fluent
import SQLKit

/// Registry, second step: full register fields, move history, change history, reviews,
/// the tag catalogue with care plans, and visits. Additive only.
struct ExtendRegistry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        // One column per statement: SQLite adds columns one at a time.
        for (name, type) in [
            ("employer", DatabaseSchema.DataType.string), ("notes", .string), ("name_initials", .string),
            ("status", .string),
        ] {
            try await database.schema("residents").field(FieldKey(stringLiteral: name), type).update()
        }
        try await sql.raw("UPDATE residents SET status = 'active' WHERE status IS NULL").run()
        let dialect = Dialect(sql)
        try await sql.raw(
            SQLQueryString(
                dialect.codepointIndex(name: "residents_name", table: "residents", column: "name", then: "id"))
        ).run()
        try await sql.raw(
            SQLQueryString(
                dialect.codepointIndex(
                    name: "residents_initials", table: "residents", column: "name_initials", then: "id"))
        ).run()
        for (name, type) in [
            ("visit_interval_days", DatabaseSchema.DataType.int), ("responsible_user_id", .uuid),
            ("helper_resident_id", .uuid),
            ("last_visit_at", .datetime), ("next_visit_due", .string),
        ] {
            try await database.schema("resident_tags").field(FieldKey(stringLiteral: name), type).update()
        }
        try await sql.raw("CREATE INDEX resident_tags_due ON resident_tags (next_visit_due)").run()
        for name in ["code", "contact_phone", "category"] {
            try await database.schema("places").field(FieldKey(stringLiteral: name), .string).update()
        }
        try await sql.raw("CREATE UNIQUE INDEX places_code ON places (code)").run()

        try await database.schema("tag_definitions")
            .field("code", .string, .identifier(auto: false))
            .field("parent_code", .string)
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("sensitivity", .string, .required)
            .field("visit_interval_days", .int)
            .field("active", .bool, .required)
            .create()
        try await database.schema("household_moves")
            .field("id", .uuid, .identifier(auto: false))
            .field("resident_id", .uuid, .required)
            .field("household_code", .string, .required)
            .field("moved_in_at", .datetime, .required)
            .field("moved_out_at", .datetime)
            .field("reason", .string)
            .create()
        try await database.schema("field_changes")
            .field("id", .uuid, .identifier(auto: false))
            .field("entity", .string, .required)
            .field("entity_id", .string, .required)
            .field("household_code", .string, .required)
            .field("field", .string, .required)
            .field("old_value", .string)
            .field("new_value", .string)
            .field("actor_id", .uuid)
            .field("actor_name", .string)
            .field("at", .datetime, .required)
            .create()
        try await database.schema("change_requests")
            .field("id", .uuid, .identifier(auto: false))
            .field("entity", .string, .required)
            .field("entity_id", .string, .required)
            .field("household_code", .string, .required)
            .field("kind", .string, .required)
            .field("payload_enc", .string, .required)
            .field("summary", .string, .required)
            .field("status", .string, .required)
            .field("requested_by", .uuid)
            .field("requested_by_name", .string)
            .field("requested_at", .datetime, .required)
            .field("reviewed_by_name", .string)
            .field("reviewed_at", .datetime)
            .field("reason", .string)
            .create()
        try await database.schema("visits")
            .field("id", .uuid, .identifier(auto: false))
            .field("resident_id", .uuid, .required)
            .field("household_code", .string, .required)
            .field("tag", .string)
            .field("visited_at", .datetime, .required)
            .field("visitor_id", .uuid)
            .field("visitor_name", .string)
            .field("notes", .string)
            .field("photo", .string)
            .field("lat", .double)
            .field("lon", .double)
            .create()
        try await sql.raw("CREATE INDEX household_moves_resident ON household_moves (resident_id)").run()
        try await sql.raw("CREATE INDEX field_changes_entity ON field_changes (entity, entity_id)").run()
        try await sql.raw("CREATE INDEX change_requests_scope ON change_requests (status, household_code)").run()
        try await sql.raw("CREATE INDEX visits_resident ON visits (resident_id, visited_at)").run()
        try await sql.raw("CREATE INDEX visits_scope ON visits (household_code)").run()
        try await TagCatalogue.seed(on: sql)
    }

    func revert(on database: any Database) async throws {
        for table in ["visits", "change_requests", "field_changes", "household_moves", "tag_definitions"] {
            try await database.schema(table).delete()
        }
    }
}
