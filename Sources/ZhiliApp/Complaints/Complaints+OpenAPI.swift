/// Documented operations of 接诉即办.
enum ComplaintsAPI {
    static let tag = "接诉即办 Complaints"
    static let idParam = APIOperation.path("id", Schema.uuid, "Complaint id")
    static let actions: [JSONValue] = ["accept", "reject", "merge", "recategorize", "reassign", "sign", "contact", "progress",
                                       "request_extension", "decide_extension", "send_back", "resolve", "rate", "reopen", "return_visit", "close"]

    static let photoFiles: JSONValue = ["type": "array", "maxItems": 9, "items": ["type": "string", "format": "binary"],
                                        "description": "JPEG or PNG, at most 10 MB each and 40 MB in all; re-encoded without metadata"]

    static let operations: [APIOperation] = [
        APIOperation(method: "get", path: "/api/v1/complaints/categories", tag: tag, summary: "Complaint categories with handler and time limit (诉求分类)",
                     success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(method: "post", path: "/api/v1/complaints", tag: tag,
                     summary: "Submit a complaint (有事您说); send an Idempotency-Key header so a retry creates nothing new (提交诉求)",
                     body: Schema.object([("categoryCode", Schema.string), ("text", Schema.string), ("lat", Schema.number), ("lon", Schema.number),
                                          ("address", Schema.string), ("anonymous", Schema.boolean), ("onBehalfOf", Schema.string)],
                                         required: ["categoryCode", "text", "lat", "lon"]),
                     multipart: Schema.object([("categoryCode", Schema.string), ("text", Schema.string), ("lat", Schema.number), ("lon", Schema.number),
                                               ("address", Schema.string), ("anonymous", Schema.boolean), ("onBehalfOf", Schema.string), ("photos[]", photoFiles)],
                                              required: ["categoryCode", "text", "lat", "lon"]),
                     success: (201, Schema.ref("Complaint"), "application/json")),
        APIOperation(method: "get", path: "/api/v1/complaints", tag: tag, summary: "Inbox: complaints in my area, sent to my department, or my own (诉求列表)",
                     params: [.query("status", ["type": "string", "enum": ["submitted", "dispatched", "signed", "in_progress", "resolved", "closed", "rejected", "merged"]], "Status"),
                              .query("overdue", Schema.boolean, "Only open complaints past their deadline"),
                              .query("mine", Schema.boolean, "Only complaints I submitted"),
                              .query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size"),
                              .query("offset", ["type": "integer", "minimum": 0], "Offset")],
                     success: (200, Schema.object([("items", Schema.array(Schema.ref("Complaint"))), ("limit", Schema.integer), ("offset", Schema.integer)]), "application/json")),
        APIOperation(method: "get", path: "/api/v1/complaints/nearby", tag: tag, summary: "Open complaints of the same category nearby: same problem? (附近同类诉求)",
                     params: [.query("category", Schema.string, "Category code", required: true),
                              .query("lat", ["type": "number", "minimum": -90, "maximum": 90], "Latitude", required: true),
                              .query("lon", ["type": "number", "minimum": -180, "maximum": 180], "Longitude", required: true)],
                     success: (200, Schema.array(["type": "object"]), "application/json")),
        APIOperation(method: "get", path: "/api/v1/complaints/rates", tag: tag, summary: "The three rates for a node and its children (三率)",
                     params: [.query("under", Schema.code, "Node code (default: my node)"),
                              .query("fromMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"], "First month (YYYY-MM, Beijing time), from pre-counted cells"),
                              .query("toMonth", ["type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"], "Last month (YYYY-MM)"),
                              .query("from", Schema.dateTime, "Exact window start (counts the complaints themselves)"), .query("to", Schema.dateTime, "Exact window end")],
                     success: (200, ["type": "object"], "application/json")),
        APIOperation(method: "get", path: "/api/v1/complaints/{id}", tag: tag, summary: "A complaint with its timeline (诉求详情)",
                     params: [idParam], success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(method: "post", path: "/api/v1/complaints/{id}/actions", tag: tag,
                     summary: "One step of the loop: review, dispatch, handle, feedback (诉求办理)",
                     params: [idParam],
                     body: Schema.object([("action", ["type": "string", "enum": .array(actions)]), ("reason", Schema.string), ("note", Schema.string),
                                          ("hours", ["type": "integer", "minimum": 1, "maximum": 720]), ("approved", Schema.boolean),
                                          ("score", ["type": "integer", "minimum": 1, "maximum": 5]), ("comment", Schema.string),
                                          ("into", Schema.uuid), ("categoryCode", Schema.string), ("handlerId", Schema.uuid)], required: ["action"]),
                     success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(method: "post", path: "/api/v1/complaints/{id}/photos", tag: tag,
                     summary: "Add photos: the submitter before review, handlers before/after/progress while handling (上传照片)",
                     params: [idParam],
                     multipart: Schema.object([("stage", ["type": "string", "enum": ["before", "after", "progress", "report"]]), ("photos[]", photoFiles)],
                                              required: ["photos[]"]),
                     success: (200, Schema.ref("Complaint"), "application/json")),
        APIOperation(method: "get", path: "/api/v1/complaints/{id}/photos/{photo}", tag: tag, summary: "One photo as JPEG, or its thumbnail with size=thumb (照片)",
                     params: [idParam, APIOperation.path("photo", Schema.uuid, "Photo id"), .query("size", ["type": "string", "enum": ["thumb", "full"]], "thumb for 320 px")],
                     success: (200, nil, "image/jpeg")),
    ]

    static let schemas: [(String, JSONValue)] = [
        ("Complaint", Schema.object([
            ("id", Schema.uuid), ("number", Schema.string), ("categoryCode", Schema.string), ("categoryName", Schema.string), ("text", Schema.string),
            ("lat", Schema.number), ("lon", Schema.number), ("gridCode", Schema.string), ("status", Schema.string), ("statusName", Schema.string),
            ("tier", Schema.string), ("handlerName", Schema.nullable("string")), ("overdue", Schema.array(Schema.string)),
            ("escalationLevel", Schema.string), ("timeline", Schema.array(["type": "object"])),
            ("photos", Schema.array(Schema.object([("id", Schema.uuid), ("stage", Schema.string), ("width", Schema.integer), ("height", Schema.integer)]))),
        ], required: ["id", "number", "categoryCode", "status", "gridCode"])),
    ]
}
