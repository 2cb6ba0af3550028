/// Documented operations for residents and households.
enum PeopleAPI {
    static let tag = "人口 People"
    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/residents/{id}", tag: tag,
            summary: "A resident, masked; the read is audited (居民详情)",
            params: [APIOperation.path("id", Schema.uuid, "Resident id")],
            success: (200, Schema.ref("Resident"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/residents", tag: tag,
            summary: "Residents under a node, in scope, masked (居民列表)",
            params: [
                .query("under", Schema.code, "Node code; defaults to the caller's own node"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size"),
                .query("offset", ["type": "integer", "minimum": 0, "maximum": 10_000_000], "Offset"),
            ],
            success: (
                200,
                Schema.object(
                    [
                        ("items", Schema.array(Schema.ref("Resident"))), ("limit", Schema.integer),
                        ("offset", Schema.integer),
                    ],
                    required: ["items", "limit", "offset"]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/households/{code}", tag: tag, summary: "A household and its members (户详情)",
            params: [APIOperation.path("code", Schema.householdCode, "27-digit household code")],
            success: (200, Schema.ref("Household"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/households/{code}/qr.svg", tag: tag, summary: "Door QR code (一户一码) as SVG",
            params: [APIOperation.path("code", Schema.householdCode, "27-digit household code")],
            success: (200, nil, "image/svg+xml")),
    ]

    static let resident = Schema.object(
        [
            ("id", Schema.uuid), ("householdCode", Schema.string), ("name", Schema.string), ("sex", Schema.string),
            ("birthDate", Schema.string), ("idNumberMasked", Schema.string), ("phoneMasked", Schema.nullable("string")),
            ("ethnicity", Schema.string), ("relation", Schema.string), ("residencyType", Schema.string),
            ("politicalStatus", Schema.string), ("tags", Schema.array(Schema.string)),
        ], required: ["id", "householdCode", "name", "idNumberMasked"])

    static let schemas: [(String, JSONValue)] = [
        ("Resident", resident),
        (
            "Household",
            Schema.object(
                [
                    ("code", Schema.string), ("address", Schema.string), ("houseType", Schema.string),
                    ("floor", Schema.nullable("integer")),
                    ("room", Schema.string), ("path", Schema.array(["type": "object"])),
                    ("members", Schema.array(["type": "object"])),
                    ("tags", Schema.array(Schema.string)),
                ], required: ["code", "address", "members"])
        ),
    ]
}
