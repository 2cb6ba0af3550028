import Fluent
import SQLKit

/// Places and things (地、物): registered places and auxiliary records, organisations
/// (co-building units, merchants) and sensing devices, each in a grid and geolocated.
struct CreatePlaceTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("places")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("node_code", .string, .required)
            .field("lat", .double, .required)
            .field("lon", .double, .required)
            .field("address", .string)
            .field("contact_name", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema("organizations")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("category", .string, .required)
            .field("node_code", .string, .required)
            .field("lat", .double)
            .field("lon", .double)
            .field("contact_name", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema("devices")
            .field("id", .uuid, .identifier(auto: false))
            .field("serial", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("node_code", .string, .required)
            .field("lat", .double, .required)
            .field("lon", .double, .required)
            .field("status", .string, .required)
            .field("last_seen_at", .datetime)
            .unique(on: "serial")
            .create()
        let sql = try database.sql
        try await sql.raw("CREATE INDEX places_scope ON places (node_code, kind)").run()
        try await sql.raw("CREATE INDEX organizations_scope ON organizations (node_code, kind)").run()
        try await sql.raw("CREATE INDEX devices_scope ON devices (node_code)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["devices", "organizations", "places"] { try await database.schema(table).delete() }
    }
}
