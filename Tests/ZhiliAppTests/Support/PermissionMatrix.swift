import Foundation

@testable import ZhiliApp

/// Who passes the gate of each documented operation: the expectation table of
/// `PermissionMatrixTests`, written once. Every operation of the served OpenAPI document
/// needs a row; a new operation without one fails the test. Targets lie in the first grid of
/// the tiny town (grid001's), so grid004 is staff out of scope, and the demo resident is not
/// the person, household or complaint's submitter. "Passes" means any answer but 401, 403 and
/// 404; a refusal is one of those. No answer may be a 5xx.
enum PermissionMatrix {
    static let roles = [
        "anonymous", "admin", "city", "street", "community", "grid001", "grid004", "civil", "emergency",
        "resident", "volunteer", "merchant", "cobuild",
    ]

    static let signedIn = Set(roles.dropFirst())
    static let everyone = Set(roles)
    static let staff: Set<String> = [
        "admin", "city", "street", "community", "grid001", "grid004", "civil", "emergency",
    ]
    /// Staff whose area holds the first grid (department staff are bound to the city).
    static let staffInScope = staff.subtracting(["grid004"])
    /// Those who keep the register there.
    static let keepersInScope: Set<String> = ["admin", "street", "community", "grid001"]
    /// Residents and staff (not volunteers, merchants or co-building units).
    static let residentsAndStaff = staff.union(["resident"])
    static let admin: Set<String> = ["admin"]
    /// Who registers devices and manages their keys in the first grid.
    static let deviceKeepers: Set<String> = ["admin", "street", "community"]

    /// How to send one request to an operation.
    struct Row: Sendable {
        var allowed: Set<String>
        var query = ""
        var body: Body = .none
        /// Sign in anew for this request (the operation ends sessions).
        var freshToken = false
        /// A new target for each request (the operation consumes it).
        var freshTarget: Target? = nil

        init(
            _ allowed: Set<String>, query: String = "", body: Body = .none, freshToken: Bool = false,
            freshTarget: Target? = nil
        ) {
            self.allowed = allowed
            self.query = query
            self.body = body
            self.freshToken = freshToken
            self.freshTarget = freshTarget
        }
    }

    enum Body: Sendable { case none, json(String), csv, photo }
    enum Target: Sendable { case changeRequest, node, open311Key, dutyShift }

    /// Who keeps the duty roster in the first grid.
    static let rosterKeepers: Set<String> = ["admin", "street", "community"]

    /// `json` bodies may use {complaintLat}, {complaintLon}, {household}, {grid}, {gridWorker}
    /// (grid001's account), {unique}.
    static let rows: [String: Row] = [
        "GET /healthz": Row(everyone),
        "GET /readyz": Row(everyone),
        "POST /api/v1/auth/token": Row(everyone, body: .json(#"{"username":"community","password":"Demo@2026"}"#)),
        "POST /api/v1/auth/logout": Row(signedIn, freshToken: true),
        "GET /api/v1/me": Row(signedIn),
        // A plain GET of the socket is refused as a bad request once signed in (no upgrade).
        "GET /api/v1/live": Row(signedIn),
        "GET /api/v1/live/events": Row(signedIn, query: "since=1"),
        "GET /api/v1/me/todo": Row(signedIn),
        "POST /api/v1/me/password": Row(
            signedIn, body: .json(#"{"currentPassword":"Demo@2026","newPassword":"short"}"#), freshToken: true),
        "GET /api/v1/users": Row(admin),
        "POST /api/v1/users": Row(
            admin,
            body: .json(
                #"{"username":"m{unique}","displayName":"矩阵","password":"Matrix@2026","role":"volunteer","nodeCode":"{grid}"}"#
            )),
        "PATCH /api/v1/users/{id}": Row(admin, body: .json(#"{"displayName":"矩阵对象"}"#)),
        "POST /api/v1/users/{id}/sign-out": Row(admin),
        "GET /api/v1/audit": Row(admin),

        "GET /api/v1/nodes": Row(signedIn),
        // The resident's household lies in the first grid: they browse the path toward it.
        "GET /api/v1/nodes/{code}": Row(staffInScope.union(["resident"])),
        "GET /api/v1/nodes/{code}/children": Row(staffInScope.union(["resident"])),
        "GET /api/v1/nodes/{code}/children.geojson": Row(staffInScope.union(["resident"])),
        "GET /api/v1/nodes/{code}/profile": Row(staffInScope),
        // The hierarchy is kept by officials and community staff beneath their own node.
        "POST /api/v1/nodes": Row(
            ["admin", "city", "street", "community"], body: .json(#"{"parentCode":"{grid}","name":"矩阵小区{unique}"}"#)),
        "PATCH /api/v1/nodes/{code}": Row(["admin", "city", "street", "community"], body: .json(#"{"name":"矩阵网格"}"#)),
        "DELETE /api/v1/nodes/{code}": Row(["admin", "city", "street", "community"], freshTarget: .node),
        "GET /api/v1/grids.geojson": Row(signedIn),
        "GET /api/v1/grids/locate": Row(signedIn, query: "lat={complaintLat}&lon={complaintLon}"),

        "GET /api/v1/households/{code}": Row(staffInScope),
        "GET /api/v1/households/{code}/qr.svg": Row(staffInScope),
        "GET /api/v1/residents": Row(residentsAndStaff),
        "POST /api/v1/residents": Row(
            keepersInScope,
            body: .json(#"{"name":"矩阵新人","idNumber":"{idNumber}","householdCode":"{household}","relation":"户主"}"#)),
        "GET /api/v1/residents/search": Row(staff, query: "q=zs"),
        "GET /api/v1/residents/{id}": Row(staffInScope),
        "PATCH /api/v1/residents/{id}": Row(keepersInScope, body: .json(#"{"notes":"矩阵备注"}"#)),
        "GET /api/v1/residents/{id}/profile": Row(staffInScope),
        "POST /api/v1/residents/{id}/reveal": Row(
            ["admin", "community", "grid001", "civil"], body: .json(#"{"field":"phone","reason":"核对联系方式"}"#)),
        "GET /api/v1/residents/{id}/contacts": Row(staffInScope),
        "PUT /api/v1/residents/{id}/contacts": Row(
            keepersInScope, body: .json(#"{"contacts":[{"name":"矩阵家属","relation":"子女","phone":"13800138000"}]}"#)),
        "POST /api/v1/residents/{id}/visits": Row(keepersInScope.union(["civil"]), body: .json(#"{"notes":"矩阵走访"}"#)),
        "GET /api/v1/tags": Row(signedIn),
        "GET /api/v1/care/todo": Row(staff),
        "GET /api/v1/care/indicators": Row(staff),
        "GET /api/v1/reviews": Row(staff),
        "POST /api/v1/reviews/{id}/approve": Row(["admin", "street", "community"], freshTarget: .changeRequest),
        "POST /api/v1/reviews/{id}/reject": Row(
            ["admin", "street", "community"], body: .json(#"{"reason":"矩阵驳回"}"#), freshTarget: .changeRequest),
        "GET /api/v1/exchange/{kind}/template": Row(signedIn),
        "POST /api/v1/exchange/{kind}/import": Row(
            keepersInScope.union(["grid004"]), query: "dryRun=true&filename=m.csv", body: .csv),
        "GET /api/v1/exchange/{kind}/export": Row(staff),
        // Places are public geography for everyone signed in; staff see their own area's.
        "GET /api/v1/places": Row(signedIn),
        "GET /api/v1/places/{id}": Row(signedIn.subtracting(["grid004"])),
        "GET /api/v1/party/orgs": Row(staff.union(["volunteer"])),
        "GET /api/v1/duty-shifts": Row(staff),
        "GET /api/v1/service-items": Row(signedIn),
        "GET /api/v1/volunteers/suggest": Row(staffInScope, query: "item=repair.04&household={household}"),
        "POST /api/v1/duty-shifts": Row(
            rosterKeepers,
            body: .json(
                #"{"userID":"{gridWorker}","nodeCode":"{grid}","startsAt":"2026-12-01T00:00:00Z","endsAt":"2026-12-01T08:00:00Z"}"#
            )),
        "GET /api/v1/duty-shifts/on-duty": Row(staffInScope, query: "node={grid}"),
        "DELETE /api/v1/duty-shifts/{id}": Row(rosterKeepers, freshTarget: .dutyShift),

        "GET /api/v1/complaints/categories": Row(signedIn),
        "PUT /api/v1/complaints/categories/{code}": Row(
            admin,
            body: .json(
                #"{"parentCode":"facilities","nameZh":"矩阵分类","nameEn":"Matrix","handlerKind":"grid_worker","tier":"7d"}"#
            )),
        "GET /api/v1/complaints": Row(residentsAndStaff),
        "POST /api/v1/complaints": Row(
            residentsAndStaff,
            body: .json(#"{"categoryCode":"facilities","text":"矩阵测试：路灯不亮","lat":{complaintLat},"lon":{complaintLon}}"#)),
        "GET /api/v1/complaints/nearby": Row(
            residentsAndStaff, query: "category=facilities&lat={complaintLat}&lon={complaintLon}"),
        "GET /api/v1/complaints/rates": Row(staff),
        "GET /api/v1/complaints/themes": Row(staff),
        "PUT /api/v1/complaints/themes/{code}": Row(admin, body: .json(#"{"nameZh":"矩阵主题","keywords":["矩阵"]}"#)),
        "GET /api/v1/complaints/trends": Row(staff),
        "GET /api/v1/complaints/map.geojson": Row(staff),
        "GET /api/v1/complaints/{id}": Row(["admin", "city", "street", "community", "grid001"]),
        "POST /api/v1/complaints/{id}/actions": Row(
            ["admin", "street", "community", "grid001"], body: .json(#"{"action":"progress","note":"矩阵进展"}"#)),
        "POST /api/v1/complaints/{id}/follow": Row(
            ["resident"], body: .json(#"{"lat":{complaintLat},"lon":{complaintLon}}"#)),
        "POST /api/v1/complaints/{id}/photos": Row(["admin", "community", "grid001"], body: .photo),
        "GET /api/v1/complaints/{id}/photos/{photo}": Row(["admin", "city", "street", "community", "grid001"]),
        "POST /api/v1/complaints/{id}/reveal": Row(admin, body: .json(#"{"reason":"核实来电人身份"}"#)),

        "GET /api/v1/devices": Row(staff),
        "POST /api/v1/devices": Row(
            deviceKeepers,
            body: .json(#"{"code":"M-{unique}","kind":"sos","name":"矩阵按钮","nodeCode":"{grid}"}"#)),
        "GET /api/v1/devices/{id}": Row(staffInScope),
        "POST /api/v1/devices/{id}/key": Row(deviceKeepers),
        "POST /api/v1/devices/{id}/revoke": Row(deviceKeepers),
        "GET /api/v1/alarms": Row(staff),
        "GET /api/v1/alarms/{id}": Row(staffInScope),
        "POST /api/v1/alarms/{id}/actions": Row(staffInScope, body: .json(#"{"action":"acknowledge"}"#)),
        "GET /api/v1/alarms/{id}/photos/{photo}": Row(staffInScope),
        "GET /api/v1/alarm-rules": Row(staff),
        "PUT /api/v1/alarm-rules/{key}": Row(admin, body: .json(#"{"severity":"critical"}"#)),
        // Devices send with their own key, never with a person's session: every role is refused.
        "POST /api/v1/ingest/events": Row([], body: .json(#"{"id":"m1","kind":"sos"}"#)),
        "POST /api/v1/ingest/batch": Row([], body: .json(#"{"events":[{"id":"m1","kind":"sos"}]}"#)),
        "GET /api/v1/alarm-figures": Row(staffInScope, query: "under={grid}&month=2026-11"),
        "POST /api/v1/ingest/camera": Row([], body: .json(#"{"eventType":"fielddetection","eventState":"active"}"#)),

        "GET /api/v1/notifications": Row(signedIn),
        "GET /api/v1/notifications/unread": Row(signedIn),
        "POST /api/v1/notifications/{id}/read": Row(["grid001"]),
        "POST /api/v1/notifications/read-all": Row(signedIn),
        "GET /api/v1/notifications/settings": Row(signedIn),
        "PUT /api/v1/notifications/settings": Row(signedIn, body: .json(#"{"sms":false,"wechat":false}"#)),
        "GET /api/v1/notifications/deliveries": Row(admin),
        "POST /api/v1/notifications/deliveries/{id}/retry": Row(admin),
        "GET /api/v1/open311/keys": Row(admin),
        "POST /api/v1/open311/keys": Row(admin, body: .json(#"{"integrator":"矩阵接入方"}"#)),
        "POST /api/v1/open311/keys/{id}/revoke": Row(admin, freshTarget: .open311Key),
    ]
}
