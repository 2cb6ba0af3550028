import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The sensing API: the device registry and credentials, alarms and their handling, the
/// rules, and the HTTP doors through which devices send (authenticated by their own key).
enum SensingRoutes {
    static func register(_ app: Application) {
        let devices = app.grouped("api", "v1", "devices")
        devices.get(use: listDevices)
        devices.post(use: createDevice)
        devices.get(":id", use: device)
        devices.post(":id", "key", use: rotateKey)
        devices.post(":id", "revoke", use: revoke)

        let alarms = app.grouped("api", "v1", "alarms")
        alarms.get(use: listAlarms)
        alarms.get(":id", use: alarm)
        alarms.post(":id", "actions", use: act)
        alarms.get(":id", "photos", ":photo", use: AlarmSnapshots.photo)

        app.get("api", "v1", "alarm-rules", use: rules)
        app.get("api", "v1", "alarm-figures", use: figures)
        app.put("api", "v1", "alarm-rules", ":key", use: saveRule)

        // Devices send up to 1,000 events in one request.
        let ingest = app.grouped("api", "v1", "ingest")
        ingest.on(.POST, "events", body: .collect(maxSize: "16kb"), use: ingestOne)
        ingest.on(.POST, "batch", body: .collect(maxSize: "512kb"), use: ingestBatch)
        // Cameras push their EventNotificationAlert, with snapshot pictures in a multipart body.
        ingest.on(.POST, "camera", body: .collect(maxSize: "4mb"), use: ingestCamera)
    }

    static func id(_ req: Request) throws -> UUID {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw AppError.invalid("id", zh: "编号格式错误", en: "Malformed id")
        }
        return id
    }

    // MARK: Devices

    @Sendable static func listDevices(req: Request) async throws -> [DeviceRegistry.View] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        struct Q: Decodable {
            var kind: String?
            var online: Bool?
            var status: String?
            var node: String?
        }
        let q = try req.query.decode(Q.self)
        var f = DeviceRegistry.Filter()
        // The API takes only the documented terms (an empty value is not "any"; the pages' forms are).
        if let k = q.kind {
            guard let kind = DeviceKind(rawValue: k) else {
                throw AppError.invalid("kind", zh: "没有这种设备类型", en: "Unknown device kind")
            }
            f.kind = kind
        }
        f.online = q.online
        if let s = q.status {
            guard ["active", "revoked"].contains(s) else {
                throw AppError.invalid("status", zh: "状态应为 active 或 revoked", en: "status must be active or revoked")
            }
            f.status = s
        }
        if let node = q.node {
            guard (try? HierarchyCode(validating: node)) != nil else {
                throw AppError.invalid("node", zh: "编码格式错误", en: "node must be a hierarchy code")
            }
            f.node = node
        }
        return try await DeviceRegistry.list(f, for: p, on: req.readSQL)
    }

    @Sendable static func createDevice(req: Request) async throws -> Response {
        let p = try req.requireRole(.communityStaff, .streetOfficial)
        let input = try req.content.decode(DeviceRegistry.Input.self)
        let broker = req.application.sensing.broker
        let issued = try await req.sql.transactionally { db in
            try await DeviceRegistry.create(input, by: p, on: db, broker: broker)
        }
        req.application.sensing.door?.nudge()
        await req.audit.record(action: "device_create", entity: "device", entityID: issued.device.id.uuidString)
        return try await issued.encodeResponse(status: .created, for: req)
    }

    struct DeviceDetail: Content {
        let device: DeviceRegistry.View
        let openAlarms: [AlarmDesk.View]
    }

    @Sendable static func device(req: Request) async throws -> DeviceDetail {
        let row = try await DeviceRegistry.readable(req, try id(req))
        let p = try req.requirePrincipal()
        let alarms = try await AlarmDesk.list(.init(open: true), for: p, on: req.readSQL).filter {
            $0.device_id == row.id
        }
        let ladder = req.zhili.config.alarmLadder
        return DeviceDetail(device: .init(row), openAlarms: alarms.map { AlarmDesk.View($0, ladder: ladder) })
    }

    @Sendable static func rotateKey(req: Request) async throws -> DeviceRegistry.Issued {
        _ = try req.requireRole(.communityStaff, .streetOfficial)
        let row = try await DeviceRegistry.readable(req, try id(req))
        let (events, broker) = (req.zhili.events, req.application.sensing.broker)
        let issued = try await req.sql.transactionally { db in
            try await DeviceRegistry.rotate(row, on: db, events: events, broker: broker)
        }
        req.application.sensing.door?.nudge()
        await req.audit.record(action: "device_key_rotate", entity: "device", entityID: row.id.uuidString)
        return issued
    }

    @Sendable static func revoke(req: Request) async throws -> DeviceRegistry.View {
        _ = try req.requireRole(.communityStaff, .streetOfficial)
        let row = try await DeviceRegistry.readable(req, try id(req))
        let (events, broker) = (req.zhili.events, req.application.sensing.broker)
        let view = try await req.sql.transactionally { db in
            try await DeviceRegistry.revoke(row, on: db, events: events, broker: broker)
        }
        req.application.sensing.door?.nudge()
        await req.audit.record(action: "device_revoke", entity: "device", entityID: row.id.uuidString)
        return view
    }

    // MARK: Alarms

    @Sendable static func listAlarms(req: Request) async throws -> [AlarmDesk.View] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        struct Q: Decodable {
            var open: Bool?
            var status: String?
            var severity: String?
            var rule: String?
            var limit: Int?
        }
        let q = try req.query.decode(Q.self)
        var f = AlarmDesk.Filter(open: q.open)
        if let s = q.status {
            guard let status = AlarmStatus(rawValue: s) else {
                throw AppError.invalid("status", zh: "没有这种告警状态", en: "Unknown alarm status")
            }
            f.status = status
        }
        if let s = q.severity {
            guard let severity = AlarmSeverity(rawValue: s) else {
                throw AppError.invalid("severity", zh: "没有这种告警级别", en: "Unknown severity")
            }
            f.severity = severity
        }
        if let r = q.rule {
            guard AlarmRules.keys.contains(r) else { throw AppError.invalid("rule", zh: "没有这条规则", en: "Unknown rule") }
            f.rule = r
        }
        f.limit = try QueryValue.int(q.limit, default: 100, in: 1...500, field: "limit")
        let ladder = req.zhili.config.alarmLadder
        return try await AlarmDesk.list(f, for: p, on: req.readSQL).map { AlarmDesk.View($0, ladder: ladder) }
    }

    struct AlarmDetail: Content {
        let alarm: AlarmDesk.View
        let timeline: [AlarmDesk.Step]
        let device: DeviceRegistry.View?
        /// A camera's snapshot pictures (`/api/v1/alarms/{id}/photos/{photo}`).
        let photos: [PhotoInfo]
    }

    @Sendable static func alarm(req: Request) async throws -> AlarmDetail {
        let row = try await AlarmDesk.readable(req, try id(req))
        let db = try req.readSQL
        var device: DeviceRegistry.Row?
        if let id = row.device_id { device = try await DeviceRegistry.find(id, on: db) }
        return AlarmDetail(
            alarm: .init(row, ladder: req.zhili.config.alarmLadder),
            timeline: try await AlarmDesk.timeline(row.id, on: db), device: device.map(DeviceRegistry.View.init),
            photos: try await AlarmSnapshots.list(row.id, on: db))
    }

    @Sendable static func act(req: Request) async throws -> AlarmDesk.View {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let row = try await AlarmDesk.readable(req, try id(req))
        let input = try req.content.decode(AlarmDesk.ActionInput.self)
        let ladder = req.zhili.config.alarmLadder
        let after = try await AlarmDesk.act(
            row.id, input, by: p, on: req.sql, ladder: ladder, workOrder: try await workOrder(req, row, input, by: p))
        LiveFeed.committed()
        req.notifications.dispatcher.wake()
        await req.audit.record(
            action: "alarm_" + (input.action ?? "act"), entity: "alarm", entityID: row.id.uuidString)
        return AlarmDesk.View(after, ladder: ladder)
    }

    /// A dispatch to a work order takes the complaint in first (only for an alarm that may be
    /// dispatched now; the step's own checks still decide).
    static func workOrder(_ req: Request, _ row: AlarmDesk.Row, _ input: AlarmDesk.ActionInput, by p: Principal)
        async throws -> AlarmDesk.WorkOrder?
    {
        guard input.action == AlarmAction.dispatch.rawValue, input.to == "work_order",
            let status = AlarmStatus(rawValue: row.status), AlarmAction.dispatch.next(from: status) != nil
        else { return nil }
        if row.complaint_id != nil {
            throw AppError.conflict(
                "alarm_has_work_order", zh: "此告警已转为接诉即办工单", en: "This alarm is already a work order", field: "to")
        }
        return try await AlarmWorkOrder.create(req, alarm: row, category: input.category, note: input.note, by: p)
    }

    // MARK: Rules

    struct RuleView: Content {
        let key: String
        let severity: String
        let enabled: Bool
        let params: [String: Double]
        let tag: String?
        let isDefault: Bool
    }

    @Sendable static func rules(req: Request) async throws -> [RuleView] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let current = try await AlarmRuleBook.read(on: req.readSQL)
        return current.map { r in
            RuleView(
                key: r.key, severity: r.severity.rawValue, enabled: r.enabled, params: r.params, tag: r.tag,
                isDefault: AlarmRules.defaults.contains(r))
        }
    }

    struct RuleInput: Content {
        var severity: String?
        var enabled: Bool?
        var params: [String: Double]?
        var tag: String?
    }

    @Sendable static func saveRule(req: Request) async throws -> RuleView {
        let p = try req.requireRole()
        guard let key = req.parameters.get("key") else { throw AppError.notFound(entity: "alarm rule") }
        return try await save(key: key, try req.content.decode(RuleInput.self), req: req, by: p)
    }

    /// Checks and stores a rule's change (API and page); every instance reads the rules anew.
    @discardableResult
    static func save(key: String, _ input: RuleInput, req: Request, by p: Principal) async throws -> RuleView {
        guard let base = AlarmRules.defaults.first(where: { $0.key == key }) else {
            throw AppError.notFound(entity: "alarm rule")
        }
        let current = try await AlarmRuleBook.read(on: req.sql).first { $0.key == key } ?? base
        var rule = current
        if let s = input.severity {
            guard let severity = AlarmSeverity(rawValue: s) else {
                throw AppError.invalid(
                    "severity", zh: "级别应为 critical、major、warning、minor",
                    en: "severity must be critical, major, warning or minor")
            }
            rule.severity = severity
        }
        if let e = input.enabled {
            // SOS can never be made silent.
            if key == "sos", !e {
                throw AppError.conflict(
                    "sos_cannot_be_disabled", zh: "一键呼救规则不能关闭", en: "The SOS rule cannot be switched off",
                    field: "enabled")
            }
            rule.enabled = e
        }
        if let params = input.params {
            for (name, value) in params {
                guard base.params[name] != nil else {
                    throw AppError.invalid("params", zh: "此规则没有参数 \(name)", en: "This rule has no parameter \(name)")
                }
                guard value.isFinite, value >= 0, value <= 1_000_000 else {
                    throw AppError.invalid("params", zh: "参数 \(name) 超出范围", en: "Parameter \(name) is out of range")
                }
                rule.params[name] = value
            }
            if let low = rule.params["low"], let high = rule.params["high"], low >= high {
                throw AppError.invalid("params", zh: "下限应小于上限", en: "low must be below high")
            }
        }
        if let tag = input.tag { rule.tag = tag.isEmpty ? nil : String(tag.prefix(40)) }
        let params = String(decoding: try JSONEncoder().encode(rule.params), as: UTF8.self)
        let db = try req.sql
        let saved = rule
        try await db.transactionally { tx in
            try await tx.delete(from: "alarm_rules").where("key", .equal, key).run()
            try await tx.insert(into: "alarm_rules")
                .columns("key", "severity", "enabled", "params", "tag", "updated_at", "updated_by_name")
                .values(
                    SQLBind(key), SQLBind(saved.severity.rawValue), SQLBind(saved.enabled), SQLBind(params),
                    SQLBind(saved.tag),
                    SQLBind(Date()), SQLBind(p.displayName)
                ).run()
            try await req.zhili.events.publish(AlarmRuleBook.changedEvent, key, on: tx)
        }
        req.application.sensing.rules.forget()
        await req.audit.record(action: "alarm_rule_update", entity: "alarm_rule", entityID: key, detail: params)
        return RuleView(
            key: key, severity: rule.severity.rawValue, enabled: rule.enabled, params: rule.params, tag: rule.tag,
            isDefault: rule == base)
    }

    // MARK: Ingestion over HTTP

    /// The device sending: `X-Device-Key: zd_…`, or HTTP Basic with the device code and key
    /// (what IP cameras are set up with).
    static func device(_ req: Request) async throws -> DeviceIdentity {
        var key = req.headers.first(name: "X-Device-Key")
        var code: String?
        // Cameras that cannot sign their pushes are given the key in the address they post to.
        if key == nil, req.url.path.hasSuffix("/camera"), let k = try? req.query.get(String.self, at: "key") {
            key = k
        }
        if key == nil, let basic = req.headers.basicAuthorization {
            key = basic.password
            code = basic.username
        }
        guard let key, !key.isEmpty, key.count <= 100,
            let identity = try await req.application.sensing.keys.identify(key, on: req.readSQL),
            code == nil || code == identity.code
        else {
            SensingIngest.reject("unauthenticated")
            throw AppError(
                .unauthorized, code: "device_unauthenticated", zh: "设备凭证无效或已吊销",
                en: "Invalid or revoked device credential")
        }
        return identity
    }

    @Sendable static func ingestOne(req: Request) async throws -> SensingIngest.Receipt {
        let identity = try await device(req)
        let event = try decode(req, SensingWire.Event.self)
        let incoming = try SensingWire.incoming([event], now: Date())
        return try await req.application.sensing.ingest.submit(.init(device: identity, events: incoming))
    }

    @Sendable static func figures(req: Request) async throws -> SensingFigures.Report {
        try await SensingFigures.report(req)
    }

    @Sendable static func ingestCamera(req: Request) async throws -> SensingIngest.Receipt {
        let identity = try await device(req)
        guard identity.kind == .camera else {
            SensingIngest.reject("unauthenticated")
            throw AppError(
                .forbidden, code: "not_a_camera", zh: "此接口只接收摄像机的事件", en: "This endpoint takes cameras' events only")
        }
        guard let body = req.body.data, body.readableBytes > 0 else {
            SensingIngest.reject("malformed")
            throw AppError.invalid("body", zh: "请求体为空", en: "Empty body")
        }
        let (alert, pictures) = try CameraAlert.parseWithPictures(body, contentType: req.headers.contentType)
        let (events, unsupported) = CameraAlert.events(alert, now: Date())
        if unsupported { SensingIngest.reject("unsupported") }
        let incoming = try SensingWire.incoming(events, now: Date(), judgedByCamera: true)
        let receipt = try await req.application.sensing.ingest.submit(.init(device: identity, events: incoming))
        // The answer waits for the pictures too, so the camera has no reason to send them again.
        await AlarmSnapshots.keep(pictures, for: receipt, req: req)
        return receipt
    }

    @Sendable static func ingestBatch(req: Request) async throws -> SensingIngest.Receipt {
        let identity = try await device(req)
        let batch = try decode(req, SensingWire.Batch.self)
        guard (1...SensingWire.maxBatch).contains(batch.events.count) else {
            SensingIngest.reject("oversized")
            throw AppError.invalid(
                "events", zh: "每批 1–\(SensingWire.maxBatch) 条事件", en: "A batch holds 1–\(SensingWire.maxBatch) events")
        }
        let incoming = try SensingWire.incoming(batch.events, now: Date())
        return try await req.application.sensing.ingest.submit(.init(device: identity, events: incoming))
    }

    private static func decode<T: Decodable>(_ req: Request, _ type: T.Type) throws -> T {
        guard let body = req.body.data else {
            SensingIngest.reject("malformed")
            throw AppError.invalid("body", zh: "请求体为空", en: "Empty body")
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            SensingIngest.reject("malformed")
            throw AppError(
                .badRequest, code: "malformed_event", zh: "事件格式错误（应为 JSON）", en: "Malformed event (JSON expected)")
        }
    }
}
