/// Operations of the shared platform: sign-in, accounts, audit, operations.
enum PlatformAPI {
    static let operations: [APIOperation] = [
        APIOperation(
            method: "get", path: "/healthz", tag: "运维 Operations", summary: "Liveness (存活检查)",
            success: (200, nil, "text/plain"), secured: false),
        APIOperation(
            method: "get", path: "/readyz", tag: "运维 Operations", summary: "Readiness: the database answers (就绪检查)",
            success: (200, nil, "text/plain"), secured: false),
        APIOperation(
            method: "post", path: "/api/v1/auth/token", tag: "认证 Auth",
            summary: "Sign in and get a bearer token (登录获取令牌)",
            body: Schema.object(
                [("username", ["type": "string", "minLength": 1]), ("password", ["type": "string", "minLength": 1])],
                required: ["username", "password"]),
            success: (200, Schema.ref("TokenResponse"), "application/json"), secured: false),
        APIOperation(
            method: "get", path: "/api/v1/live", tag: "实时 Live",
            summary:
                "The live push as a WebSocket (实时推送): frames {seq, kind, at, data} for what this account may see (its messages; for staff, alarms and devices in their area), a hello with the current sequence number on opening, missed events replayed after ?since= or a reset frame. A plain GET is refused with websocket_required; a browser's socket must come from this site",
            params: [.query("since", ["type": "integer", "minimum": 0], "The last sequence number received")],
            success: (101, nil, "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/live/events", tag: "实时 Live",
            summary:
                "What the live push carried after a sequence number, with the same filter (补取实时事件; kept a day, at most 1000, else reset: reload and go on from head)",
            params: [
                .query("since", ["type": "integer", "minimum": 0], "The last sequence number received", required: true)
            ],
            success: (
                200,
                Schema.object([
                    ("head", Schema.integer), ("reset", Schema.boolean),
                    (
                        "events",
                        Schema.array(
                            Schema.object([
                                ("seq", Schema.integer), ("kind", Schema.string), ("at", Schema.dateTime),
                                ("data", ["type": "object"]),
                            ]))
                    ),
                ]), "application/json"
            )),
        APIOperation(
            method: "get", path: "/api/v1/me", tag: "认证 Auth", summary: "The signed-in account (当前用户)",
            success: (200, Schema.ref("Me"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/me/todo", tag: "认证 Auth",
            summary: "What waits for me now, each with the list it counts (待办): the dashboard's to-do centre",
            success: (
                200,
                Schema.object(
                    [
                        (
                            "items",
                            Schema.array(
                                Schema.object(
                                    [
                                        ("key", Schema.string), ("label", Schema.string), ("labelZh", Schema.string),
                                        ("labelEn", Schema.string), ("count", Schema.integer), ("url", Schema.string),
                                        ("tone", ["type": "string", "enum": ["normal", "warn", "bad"]]),
                                    ], required: ["key", "label", "labelZh", "labelEn", "count", "url", "tone"]))
                        )
                    ], required: ["items"]), "application/json"
            )),
        APIOperation(
            method: "post", path: "/api/v1/auth/logout", tag: "认证 Auth",
            summary: "Sign out: the session of this token ends at once, on every instance (退出登录)",
            success: (204, nil, "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/me/password", tag: "认证 Auth",
            summary: "Change one's password; every session ends and a fresh token is returned (修改密码)",
            body: Schema.object(
                [("currentPassword", Schema.string), ("newPassword", Schema.string)],
                required: ["currentPassword", "newPassword"]),
            success: (200, Schema.ref("TokenResponse"), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/users", tag: "账号 Accounts", summary: "List accounts (administrators) (账号列表)",
            success: (200, Schema.array(Schema.ref("User")), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/users", tag: "账号 Accounts",
            summary: "Create an account (administrators) (新建账号)",
            body: Schema.object(
                [
                    ("username", Schema.string), ("displayName", Schema.string), ("password", Schema.string),
                    ("role", ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })]),
                    (
                        "department",
                        ["type": "string", "enum": .array(Department.allCases.map { .string($0.rawValue) })]
                    ),
                    ("nodeCode", Schema.code),
                ], required: ["username", "displayName", "password", "role"]),
            success: (201, Schema.ref("User"), "application/json")),
        APIOperation(
            method: "patch", path: "/api/v1/users/{id}", tag: "账号 Accounts",
            summary:
                "Disable or enable an account, or rename it; disabling ends its sessions (administrators) (停用/启用账号)",
            params: [APIOperation.path("id", Schema.uuid, "Account id")],
            body: Schema.object([("disabled", Schema.boolean), ("displayName", Schema.string)]),
            success: (200, Schema.ref("User"), "application/json")),
        APIOperation(
            method: "post", path: "/api/v1/users/{id}/sign-out", tag: "账号 Accounts",
            summary: "Sign an account out everywhere (administrators) (强制下线)",
            params: [APIOperation.path("id", Schema.uuid, "Account id")],
            success: (200, Schema.object([("ended", Schema.integer)], required: ["ended"]), "application/json")),
        APIOperation(
            method: "get", path: "/api/v1/audit", tag: "审计 Audit",
            summary: "Browse the audit log, newest first (administrators) (审计日志)",
            params: [
                .query("actor", Schema.string, "Username of the actor"),
                .query("action", Schema.string, "Action, e.g. read, create, read_denied"),
                .query("entity", Schema.string, "Entity kind, e.g. resident, node"),
                .query("entityId", Schema.string, "Entity id or code"),
                .query("outcome", ["type": "string", "enum": ["ok", "denied"]], "ok or denied"),
                .query("from", Schema.dateTime, "From (inclusive)"),
                .query("to", Schema.dateTime, "To (exclusive)"),
                .query("limit", ["type": "integer", "minimum": 1, "maximum": 500], "Page size"),
                .query(
                    "before", ["type": "integer", "format": "int64", "minimum": 1, "maximum": 9_007_199_254_740_991],
                    "Entries with id below this (paging)"),
            ],
            success: (200, Schema.array(Schema.ref("AuditEntry")), "application/json")),
    ]

    static let schemas: [(String, JSONValue)] = [
        (
            "Error",
            Schema.object(
                [
                    (
                        "error",
                        Schema.object(
                            [
                                ("code", Schema.string), ("message", Schema.string), ("messageZh", Schema.string),
                                ("messageEn", Schema.string), ("field", Schema.nullable("string")),
                            ], required: ["code", "message", "messageZh", "messageEn"])
                    )
                ], required: ["error"])
        ),
        (
            "Me",
            Schema.object(
                [
                    ("id", Schema.uuid), ("username", Schema.string), ("displayName", Schema.string),
                    ("role", Schema.string),
                    ("roleName", Schema.string), ("department", Schema.nullable("string")),
                    ("nodeCode", Schema.nullable("string")),
                ], required: ["id", "username", "displayName", "role", "roleName"])
        ),
        (
            "TokenResponse",
            Schema.object(
                [
                    ("token", Schema.string), ("tokenType", Schema.string), ("expiresAt", Schema.dateTime),
                    ("user", Schema.ref("Me")),
                ], required: ["token", "tokenType", "expiresAt", "user"])
        ),
        (
            "User",
            Schema.object(
                [
                    ("id", Schema.uuid), ("username", Schema.string), ("displayName", Schema.string),
                    ("role", Schema.string),
                    ("department", Schema.nullable("string")), ("nodeCode", Schema.nullable("string")),
                    ("disabled", Schema.boolean),
                ], required: ["id", "username", "displayName", "role", "disabled"])
        ),
        (
            "AuditEntry",
            Schema.object(
                [
                    ("id", Schema.integer), ("at", Schema.dateTime), ("actorId", Schema.nullable("string")),
                    ("actorName", Schema.nullable("string")),
                    ("role", Schema.nullable("string")), ("action", Schema.string), ("entity", Schema.string),
                    ("entityId", Schema.nullable("string")),
                    ("outcome", Schema.string), ("ip", Schema.nullable("string")),
                    ("detail", Schema.nullable("string")),
                ], required: ["id", "at", "action", "entity", "outcome"])
        ),
    ]
}
