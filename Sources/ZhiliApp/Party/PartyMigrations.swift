import Fluent
import SQLKit

/// Party organisation on the grid (G2): branches over several grids, a group per grid,
/// members and volunteers who live in the city (linked to their resident record).
struct CreatePartyTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("party_orgs")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("parent_id", .uuid)
            .field("node_code", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("party_members")
            .field("id", .uuid, .identifier(auto: false))
            .field("resident_id", .uuid, .required)
            .field("org_id", .uuid, .required)
            .field("household_code", .string, .required)
            .field("member_kind", .string, .required)
            .field("employer", .string)
            .field("joined_year", .int, .required)
            .create()
        try await database.schema("volunteers")
            .field("id", .uuid, .identifier(auto: false))
            .field("resident_id", .uuid, .required)
            .field("household_code", .string, .required)
            .field("skills", .string, .required)
            .field("service_hours", .double, .required)
            .create()
        let sql = try database.sql
        try await sql.raw("CREATE INDEX party_orgs_node ON party_orgs (node_code)").run()
        try await sql.raw("CREATE INDEX party_members_org ON party_members (org_id)").run()
        try await sql.raw("CREATE INDEX party_members_scope ON party_members (household_code)").run()
        try await sql.raw("CREATE INDEX volunteers_scope ON volunteers (household_code)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["volunteers", "party_members", "party_orgs"] { try await database.schema(table).delete() }
    }
}
