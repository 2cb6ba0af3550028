import Fluent
import Vapor

/// The party organisation on the grid: branches, groups, members and volunteers.
struct PartyCapability: Capability {
    let name = "party"

    var migrations: [any Migration] { [CreatePartyTables()] }

    func routes(_ app: Application) throws { PartyRoutes.register(app) }

    var operations: [APIOperation] {
        [
            APIOperation(
                method: "get", path: "/api/v1/party/orgs", tag: "党建 Party",
                summary: "Party branches and groups with member counts (党组织)",
                params: [.query("under", Schema.code, "Only organisations under this node")],
                success: (200, Schema.array(Schema.ref("PartyOrg")), "application/json"))
        ]
    }

    var schemas: [(String, JSONValue)] {
        [
            (
                "PartyOrg",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("kind", Schema.string), ("name", Schema.string),
                        ("parentId", Schema.nullable("string")), ("nodeCode", Schema.string),
                        ("members", Schema.integer),
                    ],
                    required: ["id", "kind", "name", "nodeCode", "members"])
            )
        ]
    }
}
