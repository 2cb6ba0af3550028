/// Documented operations of the registry: writes, search, profiles, care plans, reviews, exchange.
enum RegistryAPI {
    static let tag = "人口 People"
    static let idParam = APIOperation.path("id", Schema.uuid, "Resident id")
    static let residentInput = Schema.object([
        ("name", Schema.string), ("idType", Schema.string), ("idNumber", Schema.string),
        ("sex", ["type": "string", "enum": ["male", "female", "男", "女"]]),
        ("birthDate", Schema.string), ("ethnicity", Schema.string), ("phone", Schema.string),
        ("householdCode", Schema.code),
        ("relation", Schema.string), ("residencyType", Schema.string), ("employmentGroup", Schema.string),
        ("politicalStatus", Schema.string),
        ("employer", Schema.string), ("notes", Schema.string), ("tags", Schema.array(Schema.string)),
    ])
    static let outcome = Schema.object(
        [
            ("applied", Schema.array(Schema.string)), ("pendingReview", Schema.nullable("string")),
            ("issues", Schema.array(["type": "object"])),
        ], required: ["applied", "issues"])
    static let kindParam = APIOperation.path(
        "kind", ["type": "string", "enum": ["residents", "households", "places"]], "What to import or export")
    static let formatParam = APIOperation.Param.query(
        "format", ["type": "string", "enum": ["csv", "xlsx"]], "File format (default csv)")

    static let contact = Schema.object(
        [("name", Schema.string), ("relation", Schema.string), ("phone", Schema.string)],
        required: ["name", "relation", "phone"])

    static let operations: [APIOperation] = [
        APIOperation(
            method: "post", path: "/api/v1/residents", tag: tag,
            summary:
                "Register a resident (登记居民); someone registered with that ID number outside your area becomes a move-in for review (202 with pendingReview)",
            body: residentInput, success: (201, Schema.ref("Resident"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/residents/search", tag: tag,
            summary: "Search by name, pinyin initials, ID number, phone or address, tag and node (居民检索)",
            params: [
                .query("q", Schema.string, "Name, initials (zs), ID number, phone or address"),
                .query("tag", Schema.string, "Tag code"), .query("under", Schema.code, "Node code"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size"),
                .query("offset", ["type": "integer", "minimum": 0, "maximum": 100_000], "Offset"),
            ],
            success: (
                200,
                Schema.object(
                    [("kind", Schema.string), ("items", Schema.array(Schema.ref("Resident")))],
                    required: ["kind", "items"]), "application/json"
            )),
        APIOperation(
            method: "patch", path: "/api/v1/residents/{id}", tag: tag,
            summary: "Change a resident; a grid worker's identity or tag changes wait for review (修改居民信息)",
            params: [idParam], body: residentInput, success: (200, outcome, "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/residents/{id}/reveal", tag: tag,
            summary: "Reveal an ID number or phone with a reason; audited (查看完整号码)",
            params: [idParam],
            body: Schema.object(
                [("field", ["type": "string", "enum": ["idNumber", "phone"]]), ("reason", Schema.string)],
                required: ["field", "reason"]),
            success: (
                200, Schema.object([("field", Schema.string), ("value", Schema.nullable("string"))]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/residents/{id}/profile", tag: tag,
            summary: "Person profile: record, household, tags, visits, moves, history (人员画像)",
            params: [idParam], success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/residents/{id}/visits", tag: "关爱 Care", summary: "Record a visit (走访记录)",
            params: [idParam],
            body: Schema.object([
                ("tag", Schema.string), ("notes", Schema.string), ("visitedAt", Schema.dateTime),
                ("lat", Schema.number), ("lon", Schema.number),
            ]),
            success: (201, ["type": "object"], "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/residents/{id}/contacts", tag: "关爱 Care",
            summary: "A person's emergency contacts, phones masked; the read is audited (紧急联系人)",
            params: [idParam], success: (200, ["type": "array", "items": contact], "application/json")),
        APIOperation(
            method: "put", path: "/api/v1/residents/{id}/contacts", tag: "关爱 Care",
            summary:
                "Replace a person's emergency contacts (at most 5; the register's keepers in scope); the family is told of alarms about the person",
            params: [idParam],
            body: Schema.object(
                [
                    (
                        "contacts",
                        [
                            "type": "array", "maxItems": 5,
                            "items": Schema.object(
                                [
                                    ("name", ["type": "string", "maxLength": 30]),
                                    (
                                        "relation",
                                        [
                                            "type": "string",
                                            "enum": .array(EmergencyContacts.relations.map { .string($0) }),
                                        ]
                                    ),
                                    ("phone", ["type": "string", "pattern": "^1[3-9][0-9]{9}$"]),
                                ], required: ["name", "relation", "phone"]),
                        ]
                    )
                ], required: ["contacts"]),
            success: (200, ["type": "array", "items": contact], "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/nodes/{code}/profile", tag: "层级 Hierarchy",
            summary: "Profile of a grid, community, building or any node (网格画像)",
            params: [HierarchyAPI.codeParam], success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/tags", tag: "关爱 Care", summary: "The key-population tag catalogue (标签目录)",
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/care/todo", tag: "关爱 Care",
            summary: "Visits due in my area, most overdue first (待走访); due=overdue or soon (the next 7 days)",
            params: [
                .query("due", ["type": "string", "enum": ["overdue", "soon"]], "Only overdue, or only due soon")
            ],
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/care/indicators", tag: "关爱 Care",
            summary: "Care plans and overdue visits per child node (走访指标)",
            params: [.query("under", Schema.code, "Node code (default: my node)")],
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/reviews", tag: "审核 Reviews", summary: "Change requests in my area (待审核)",
            params: [
                .query(
                    "status", ["type": "string", "enum": ["pending", "approved", "rejected"]],
                    "Status (default pending)")
            ],
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/reviews/{id}/approve", tag: "审核 Reviews",
            summary: "Approve a change request (审核通过)",
            params: [APIOperation.path("id", Schema.uuid, "Request id")], success: (200, outcome, "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/reviews/{id}/reject", tag: "审核 Reviews",
            summary: "Reject a change request with a reason (驳回)",
            params: [APIOperation.path("id", Schema.uuid, "Request id")],
            body: Schema.object([("reason", Schema.string)], required: ["reason"]),
            success: (204, nil, "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/exchange/{kind}/template", tag: "导入导出 Exchange",
            summary: "Download the Chinese import template (下载模板)",
            params: [kindParam, formatParam], success: (200, nil, "text/csv"), otherContentTypes: [Schema.xlsx]),
        APIOperation(
            method: "post", path: "/api/v1/exchange/{kind}/import", tag: "导入导出 Exchange",
            summary: "Import a CSV or .xlsx file sent as the body; dryRun (default true) only reports (批量导入)",
            params: [
                kindParam, .query("dryRun", Schema.boolean, "Only validate and report (default true)"),
                .query("filename", Schema.string, "Original file name (helps detect the format)"),
            ],
            fileBody: ["text/csv", Schema.xlsx],
            success: (200, Schema.ref("ImportReport"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/exchange/{kind}/export", tag: "导入导出 Exchange",
            summary: "Export under a node, masked unless unmasked=true with a reason (批量导出)",
            params: [
                kindParam, .query("under", Schema.code, "Node code"), formatParam,
                .query("unmasked", Schema.boolean, "Plain ID numbers and phones (needs permission and a reason)"),
                .query("reason", Schema.string, "Why unmasked data is needed"),
            ],
            success: (200, nil, "text/csv"), otherContentTypes: [Schema.xlsx]),
    ]

    static let schemas: [(String, JSONValue)] = [
        (
            "ImportReport",
            Schema.object(
                [
                    ("kind", Schema.string), ("dryRun", Schema.boolean), ("rows", Schema.integer),
                    ("created", Schema.integer),
                    ("updated", Schema.integer), ("unchanged", Schema.integer), ("committed", Schema.boolean),
                    ("seconds", Schema.number),
                    (
                        "rejected",
                        Schema.array(
                            Schema.object([
                                ("row", Schema.integer), ("column", Schema.string), ("messageZh", Schema.string),
                                ("messageEn", Schema.string),
                            ]))
                    ),
                    (
                        "pending",
                        Schema.array(
                            Schema.object([
                                ("row", Schema.integer), ("column", Schema.string), ("messageZh", Schema.string),
                                ("messageEn", Schema.string),
                            ]))
                    ),
                ], required: ["kind", "dryRun", "rows", "rejected"])
        )
    ]
}
