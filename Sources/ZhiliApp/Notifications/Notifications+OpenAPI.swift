/// Documented operations of notifications (消息).
enum NotificationsAPI {
    static let tag = "消息 Notifications"
    static let idParam = APIOperation.path("id", Schema.uuid, "Message id")

    static let settingsSchema = Schema.object([
        ("sms", Schema.boolean), ("wechat", Schema.boolean), ("smsAvailable", Schema.boolean),
        ("wechatAvailable", Schema.boolean),
        ("wechatBound", Schema.boolean), ("smsPhone", Schema.nullable("string")),
        ("smsPhoneSource", Schema.nullable("string")),
    ])

    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/api/v1/notifications", tag: tag,
            summary: "My messages, newest first, with the unread count (我的消息)",
            params: [
                .query("unread", Schema.boolean, "Only unread messages"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size"),
                .query("offset", ["type": "integer", "minimum": 0, "maximum": 1_000_000], "Offset"),
            ],
            success: (
                200,
                Schema.object([
                    ("items", Schema.array(Schema.ref("Notification"))), ("unread", Schema.integer),
                    ("limit", Schema.integer), ("offset", Schema.integer),
                ]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/notifications/unread", tag: tag,
            summary: "How many of my messages are unread (未读数)",
            success: (200, Schema.object([("unread", Schema.integer)]), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/notifications/{id}/read", tag: tag,
            summary: "Mark one of my messages read (标为已读)",
            params: [idParam], success: (200, Schema.ref("Notification"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/notifications/read-all", tag: tag,
            summary: "Mark all my messages read (全部已读)",
            success: (200, Schema.object([("updated", Schema.integer)]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/notifications/settings", tag: tag, summary: "My channels: SMS, WeChat (提醒方式)",
            success: (200, settingsSchema, "application/json")),
        APIOperation(
            method: "put", path: "/api/v1/notifications/settings", tag: tag,
            summary:
                "Change my channels; smsPhone \"\" removes a number given here (residents fall back to their registered phone)",
            body: Schema.object([
                ("sms", Schema.boolean), ("wechat", Schema.boolean),
                ("smsPhone", ["type": "string", "description": "Mainland mobile, 11 digits; stored encrypted"]),
                ("unbindWechat", Schema.boolean),
            ]),
            success: (200, settingsSchema, "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/notifications/deliveries", tag: tag,
            summary: "The SMS/WeChat outbox: deliveries by status, never their address (administrators; 发送记录)",
            params: [
                .query("status", ["type": "string", "enum": ["pending", "sent", "failed", "skipped"]], "Status"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 500], "At most"),
            ],
            success: (
                200,
                Schema.array(
                    Schema.object([
                        ("id", Schema.uuid), ("channel", Schema.string), ("status", Schema.string),
                        ("attempts", Schema.integer), ("title", Schema.string),
                        ("lastError", Schema.nullable("string")),
                        ("createdAt", Schema.dateTime), ("nextAttemptAt", Schema.dateTime),
                        ("sentAt", Schema.nullable("string")),
                    ])), "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/notifications/deliveries/{id}/retry", tag: tag,
            summary: "Send a failed delivery again (administrators; 重发)",
            params: [APIOperation.path("id", Schema.uuid, "Delivery id")],
            success: (200, Schema.object([("updated", Schema.integer)]), "application/json")),
    ]

    static let schemas: [(String, JSONValue)] = [
        (
            "Notification",
            Schema.object(
                [
                    ("id", Schema.uuid), ("kind", Schema.string), ("title", Schema.string), ("body", Schema.string),
                    ("link", Schema.nullable("string")),
                    ("createdAt", Schema.dateTime), ("readAt", Schema.nullable("string")),
                ], required: ["id", "kind", "title", "body", "createdAt"])
        )
    ]
}
