/// Documented operations of 接诉即办.
enum ComplaintsAPI {
    static let tag = "接诉即办 Complaints"
    static let idParam = APIOperation.path("id", Schema.uuid, "Complaint id")
    static let actions: [JSONValue] = [
        "accept", "reject", "merge", "recategorize", "reassign", "sign", "contact", "progress",
        "request_extension", "decide_extension", "send_back", "resolve", "rate", "reopen", "return_visit", "close",
    ]

    static let photoFiles: JSONValue = [
        "type": "array", "minItems": 1, "maxItems": 9, "items": ["type": "string", "format": "binary"],
        "description": "JPEG or PNG, at most 10 MB each and 40 MB in all; re-encoded without metadata",
    ]

    static let question: JSONValue = Schema.object(
        [
            ("code", Schema.string), ("labelZh", Schema.string), ("labelEn", Schema.string),
            ("kind", ["type": "string", "enum": ["text", "number", "date", "single", "multiple"]]),
            ("options", Schema.array(Schema.string)), ("required", Schema.boolean),
        ], required: ["code", "labelZh", "labelEn", "kind"])

    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/complaints/categories", tag: tag,
            summary: "Complaint categories with handler and time limit (诉求分类)",
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "put", path: "/api/v1/complaints/categories/{code}", tag: tag,
            summary:
                "Create or change a category: handler, time limit, extra questions, reply templates (administrators; 维护诉求分类)",
            params: [
                APIOperation.path("code", ["type": "string", "pattern": "^[A-Za-z0-9_.]{1,60}$"], "Category code")
            ],
            body: Schema.object(
                [
                    ("parentCode", Schema.string), ("nameZh", Schema.string), ("nameEn", Schema.string),
                    ("handlerKind", ["type": "string", "enum": ["grid_worker", "department"]]),
                    ("department", Schema.string),
                    ("tier", ["type": "string", "enum": ["2h", "24h", "7d", "15d"]]), ("keywords", Schema.string),
                    ("active", Schema.boolean), ("questions", Schema.array(question)),
                    ("templates", Schema.array(Schema.string)),
                    ("publicListing", Schema.boolean),
                ],
                required: ["nameZh", "nameEn", "handlerKind", "tier"]),
            success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/complaints", tag: tag,
            summary: "Submit a complaint (有事您说); send an Idempotency-Key header so a retry creates nothing new (提交诉求)",
            body: Schema.object(
                [
                    ("categoryCode", Schema.string), ("text", Schema.string), ("lat", Schema.number),
                    ("lon", Schema.number),
                    ("address", Schema.string), ("anonymous", Schema.boolean), ("onBehalfOf", Schema.string),
                    (
                        "contactPhone",
                        [
                            "type": "string",
                            "description":
                                "Staff taking a call: the resident's mobile, for SMS updates (stored encrypted)",
                        ]
                    ),
                    (
                        "answers",
                        [
                            "type": "object",
                            "description":
                                "Answers to the category's questions: code → text, number, date (YYYY-MM-DD) or choice(s)",
                            "additionalProperties": ["type": ["string", "number", "boolean", "array"]],
                        ]
                    ),
                ],
                required: ["categoryCode", "text", "lat", "lon"]),
            multipart: Schema.object(
                [
                    ("categoryCode", Schema.string), ("text", Schema.string), ("lat", Schema.number),
                    ("lon", Schema.number),
                    ("address", Schema.string), ("anonymous", Schema.boolean), ("onBehalfOf", Schema.string),
                    ("contactPhone", Schema.string), ("photos[]", photoFiles),
                ],
                required: ["categoryCode", "text", "lat", "lon"]),
            success: (201, Schema.ref("Complaint"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints", tag: tag,
            summary: "Inbox: complaints in my area, sent to my department, or my own (诉求列表)",
            params: [
                .query(
                    "status",
                    [
                        "type": "string",
                        "enum": [
                            "submitted", "dispatched", "signed", "in_progress", "resolved", "closed", "rejected",
                            "merged",
                        ],
                    ], "Status"),
                .query("overdue", Schema.boolean, "Only open complaints past their deadline, most overdue first"),
                .query("mine", Schema.boolean, "Only complaints I submitted"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size"),
                .query("offset", ["type": "integer", "minimum": 0, "maximum": 1_000_000], "Offset"),
            ],
            success: (
                200,
                Schema.object([
                    ("items", Schema.array(Schema.ref("Complaint"))), ("limit", Schema.integer),
                    ("offset", Schema.integer),
                ]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/complaints/nearby", tag: tag,
            summary: "Open complaints of the same category nearby: same problem? (附近同类诉求)",
            params: [
                .query("category", Schema.string, "Category code", required: true),
                .query("lat", ["type": "number", "minimum": -90, "maximum": 90], "Latitude", required: true),
                .query("lon", ["type": "number", "minimum": -180, "maximum": 180], "Longitude", required: true),
            ],
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/rates", tag: tag,
            summary: "The three rates for a node and its children (三率)",
            params: [
                .query("under", Schema.code, "Node code (default: my node)"),
                .query(
                    "fromMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"],
                    "First month (YYYY-MM, Beijing time), from pre-counted cells"),
                .query(
                    "toMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"], "Last month (YYYY-MM)"),
                .query("from", Schema.dateTime, "Exact window start (counts the complaints themselves)"),
                .query("to", Schema.dateTime, "Exact window end"),
            ],
            success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/themes", tag: tag, summary: "Theme dictionaries of 情 (诉求主题词典)",
            success: (
                200,
                Schema.array(
                    Schema.object([
                        ("code", Schema.string), ("nameZh", Schema.string), ("nameEn", Schema.string),
                        ("keywords", Schema.array(Schema.string)),
                    ])), "application/json"
            )),
        APIOperation(
            method: "put", path: "/api/v1/complaints/themes/{code}", tag: tag,
            summary: "Create or change a theme's keywords (administrators); every complaint is recounted (维护主题词典)",
            params: [APIOperation.path("code", ["type": "string", "pattern": "^[A-Za-z0-9_]{1,40}$"], "Theme code")],
            body: Schema.object(
                [("nameZh", Schema.string), ("nameEn", Schema.string), ("keywords", Schema.array(Schema.string))],
                required: ["nameZh", "keywords"]),
            success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/trends", tag: tag,
            summary: "Themes by month and hot-spot grids under a node (诉求趋势与热点)",
            params: [
                .query("under", Schema.code, "Node code (default: my node)"),
                .query(
                    "fromMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"],
                    "First month (default: 11 months before toMonth)"),
                .query(
                    "toMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"],
                    "Last month (default: this month)"),
            ],
            success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/map.geojson", tag: tag,
            summary: "Open complaints in my area as GeoJSON points (诉求地图)",
            success: (200, ["type": "object"], "application/geo+json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/{id}", tag: tag, summary: "A complaint with its timeline (诉求详情)",
            params: [idParam], success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/complaints/{id}/actions", tag: tag,
            summary: "One step of the loop: review, dispatch, handle, feedback (诉求办理)",
            params: [idParam],
            body: Schema.object(
                [
                    ("action", ["type": "string", "enum": .array(actions)]), ("reason", Schema.string),
                    ("note", Schema.string),
                    ("hours", ["type": "integer", "minimum": 1, "maximum": 720]), ("approved", Schema.boolean),
                    ("score", ["type": "integer", "minimum": 1, "maximum": 5]), ("comment", Schema.string),
                    ("into", Schema.uuid), ("categoryCode", Schema.string), ("handlerId", Schema.uuid),
                ], required: ["action"]),
            success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/complaints/{id}/follow", tag: tag,
            summary:
                "Same problem? Follow this open complaint within 300 m of where you stand (lat/lon) or of your household, instead of filing another; followers see the public view (residents; 关注同一问题)",
            params: [idParam], body: Schema.object([("lat", Schema.number), ("lon", Schema.number)]),
            success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/complaints/{id}/reveal", tag: tag,
            summary: "Who filed an anonymous complaint, with a stated reason, audited (administrators; 查看匿名诉求人)",
            params: [idParam], body: Schema.object([("reason", Schema.string)], required: ["reason"]),
            success: (200, Schema.object([("submitterName", Schema.nullable("string"))]), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/complaints/{id}/photos", tag: tag,
            summary: "Add photos: the submitter before review, handlers before/after/progress while handling (上传照片)",
            params: [idParam],
            multipart: Schema.object(
                [
                    ("stage", ["type": "string", "enum": ["before", "after", "progress", "report"]]),
                    ("photos[]", photoFiles),
                ],
                required: ["photos[]"]),
            success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/complaints/{id}/photos/{photo}", tag: tag,
            summary: "One photo as JPEG, or its thumbnail with size=thumb (照片)",
            params: [
                idParam, APIOperation.path("photo", Schema.uuid, "Photo id"),
                .query("size", ["type": "string", "enum": ["thumb", "full"]], "thumb for 320 px"),
            ],
            success: (200, nil, "image/jpeg")),
    ]

    static let keyOperations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/open311/keys", tag: tag,
            summary: "Open311 integrators and whether their keys work (administrators; 接入方列表)",
            success: (
                200,
                Schema.array(
                    Schema.object([("id", Schema.uuid), ("integrator", Schema.string), ("active", Schema.boolean)])),
                "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/open311/keys", tag: tag,
            summary: "Issue an api_key to an integrator; shown once (administrators; 签发密钥)",
            body: Schema.object([("integrator", Schema.string)], required: ["integrator"]),
            success: (
                201, Schema.object([("integrator", Schema.string), ("apiKey", Schema.string)]), "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/open311/keys/{id}/revoke", tag: tag,
            summary: "Revoke an integrator's key (administrators; 停用密钥)",
            params: [APIOperation.path("id", Schema.uuid, "Key id")],
            success: (200, Schema.array(["type": "object"]), "application/json")),
    ]

    static let schemas: [(String, JSONValue)] = [
        (
            "Complaint",
            Schema.object(
                [
                    ("id", Schema.uuid), ("number", Schema.string), ("categoryCode", Schema.string),
                    ("categoryName", Schema.string), ("text", Schema.string),
                    ("lat", Schema.number), ("lon", Schema.number), ("gridCode", Schema.string),
                    ("status", Schema.string), ("statusName", Schema.string),
                    ("tier", Schema.string), ("handlerName", Schema.nullable("string")),
                    ("overdue", Schema.array(Schema.string)),
                    ("escalationLevel", Schema.string), ("timeline", Schema.array(["type": "object"])),
                    ("full", Schema.boolean), ("followers", Schema.integer),
                    (
                        "photos",
                        Schema.array(
                            Schema.object([
                                ("id", Schema.uuid), ("stage", Schema.string), ("width", Schema.integer),
                                ("height", Schema.integer),
                            ]))
                    ),
                ], required: ["id", "number", "categoryCode", "status", "gridCode"])
        )
    ]
}
