import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

/// Every operation of the served OpenAPI document, crossed with every demo role (signed out
/// too), in scope and out of scope, against `PermissionMatrix.rows`.
@Suite("Permission matrix: every operation × every role")
struct PermissionMatrixTests {
    /// Records inside the first grid that the operations act on.
    struct Targets {
        var grid = "", household = "", resident = UUID(), complaint = UUID(), photo = UUID(), place = UUID()
        var user = UUID(), notification = UUID(), delivery = UUID(), device = UUID(), alarm = UUID()
        var gridWorker = UUID(), alarmPhoto = UUID()
        var lat = 0.0, lon = 0.0
    }

    static func targets(_ app: Application) async throws -> Targets {
        var t = Targets()
        struct Code: Decodable { let code: String }
        struct ID: Decodable { let id: UUID }
        struct Household: Decodable {
            let household_code: String
            let id: UUID
        }
        t.grid = try await app.gridCodes()[0]
        struct Me: Decodable { let node_code: String? }
        let own =
            try await app.sql.select().column("node_code").from("users").where("username", .equal, "resident").first(
                decoding: Me.self)?.node_code ?? ""
        let person = try #require(
            try await app.sql.select().columns("household_code", "id").from("residents")
                .where("household_code", .greaterThanOrEqual, t.grid).where("household_code", .lessThan, t.grid + ":")
                .where("household_code", .notEqual, own).orderBy("household_code").first(decoding: Household.self))
        t.household = person.household_code
        t.resident = person.id
        let p = try await ComplaintFixture.point(app)
        (t.lat, t.lon) = (p.lat, p.lon)
        // Taken by phone by community staff, dispatched to grid001, with a photo.
        let c = try await ComplaintFixture.submit(app, as: "community", category: "facilities", text: "矩阵目标：小区路灯不亮")
        t.complaint = c.id
        try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
        let photo = TestImages.multipart(
            fields: ["stage": "progress"], files: [("a.png", TestImages.png(width: 64, height: 64))])
        try await app.testing().test(
            .POST, "/api/v1/complaints/\(c.id)/photos",
            headers: try await app.bearer("grid001").merging([
                "Content-Type": "multipart/form-data; boundary=zhili-test-boundary"
            ]),
            body: photo
        ) { res in #expect(res.status == .ok) }
        t.photo = try #require(
            try await app.sql.select().column("id").from("photos").where("owner_id", .equal, c.id).first(
                decoding: ID.self)
        ).id
        t.place = try #require(
            try await app.sql.select().column("id").from("places")
                .where("node_code", .greaterThanOrEqual, t.grid).where("node_code", .lessThan, t.grid + ":").first(
                    decoding: ID.self)
        ).id
        let target = try await AccountService.create(
            username: "matrix-target", displayName: "矩阵对象", password: DemoCity.password, role: .volunteer,
            department: nil, nodeCode: t.grid, on: app.db, hasher: { try await app.password.async.hash($0) })
        t.user = try #require(target.id)
        let grid001 = try #require(
            try await app.sql.select().column("id").from("users").where("username", .equal, "grid001").first(
                decoding: ID.self)
        ).id
        t.gridWorker = grid001
        t.notification = try #require(
            try await app.sql.select().column("id").from("notifications").where("user_id", .equal, grid001).first(
                decoding: ID.self)
        ).id
        t.delivery = UUID()
        try await app.sql.insert(into: "notification_deliveries")
            .columns("id", "user_id", "channel", "title", "body", "status", "attempts", "next_attempt_at", "created_at")
            .values(
                SQLBind(t.delivery), SQLBind(grid001), SQLBind("sms"), SQLBind("矩阵"), SQLBind("矩阵"), SQLBind("failed"),
                SQLBind(5),
                SQLBind(Date()), SQLBind(Date())
            ).run()
        // A device in the first grid whose SOS raised an alarm there.
        let device = try await SensingFixture.register(app)
        t.device = device.id
        let sent = try await SensingFixture.send(app, key: device.key, [SensingFixture.event("sos")])
        t.alarm = try #require(sent.receipt?.alarms.first)
        // A snapshot kept with it, as a camera's would be.
        let picture = try PhotoProcessing.normalize(TestImages.png(width: 48, height: 32))
        let (photoID, alarmID, media) = (t.alarmPhoto, t.alarm, app.zhili.media)
        try await app.sql.transactionally { db in
            try await PhotoUploads.save(
                [(photoID, picture)], ownerKind: AlarmSnapshots.ownerKind, ownerID: alarmID,
                stage: AlarmSnapshots.stage, by: nil, store: media, db: db)
        }
        return t
    }

    static func fresh(_ target: PermissionMatrix.Target, _ t: Targets, _ app: Application, serial: Int) async throws
        -> String
    {
        switch target {
        case .changeRequest:
            var id = ""
            try await app.testing().test(
                .PATCH, "/api/v1/residents/\(t.resident)",
                headers: try await app.bearer("grid001").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["name": "矩阵改名\(serial)"])
            ) { res in
                #expect(res.status == .accepted)
                id = (try? res.content.decode(ResidentService.Outcome.self).pendingReview?.uuidString) ?? ""
            }
            return id
        case .node:
            var code = ""
            try await app.testing().test(
                .POST, "/api/v1/nodes",
                headers: try await app.bearer("admin").merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["parentCode": t.grid, "name": "矩阵待撤销\(serial)"])
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                code =
                    (try? JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])?[
                        "code"] as? String ?? ""
            }
            return code
        case .dutyShift:
            let worker = try await app.sql.select().columns("id", "role", "node_code").from("users")
                .where("username", .equal, "community").first(decoding: ShiftAuthor.self)
            let author = try #require(worker)
            let p = Principal(
                userID: author.id, username: "community", displayName: "矩阵", role: .communityStaff, department: nil,
                nodeCode: author.node_code, residentID: nil)
            let start = Date()
            let view = try await DutyShifts.create(
                .init(
                    userID: t.gridWorker, nodeCode: t.grid, startsAt: ISO8601DateFormatter().string(from: start),
                    endsAt: ISO8601DateFormatter().string(from: start.addingTimeInterval(3600)), note: "矩阵\(serial)"),
                by: p, on: app.sql)
            return view.id.uuidString
        case .open311Key:
            _ = try await Open311Keys.issue(integrator: "矩阵\(serial)", on: app.sql)
            struct ID: Decodable { let id: UUID }
            return try #require(
                try await app.sql.select().column("id").from("open311_keys").where("integrator", .equal, "矩阵\(serial)")
                    .first(decoding: ID.self)
            ).id.uuidString
        }
    }

    private struct ShiftAuthor: Decodable {
        let id: UUID
        let node_code: String?
    }

    /// The concrete path of an operation for the targets.
    static func path(_ template: String, _ t: Targets, fresh: String?) -> String {
        var path = template
        let id: String
        switch true {
        case template.hasPrefix("/api/v1/users/"): id = t.user.uuidString
        case template.hasPrefix("/api/v1/residents/"): id = t.resident.uuidString
        case template.hasPrefix("/api/v1/complaints/"): id = t.complaint.uuidString
        case template.hasPrefix("/api/v1/places/"): id = t.place.uuidString
        case template.hasPrefix("/api/v1/notifications/deliveries/"): id = t.delivery.uuidString
        case template.hasPrefix("/api/v1/notifications/"): id = t.notification.uuidString
        case template.hasPrefix("/api/v1/devices/"): id = t.device.uuidString
        case template.hasPrefix("/api/v1/alarms/"): id = t.alarm.uuidString
        default: id = fresh ?? UUID().uuidString
        }
        let code: String
        switch true {
        case template.hasPrefix("/api/v1/households/"): code = t.household
        case template.hasPrefix("/api/v1/complaints/categories/"): code = "facilities.matrix"
        case template.hasPrefix("/api/v1/complaints/themes/"): code = "matrix_theme"
        default: code = fresh ?? t.grid
        }
        path = path.replacingOccurrences(of: "{id}", with: fresh ?? id).replacingOccurrences(
            of: "{code}", with: fresh ?? code)
        return path.replacingOccurrences(of: "{kind}", with: "residents").replacingOccurrences(
            of: "{key}", with: "fall"
        ).replacingOccurrences(
            of: "{photo}", with: template.hasPrefix("/api/v1/alarms/") ? t.alarmPhoto.uuidString : t.photo.uuidString)
    }

    static func fill(_ text: String, _ t: Targets, serial: Int) -> String {
        text.replacingOccurrences(of: "{complaintLat}", with: "\(t.lat)").replacingOccurrences(
            of: "{complaintLon}", with: "\(t.lon)"
        )
        .replacingOccurrences(of: "{household}", with: t.household).replacingOccurrences(of: "{grid}", with: t.grid)
        .replacingOccurrences(of: "{gridWorker}", with: t.gridWorker.uuidString)
        .replacingOccurrences(of: "{unique}", with: "\(serial)")
        .replacingOccurrences(
            of: "{idNumber}", with: RegistryFixture.idNumber(year: 1960 + serial % 40, sequence: 100 + serial % 800))
    }

    @Test func everyOperationAnswersEachRoleAsTheTableSays() async throws {
        try await withTestApp { app in
            var operations: [(method: String, path: String)] = []
            try await app.testing().test(.GET, "/openapi.json") { res in
                let doc = try #require(
                    try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
                let paths = try #require(doc["paths"] as? [String: [String: Any]])
                for (path, methods) in paths {
                    for method in methods.keys { operations.append((method.uppercased(), path)) }
                }
            }
            operations.sort { ($0.path, $0.method) < ($1.path, $1.method) }
            #expect(operations.count >= 70)
            let missing = operations.map { "\($0.method) \($0.path)" }.filter { PermissionMatrix.rows[$0] == nil }
            #expect(missing.isEmpty, "operations without a row in PermissionMatrix.rows: \(missing)")
            let stale = Set(PermissionMatrix.rows.keys).subtracting(operations.map { "\($0.method) \($0.path)" })
            #expect(stale.isEmpty, "rows for operations that are not documented: \(stale.sorted())")

            let t = try await Self.targets(app)
            var tokens: [String: HTTPHeaders] = [:]
            for role in PermissionMatrix.roles.dropFirst() { tokens[role] = try await app.bearer(role) }
            var serial = 0
            var wrong: [String] = []
            for op in operations {
                guard let row = PermissionMatrix.rows["\(op.method) \(op.path)"] else { continue }
                for role in PermissionMatrix.roles {
                    serial += 1
                    var fresh: String? = nil
                    if let target = row.freshTarget { fresh = try await Self.fresh(target, t, app, serial: serial) }
                    var headers: HTTPHeaders = [:]
                    if role != "anonymous" {
                        headers = row.freshToken ? try await app.bearer(role) : tokens[role] ?? [:]
                    }
                    var body: ByteBuffer? = nil
                    switch row.body {
                    case .none: break
                    case .json(let text):
                        headers.replaceOrAdd(name: .contentType, value: "application/json")
                        body = ByteBuffer(string: Self.fill(text, t, serial: serial))
                    case .csv:
                        headers.replaceOrAdd(name: .contentType, value: "text/csv")
                        body = ByteBuffer(
                            bytes: ExchangeTests.csv([
                                ExchangeTests.row(
                                    "矩阵导入", RegistryFixture.idNumber(year: 1971, sequence: 300 + serial % 500),
                                    t.household)
                            ]))
                    case .photo:
                        headers.replaceOrAdd(
                            name: .contentType, value: "multipart/form-data; boundary=zhili-test-boundary")
                        body = TestImages.multipart(
                            fields: ["stage": "progress"], files: [("a.png", TestImages.png(width: 32, height: 32))])
                    }
                    let query = row.query.isEmpty ? "" : "?" + Self.fill(row.query, t, serial: serial)
                    let url = Self.path(op.path, t, fresh: fresh) + query
                    var status = HTTPStatus.ok
                    try await app.testing().test(HTTPMethod(rawValue: op.method), url, headers: headers, body: body) {
                        res in status = res.status
                    }
                    let refused = [401, 403, 404].contains(status.code)
                    let expectedPass = row.allowed.contains(role)
                    if status.code >= 500 || refused == expectedPass {
                        wrong.append(
                            "\(op.method) \(op.path) as \(role): \(status.code), expected \(expectedPass ? "to pass" : "a refusal")"
                        )
                    }
                }
            }
            #expect(wrong.isEmpty, "\(wrong.count) answers differ from the table:\n\(wrong.joined(separator: "\n"))")
        }
    }
}
