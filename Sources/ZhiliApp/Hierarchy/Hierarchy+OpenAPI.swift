/// Documented operations of the hierarchy.
enum HierarchyAPI {
    static let tag = "层级 Hierarchy"
    static let codeParam = APIOperation.path("code", Schema.code, "Node code (节点编码)")
    static let polygon: JSONValue = Schema.object(
        [
            ("type", ["type": "string", "enum": ["Polygon"]]),
            ("coordinates", Schema.array(Schema.array(Schema.array(Schema.number)))),
        ], required: ["type", "coordinates"])

    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/nodes", tag: tag, summary: "Top nodes the caller may browse (可浏览的顶层节点)",
            success: (200, Schema.array(Schema.ref("NodeSummary")), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/nodes/{code}", tag: tag, summary: "A node with its path and counts (节点详情)",
            params: [codeParam], success: (200, Schema.ref("NodeDetail"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/nodes/{code}/children", tag: tag, summary: "Children with counts (下级节点及统计)",
            params: [codeParam], success: (200, Schema.array(Schema.ref("NodeSummary")), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/nodes/{code}/children.geojson", tag: tag,
            summary: "Children as GeoJSON (下级节点地图图层)",
            params: [codeParam], success: (200, Schema.featureCollection, "application/geo+json")),
        APIOperation(
            method: "get", path: "/api/v1/grids.geojson", tag: tag, summary: "Grid polygons in scope as GeoJSON (网格图层)",
            success: (200, Schema.featureCollection, "application/geo+json")),
        APIOperation(
            method: "get", path: "/api/v1/grids/locate", tag: tag, summary: "The grid containing a point (坐标定位网格)",
            params: [
                .query("lat", ["type": "number", "minimum": -90, "maximum": 90], "Latitude (WGS84)", required: true),
                .query(
                    "lon", ["type": "number", "minimum": -180, "maximum": 180], "Longitude (WGS84)", required: true),
            ],
            success: (200, Schema.ref("GridLocation"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/nodes", tag: tag,
            summary: "Create a child node; its code is allocated (新建节点并赋码)",
            body: Schema.object(
                [
                    ("parentCode", Schema.code), ("name", Schema.string), ("geometry", polygon),
                    ("lat", Schema.number), ("lon", Schema.number),
                ], required: ["parentCode", "name"]),
            success: (201, Schema.ref("NodeDetail"), "application/json")),
        APIOperation(
            method: "patch", path: "/api/v1/nodes/{code}", tag: tag, summary: "Rename or reshape a node (修改节点)",
            params: [codeParam],
            body: Schema.object([
                ("name", Schema.string), ("geometry", polygon), ("lat", Schema.number), ("lon", Schema.number),
            ]),
            success: (200, Schema.ref("NodeDetail"), "application/json")),
        APIOperation(
            method: "delete", path: "/api/v1/nodes/{code}", tag: tag,
            summary: "Retire an empty node; its code stays reserved (撤销节点)",
            params: [codeParam], success: (204, nil, "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/duty-shifts", tag: tag,
            summary:
                "Shifts of the duty roster in the caller's area that run in a window (值班表; default now and 7 days)",
            params: [
                .query("from", Schema.dateTime, "Window start (default now)"),
                .query("to", Schema.dateTime, "Window end (default 7 days after from; at most 62 days)"),
            ],
            success: (
                200, Schema.object([("shifts", Schema.array(Schema.ref("DutyShift")))], required: ["shifts"]),
                "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/duty-shifts", tag: tag,
            summary:
                "Put a member of staff on duty for a grid, community or street (排班; community staff, street officials; at most 7 days)",
            body: Schema.object(
                [
                    ("userID", Schema.uuid), ("nodeCode", Schema.code), ("startsAt", Schema.dateTime),
                    ("endsAt", Schema.dateTime), ("note", ["type": "string", "maxLength": 200]),
                ], required: ["userID", "nodeCode", "startsAt", "endsAt"]),
            success: (201, Schema.ref("DutyShift"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/duty-shifts/on-duty", tag: tag,
            summary:
                "Who is on duty for a node now, nearest first: the grid's, then the community's, the street's (当前值班)",
            params: [.query("node", Schema.code, "Hierarchy code", required: true)],
            success: (
                200,
                Schema.object(
                    [("node", Schema.string), ("onDuty", Schema.array(Schema.ref("DutyShift")))],
                    required: ["node", "onDuty"]), "application/json"
            )),
        APIOperation(
            method: "delete", path: "/api/v1/duty-shifts/{id}", tag: tag, summary: "Remove a shift (删除班次)",
            params: [APIOperation.path("id", Schema.uuid, "Id")], success: (204, nil, "application/json")),
    ]

    static let counts = Schema.object(
        [("children", Schema.integer), ("households", Schema.integer), ("residents", Schema.integer)],
        required: ["children", "households", "residents"])
    static let schemas: [(String, JSONValue)] = [
        (
            "DutyShift",
            Schema.object(
                [
                    ("id", Schema.uuid), ("userID", Schema.uuid), ("displayName", Schema.string),
                    ("role", Schema.string),
                    ("nodeCode", Schema.string), ("nodeName", Schema.nullable("string")),
                    ("startsAt", Schema.dateTime), ("endsAt", Schema.dateTime), ("note", Schema.nullable("string")),
                ], required: ["id", "userID", "displayName", "role", "nodeCode", "startsAt", "endsAt"])
        ),
        (
            "NodeSummary",
            Schema.object(
                [
                    ("code", Schema.string), ("level", Schema.string), ("levelName", Schema.string),
                    ("name", Schema.string), ("counts", counts),
                ],
                required: ["code", "level", "levelName", "name", "counts"])
        ),
        (
            "NodeDetail",
            Schema.object(
                [
                    ("code", Schema.string), ("level", Schema.string), ("levelName", Schema.string),
                    ("name", Schema.string),
                    ("parentCode", Schema.nullable("string")),
                    (
                        "path",
                        Schema.array(
                            Schema.object([("code", Schema.string), ("name", Schema.string), ("level", Schema.string)]))
                    ),
                    ("counts", counts), ("lat", Schema.nullable("number")), ("lon", Schema.nullable("number")),
                    ("geometry", Schema.nullable("string")), ("retired", Schema.boolean),
                ], required: ["code", "level", "name", "path", "counts", "retired"])
        ),
        (
            "GridLocation",
            Schema.object(
                [
                    ("gridCode", Schema.string), ("gridName", Schema.string), ("communityCode", Schema.string),
                    ("communityName", Schema.string), ("streetName", Schema.string), ("cityName", Schema.string),
                ],
                required: ["gridCode", "gridName"])
        ),
    ]
}
