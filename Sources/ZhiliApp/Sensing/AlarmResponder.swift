import Foundation
import SQLKit
import ZhiliDomain

/// What a responder needs of the person an alarm is about (the alarm's page): who and where,
/// the tags, the emergency contacts, the care plans with their helper and responsible worker;
/// and who is on it. The caller audits the read.
struct AlarmResponder: Sendable {
    struct Person: Decodable, Sendable {
        let id: UUID
        let name: String
        let household_code: String
        let phone_masked: String?
        let birth_date: String
    }

    struct CarePlanLine: Sendable {
        let tag: String
        let every: Int?
        let lastVisit: Date?
        let helper: String?
        let responsible: String?
    }

    let person: Person?
    let tags: [String]
    let address: String?
    let contacts: [EmergencyContacts.Row]
    let plans: [CarePlanLine]

    private struct Tag: Decodable {
        let tag: String
        let visit_interval_days: Int?
        let last_visit_at: Date?
        let helper_resident_id: UUID?
        let responsible_user_id: UUID?
    }

    private struct Name: Decodable {
        let id: UUID
        let name: String
    }

    static func load(_ resident: UUID, on db: any SQLDatabase) async throws -> AlarmResponder {
        let person = try await db.select().columns("id", "name", "household_code", "phone_masked", "birth_date")
            .from("residents").where("id", .equal, resident).first(decoding: Person.self)
        // One read of the tags serves both the list and the care plans (the tags with a visit interval).
        let tags = try await db.select().columns(
            "tag", "visit_interval_days", "last_visit_at", "helper_resident_id", "responsible_user_id"
        )
        .from("resident_tags").where("resident_id", .equal, resident).all(decoding: Tag.self)
        struct H: Decodable { let address: String }
        var address: String?
        if let person {
            address = try await db.select().column("address").from("households")
                .where("code", .equal, person.household_code).first(decoding: H.self)?.address
        }
        let planned = tags.filter { $0.visit_interval_days != nil }
        let helpers = try await names(
            planned.compactMap(\.helper_resident_id), from: "residents", column: "name", on: db)
        let responsible = try await names(
            planned.compactMap(\.responsible_user_id), from: "users", column: "display_name", on: db)
        return AlarmResponder(
            person: person, tags: tags.map(\.tag), address: address,
            contacts: try await EmergencyContacts.list(resident, on: db),
            plans: planned.map { r in
                CarePlanLine(
                    tag: r.tag, every: r.visit_interval_days, lastVisit: r.last_visit_at,
                    helper: r.helper_resident_id.flatMap { helpers[$0] },
                    responsible: r.responsible_user_id.flatMap { responsible[$0] })
            })
    }

    /// Id → name for a few ids of a table (none read when there are no ids).
    private static func names(_ ids: [UUID], from table: String, column: String, on db: any SQLDatabase)
        async throws -> [UUID: String]
    {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.select().column("id").column(SQLIdentifier(column), as: "name").from(table)
            .where("id", .in, ids).all(decoding: Name.self)
        return Dictionary(rows.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Who is on it: the grid's workers and the community's staff the ladder tells.
    static func onDuty(node: String, on db: any SQLDatabase) async throws -> [String] {
        struct Staff: Decodable { let display_name: String }
        return try await db.select().column("display_name").from("users").where("disabled", .equal, false)
            .where { w in
                w.where { g in
                    g.where("role", .equal, Role.gridWorker.rawValue).where(
                        "node_code", .equal, String(node.prefix(NodeLevel.grid.codeLength)))
                }.orWhere { c in
                    c.where("role", .equal, Role.communityStaff.rawValue).where(
                        "node_code", .equal, String(node.prefix(NodeLevel.community.codeLength)))
                }
            }
            .limit(8).all(decoding: Staff.self).map(\.display_name)
    }
}
