import Fluent
import SQLKit

/// Nodes of the hierarchy from city to unit. The hierarchical code is the primary key:
/// stable, never reused (retired nodes stay), and a range of codes is a subtree.
struct CreateNodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nodes")
            .field("code", .string, .identifier(auto: false))
            .field("parent_code", .string)
            .field("level", .string, .required)
            .field("name", .string, .required)
            .field("serial", .int, .required)
            .field("geometry", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("retired", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        let sql = try database.sql
        try await sql.raw("CREATE INDEX nodes_parent ON nodes (parent_code, code)").run()
        try await sql.raw("CREATE INDEX nodes_level ON nodes (level, code)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nodes").delete()
    }
}

/// Households (户). The 27-digit door code extends the unit's code; 平房 households use the
/// same chain with 片区/排/号 standing for compound/building/household.
struct CreateHouseholds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("households")
            .field("code", .string, .identifier(auto: false))
            .field("address", .string, .required)
            .field("house_type", .string, .required)
            .field("floor", .int)
            .field("room", .string, .required)
            .field("area", .double)
            .field("retired", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("households").delete()
    }
}
