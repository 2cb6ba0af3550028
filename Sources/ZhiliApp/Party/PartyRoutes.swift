import SQLKit
import Vapor
import ZhiliDomain

/// Party branches and groups on the grid, with member counts, inside the caller's scope.
enum PartyRoutes {
    static func register(_ app: Application) {
        app.grouped("api", "v1").get("party", "orgs", use: orgs)
    }

    struct OrgDTO: Content {
        let id: UUID
        let kind: String
        let name: String
        let parentId: UUID?
        let nodeCode: String
        let members: Int
    }

    private struct Row: Decodable {
        let id: UUID
        let kind: String
        let name: String
        let parent_id: UUID?
        let node_code: String
        let members: Int
    }

    struct Query: Content { var under: String? }

    @Sendable static func orgs(req: Request) async throws -> [OrgDTO] {
        let principal = try req.requirePrincipal()
        guard principal.role.isStaff || principal.role == .volunteer else { throw AppError.forbidden }
        let q = try req.query.decode(Query.self)
        let select = try req.sql.select()
            .columns(
                SQLColumn("id", table: "o"), SQLColumn("kind", table: "o"), SQLColumn("name", table: "o"),
                SQLColumn("parent_id", table: "o"), SQLColumn("node_code", table: "o")
            )
            .column(SQLFunction("COUNT", args: SQLColumn("id", table: "m")), as: "members")
            .from(SQLAlias(SQLIdentifier("party_orgs"), as: SQLIdentifier("o")))
            .join(
                SQLAlias(SQLIdentifier("party_members"), as: SQLIdentifier("m")), method: SQLJoinMethod.left,
                on: SQLColumn("org_id", table: "m"), .equal, SQLColumn("id", table: "o"))
        if let raw = q.under {
            let code = try parseCode(raw, field: "under")
            guard principal.scope.allowsBrowsing(code: code.value) else { throw AppError.forbidden }
            select.where(SQLColumn("node_code", table: "o"), .greaterThanOrEqual, SQLBind(code.value))
                .where(SQLColumn("node_code", table: "o"), .lessThan, SQLBind(code.rangeUpperBound))
        }
        if principal.role != .volunteer { select.scoped(principal.scope, column: "node_code") }
        let rows =
            try await select
            .groupBy(SQLColumn("id", table: "o")).groupBy(SQLColumn("kind", table: "o")).groupBy(
                SQLColumn("name", table: "o")
            )
            .groupBy(SQLColumn("parent_id", table: "o")).groupBy(SQLColumn("node_code", table: "o"))
            .orderBy(SQLColumn("node_code", table: "o")).limit(2000)
            .all(decoding: Row.self)
        return rows.map {
            OrgDTO(
                id: $0.id, kind: $0.kind, name: $0.name, parentId: $0.parent_id, nodeCode: $0.node_code,
                members: $0.members)
        }
    }
}
