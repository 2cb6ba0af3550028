import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// API keys for Open311 integrators. Only a hash is stored; the key is shown once when issued.
struct CreateOpen311Keys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("open311_keys")
            .field("id", .uuid, .identifier(auto: false))
            .field("key_hash", .string, .required)
            .field("integrator", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("open311_keys").delete()
    }
}

enum Open311Keys {
    /// The demo city's key, printed in the README for trying the interface.
    static let demoKey = "zhili-demo-open311-key"

    static func hash(_ key: String) -> String {
        FieldCipher.hex(SHA256.hash(data: Data(key.utf8)))
    }

    struct Integrator: Decodable, Sendable {
        let id: UUID
        let integrator: String
    }

    static func find(_ key: String, on db: any SQLDatabase) async throws -> Integrator? {
        try await db.select().columns("id", "integrator").from("open311_keys")
            .where("key_hash", .equal, hash(key)).where("active", .equal, true).first(decoding: Integrator.self)
    }

    struct Listed: Content, Sendable {
        let id: UUID
        let integrator: String
        let active: Bool
        let createdAt: Date
    }

    static func list(on db: any SQLDatabase) async throws -> [Listed] {
        struct Row: Decodable {
            let id: UUID
            let integrator: String
            let active: Bool
            let created_at: Date
        }
        return try await db.select().columns("id", "integrator", "active", "created_at").from("open311_keys").orderBy(
            "created_at"
        )
        .all(decoding: Row.self).map {
            Listed(id: $0.id, integrator: $0.integrator, active: $0.active, createdAt: $0.created_at)
        }
    }

    /// Stops a key working; the row stays for the audit trail.
    static func revoke(_ id: UUID, on db: any SQLDatabase) async throws -> Bool {
        struct One: Decodable { let id: UUID }
        guard
            try await db.select().column("id").from("open311_keys").where("id", .equal, id).first(decoding: One.self)
                != nil
        else { return false }
        try await db.update("open311_keys").set("active", to: false).where("id", .equal, id).run()
        return true
    }

    /// Issues a new key; returns it in plain text this once.
    static func issue(integrator: String, on db: any SQLDatabase, key: String? = nil) async throws -> String {
        let plain = key ?? [UInt8].random(count: 24).map { String(format: "%02x", $0) }.joined()
        try await db.insert(into: "open311_keys").columns("id", "key_hash", "integrator", "active", "created_at")
            .values(SQLBind(UUID()), SQLBind(hash(plain)), SQLBind(integrator), SQLBind(true), SQLBind(Date())).run()
        return plain
    }
}
