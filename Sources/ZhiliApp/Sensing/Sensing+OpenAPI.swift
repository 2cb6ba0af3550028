import ZhiliDomain

/// Documented operations of sensing (感知预警).
enum SensingAPI {
    static let tag = "感知预警 Sensing"
    static let idParam = APIOperation.path("id", Schema.uuid, "Id")
    static let deviceKey = APIOperation.Param(
        name: "X-Device-Key", location: .header, schema: Schema.string, required: false,
        description:
            "The device's key (zd_…), issued when it was registered; or HTTP Basic with the device code and key")

    static let kinds: JSONValue = ["type": "string", "enum": .array(DeviceKind.allCases.map { .string($0.rawValue) })]
    static let severities: JSONValue = [
        "type": "string", "enum": .array(AlarmSeverity.allCases.map { .string($0.rawValue) }),
    ]
    static let statuses: JSONValue = [
        "type": "string", "enum": .array(AlarmStatus.allCases.map { .string($0.rawValue) }),
    ]
    static let ruleKeys: JSONValue = ["type": "string", "enum": .array(AlarmRules.keys.map { .string($0) })]

    static let event = Schema.object(
        [
            (
                "id",
                [
                    "type": "string", "minLength": 1, "maxLength": 64,
                    "description": "The device's own event id (re-sending it stores nothing twice)",
                ]
            ),
            ("kind", ["type": "string", "enum": .array(SensorReading.kinds.sorted().map { .string($0) })]),
            (
                "at",
                [
                    "type": "string", "format": "date-time",
                    "description": "When it happened (default: now); at most 24 h old",
                ]
            ),
            ("value", Schema.number), ("lat", Schema.number), ("lon", Schema.number),
            ("battery", ["type": "integer", "minimum": 0, "maximum": 100]),
            ("detail", ["type": "string", "maxLength": 80]),
        ], required: ["id", "kind"])

    static let schemas: [(String, JSONValue)] = [
        (
            "Device",
            Schema.object([
                ("id", Schema.uuid), ("code", Schema.string), ("kind", kinds), ("name", Schema.string),
                ("nodeCode", Schema.string), ("residentID", Schema.nullable("string")),
                ("place", Schema.nullable("string")),
                ("lat", Schema.nullable("number")), ("lon", Schema.nullable("number")),
                ("status", ["type": "string", "enum": ["active", "revoked"]]), ("keyHint", Schema.nullable("string")),
                ("online", Schema.boolean), ("lastSeenAt", Schema.nullable("string")),
                ("battery", Schema.nullable("integer")),
                ("offlineAfterSeconds", Schema.integer), ("createdAt", Schema.dateTime),
            ])
        ),
        (
            "DeviceIssued",
            Schema.object([
                ("device", Schema.ref("Device")), ("key", ["type": "string", "description": "Shown this once"]),
            ])
        ),
        (
            "Alarm",
            Schema.object([
                ("id", Schema.uuid), ("rule", ruleKeys), ("severity", severities), ("status", statuses),
                ("deviceID", Schema.nullable("string")), ("residentID", Schema.nullable("string")),
                ("nodeCode", Schema.string),
                ("title", Schema.string), ("titleEn", Schema.string), ("place", Schema.nullable("string")),
                ("count", Schema.integer), ("firstAt", Schema.dateTime), ("lastAt", Schema.dateTime),
                ("acknowledgedAt", Schema.nullable("string")), ("acknowledgedBy", Schema.nullable("string")),
                ("dispatchKind", Schema.nullable("string")), ("dispatchedTo", Schema.nullable("string")),
                ("closedAt", Schema.nullable("string")), ("outcome", Schema.nullable("string")),
                ("rung", Schema.integer),
                ("level", Schema.string), ("secondsToAcknowledge", Schema.nullable("integer")),
            ])
        ),
        (
            "AlarmRule",
            Schema.object([
                ("key", ruleKeys), ("severity", severities), ("enabled", Schema.boolean),
                ("params", ["type": "object", "additionalProperties": Schema.number]),
                ("tag", Schema.nullable("string")),
                ("isDefault", Schema.boolean),
            ])
        ),
        (
            "IngestReceipt",
            Schema.object([
                ("accepted", Schema.integer), ("duplicates", Schema.integer), ("alarms", Schema.array(Schema.uuid)),
            ])
        ),
    ]

    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/devices", tag: tag, summary: "Devices in my area (设备台账; staff)",
            params: [
                .query("kind", kinds, "Kind"), .query("online", Schema.boolean, "Online (active devices only)"),
                .query("status", ["type": "string", "enum": ["active", "revoked"]], "Status"),
                .query("node", Schema.string, "Under this hierarchy code"),
            ],
            success: (200, Schema.array(Schema.ref("Device")), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/devices", tag: tag,
            summary: "Register a device in my area and issue its key, shown once (登记设备; community and street staff)",
            body: Schema.object(
                [
                    ("code", ["type": "string", "minLength": 2, "maxLength": 40]), ("kind", kinds),
                    ("name", ["type": "string", "minLength": 1, "maxLength": 60]), ("nodeCode", Schema.string),
                    ("residentID", Schema.uuid), ("place", Schema.string), ("lat", Schema.number),
                    ("lon", Schema.number),
                    ("offlineAfterSeconds", ["type": "integer", "minimum": 30, "maximum": 86400]),
                ], required: ["code", "kind", "name", "nodeCode"]),
            success: (201, Schema.ref("DeviceIssued"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/devices/{id}", tag: tag, summary: "A device and its open alarms (设备详情)",
            params: [idParam],
            success: (
                200,
                Schema.object([("device", Schema.ref("Device")), ("openAlarms", Schema.array(Schema.ref("Alarm")))]),
                "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/devices/{id}/key", tag: tag,
            summary: "Issue a new key; the old one stops working at once on every instance (更换凭证)", params: [idParam],
            success: (200, Schema.ref("DeviceIssued"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/devices/{id}/revoke", tag: tag,
            summary: "Revoke the device: nothing it sends is accepted (吊销设备)", params: [idParam],
            success: (200, Schema.ref("Device"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/alarms", tag: tag, summary: "Alarms in my area, newest first (告警列表; staff)",
            params: [
                .query("open", Schema.boolean, "Open (raised, acknowledged, dispatched) or closed"),
                .query("status", statuses, "Status"), .query("severity", severities, "Severity"),
                .query("rule", ruleKeys, "Rule"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 500], "At most"),
            ],
            success: (200, Schema.array(Schema.ref("Alarm")), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/alarms/{id}", tag: tag,
            summary: "An alarm with its timeline and device (告警详情)",
            params: [idParam],
            success: (
                200,
                Schema.object([
                    ("alarm", Schema.ref("Alarm")),
                    (
                        "timeline",
                        Schema.array(
                            Schema.object([
                                ("at", Schema.dateTime), ("action", Schema.string),
                                ("actorName", Schema.nullable("string")),
                                ("note", Schema.nullable("string")),
                            ]))
                    ),
                    ("device", ["oneOf": [Schema.ref("Device"), ["type": "null"]]]),
                    (
                        "photos",
                        Schema.array(
                            Schema.object([
                                ("id", Schema.uuid), ("stage", Schema.string), ("width", Schema.integer),
                                ("height", Schema.integer), ("createdAt", Schema.dateTime),
                            ]))
                    ),
                ]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/alarms/{id}/photos/{photo}", tag: tag,
            summary: "A camera's snapshot kept with the alarm, as JPEG, or its thumbnail with size=thumb (告警抓拍)",
            params: [
                idParam, APIOperation.path("photo", Schema.uuid, "Photo id"),
                .query("size", ["type": "string", "enum": ["thumb", "full"]], "thumb for 320 px"),
            ],
            success: (200, nil, "image/jpeg")),
        APIOperation(
            method: "post", path: "/api/v1/alarms/{id}/actions", tag: tag,
            summary:
                "Handle an alarm: acknowledge, dispatch (to a grid worker, volunteer or department, or into a 接诉即办 work order of the category given, which the alarm keeps as complaintID), resolve or mark false (处置告警)",
            params: [idParam],
            body: Schema.object(
                [
                    ("action", ["type": "string", "enum": .array(AlarmAction.allCases.map { .string($0.rawValue) })]),
                    ("note", ["type": "string", "maxLength": 500]),
                    ("to", ["type": "string", "enum": ["grid", "volunteer", "department", "work_order"]]),
                    ("category", ["type": "string", "maxLength": 60]),
                    ("assignee", ["type": "string", "maxLength": 60]),
                ], required: ["action"]),
            success: (200, Schema.ref("Alarm"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/alarm-rules", tag: tag, summary: "The alarm rules in effect (告警规则)",
            success: (200, Schema.array(Schema.ref("AlarmRule")), "application/json")),
        APIOperation(
            method: "put", path: "/api/v1/alarm-rules/{key}", tag: tag,
            summary:
                "Change a rule: severity, on/off (SOS cannot be switched off), its numbers, its tag (administrators)",
            params: [APIOperation.path("key", ruleKeys, "Rule")],
            body: Schema.object([
                ("severity", severities), ("enabled", Schema.boolean),
                ("params", ["type": "object", "additionalProperties": Schema.number]), ("tag", Schema.string),
            ]),
            success: (200, Schema.ref("AlarmRule"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/alarm-figures", tag: tag,
            summary:
                "Figures of an area and month: alarms by rule and severity, time to answer (p50/p90), the share answered within 60 s, false alarms, devices online, and the areas below (告警统计)",
            params: [
                APIOperation.Param.query("under", Schema.string, "A node code in your area (default: your own)"),
                APIOperation.Param.query(
                    "month", ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"], "YYYY-MM, Beijing time"),
            ],
            success: (200, ["type": "object"], "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/ingest/events", tag: tag,
            summary:
                "A device sends one event; answered after it is stored (idempotent by its id) with the alarms it raised (设备上报)",
            params: [deviceKey], body: event, success: (200, Schema.ref("IngestReceipt"), "application/json"),
            secured: false),
        APIOperation(
            method: "post", path: "/api/v1/ingest/batch", tag: tag,
            summary: "A device sends up to 1,000 events at once; one bad event refuses the batch, naming it (批量上报)",
            params: [deviceKey],
            body: Schema.object(
                [("events", ["type": "array", "items": event, "minItems": 1, "maxItems": 1000])], required: ["events"]),
            success: (200, Schema.ref("IngestReceipt"), "application/json"), secured: false),
        APIOperation(
            method: "post", path: "/api/v1/ingest/camera", tag: tag,
            summary:
                "A camera pushes its EventNotificationAlert (XML, JSON, or multipart with pictures): intrusion, fire/smoke, crowd, fall, fire-lane occupancy; inactive states are its heartbeat (摄像机事件)",
            params: [
                deviceKey,
                APIOperation.Param(
                    name: "key", location: .query, schema: Schema.string, required: false,
                    description: "The camera's key, for cameras that cannot sign their pushes (prefer HTTP Basic)"),
            ],
            body: Schema.object(
                [
                    ("eventType", Schema.string), ("eventState", Schema.string), ("dateTime", Schema.string),
                    ("channelID", Schema.string), ("channelName", Schema.string),
                ], required: ["eventType"]),
            success: (200, Schema.ref("IngestReceipt"), "application/json"), secured: false),
    ]
}
