import Fluent
import SQLKit

/// Residents and their key-population tags. ID numbers and phones are stored only encrypted,
/// with a keyed hash for exact search and the masked form for display.
struct CreateResidents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("residents")
            .field("id", .uuid, .identifier(auto: false))
            .field("household_code", .string, .required)
            .field("name", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string, .required)
            .field("id_type", .string, .required)
            .field("id_number_enc", .string, .required)
            .field("id_number_hash", .string, .required)
            .field("id_number_masked", .string, .required)
            .field("phone_enc", .string)
            .field("phone_hash", .string)
            .field("phone_masked", .string)
            .field("ethnicity", .string, .required)
            .field("relation", .string, .required)
            .field("residency_type", .string, .required)
            .field("political_status", .string, .required)
            .field("employment_group", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("resident_tags")
            .field("id", .uuid, .identifier(auto: false))
            .field("resident_id", .uuid, .required)
            .field("household_code", .string, .required)
            .field("tag", .string, .required)
            .field("detail", .string)
            .field("created_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX residents_household ON residents (household_code)").run()
        try await sql.raw("CREATE UNIQUE INDEX residents_id_hash ON residents (id_number_hash)").run()
        try await sql.raw("CREATE INDEX residents_phone_hash ON residents (phone_hash)").run()
        try await sql.raw("CREATE INDEX resident_tags_resident ON resident_tags (resident_id)").run()
        try await sql.raw("CREATE INDEX resident_tags_scope ON resident_tags (tag, household_code)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("resident_tags").delete()
        try await database.schema("residents").delete()
    }
}
