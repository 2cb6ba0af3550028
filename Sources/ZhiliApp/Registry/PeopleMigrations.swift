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
        let sql = try database.sql
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

/// Search hashes went from the full 64 hex digits of HMAC-SHA256 to the first 32
/// (`FieldCipher.searchHashBytes`): the two hash indexes take every new person at a random
/// place, and at 800,000 residents their size decided the speed of a bulk import. The
/// stored hashes are cut to their first half, which is exactly what the new code computes.
/// Indexes are dropped and built again around the update (faster than updating them row
/// by row).
struct ShortenSearchHashes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("DROP INDEX residents_id_hash").run()
        try await sql.raw("DROP INDEX residents_phone_hash").run()
        try await sql.raw(
            """
            UPDATE residents SET id_number_hash = substr(id_number_hash, 1, 32), phone_hash = substr(phone_hash, 1, 32)
            WHERE length(id_number_hash) > 32
            """
        ).run()
        try await sql.raw("CREATE UNIQUE INDEX residents_id_hash ON residents (id_number_hash)").run()
        try await sql.raw("CREATE INDEX residents_phone_hash ON residents (phone_hash)").run()
    }

    /// The full hashes cannot be recomputed without decrypting every row; reverting keeps
    /// the short ones, which the code before this migration would no longer find.
    func revert(on database: any Database) async throws {
        throw ConfigError("shortened search hashes cannot be lengthened again / 检索哈希缩短后无法恢复")
    }
}

/// On SQLite the name and pinyin-initial indexes hold the name alone: every SQLite index
/// already ends with the rowid, which now breaks ties when paging (`Dialect.pagingTieBreaker`).
/// The 36-character id they carried was most of their size, and both take each new person
/// at a random place (at 800,000 residents: 93 → 38 MB between them). PostgreSQL keeps its
/// (name, id) indexes.
struct SlimNameIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        guard !Dialect(sql).isPostgres else { return }
        for (index, column) in [("residents_name", "name"), ("residents_initials", "name_initials")] {
            try await sql.raw(SQLQueryString("DROP INDEX \(unsafeRaw: index)")).run()
            try await sql.raw(SQLQueryString("CREATE INDEX \(unsafeRaw: index) ON residents (\(unsafeRaw: column))"))
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        guard !Dialect(sql).isPostgres else { return }
        for (index, column) in [("residents_name", "name"), ("residents_initials", "name_initials")] {
            try await sql.raw(SQLQueryString("DROP INDEX \(unsafeRaw: index)")).run()
            try await sql.raw(
                SQLQueryString("CREATE INDEX \(unsafeRaw: index) ON residents (\(unsafeRaw: column), id)")
            ).run()
        }
    }
}
