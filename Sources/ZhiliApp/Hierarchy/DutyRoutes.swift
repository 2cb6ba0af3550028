import Foundation
import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The duty roster through the API (`/api/v1/duty-shifts`) and its page (`/duty`).
enum DutyRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "duty-shifts")
        api.get(use: list)
        api.post(use: create)
        api.get("on-duty", use: onDuty)
        api.delete(":id", use: delete)
        app.get("duty", use: page)
        app.post("duty", use: pageCreate)
        app.post("duty", ":id", "delete", use: pageDelete)
    }

    /// Who keeps the roster: community staff and street officials for their area, administrators.
    static func keeper(_ req: Request) throws -> Principal {
        try req.requireRole(.communityStaff, .streetOfficial)
    }

    static func staff(_ req: Request) throws -> Principal {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        return p
    }

    struct Shifts: Content {
        let shifts: [DutyShifts.View]
    }

    struct Window: Decodable {
        var from: String?
        var to: String?
    }

    /// The shifts of the viewer's area that run in a window (default: now and the next 7 days).
    @Sendable static func list(req: Request) async throws -> Shifts {
        let p = try staff(req)
        let w = try req.query.decode(Window.self)
        let from = try QueryValue.instant(w.from, field: "from") ?? Date()
        let to = try QueryValue.instant(w.to, field: "to") ?? from.addingTimeInterval(7 * 24 * 3600)
        guard to > from, to.timeIntervalSince(from) <= 62 * 24 * 3600 else {
            throw AppError.invalid("to", zh: "查询区间应在 62 天以内且结束晚于开始", en: "to must follow from, within 62 days")
        }
        let rows = try await DutyShifts.list(for: p, from: from, to: to, on: try req.readSQL)
        return Shifts(shifts: rows.map(\.view))
    }

    struct OnDuty: Content {
        let node: String
        let onDuty: [DutyShifts.View]
    }

    /// Who answers for a node now, nearest first.
    @Sendable static func onDuty(req: Request) async throws -> OnDuty {
        let p = try staff(req)
        guard let node = try? req.query.get(String.self, at: "node"), (try? HierarchyCode(validating: node)) != nil
        else {
            throw AppError.invalid("node", zh: "请提供节点编码 node", en: "node (a hierarchy code) is required")
        }
        guard p.scope.allows(code: node) else { throw AppError.forbidden }
        let rows = try await DutyShifts.onDuty(for: node, on: try req.readSQL)
        return OnDuty(node: node, onDuty: rows.map(\.view))
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let p = try keeper(req)
        let input = try req.content.decode(DutyShifts.Input.self)
        let view = try await DutyShifts.create(input, by: p, on: req.sql)
        await req.audit.record(action: "duty_shift_create", entity: "duty_shift", entityID: view.id.uuidString)
        return try await view.encodeResponse(status: .created, for: req)
    }

    static func id(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    @Sendable static func delete(req: Request) async throws -> HTTPStatus {
        let p = try keeper(req)
        let row = try await DutyShifts.readable(try id(req), for: p, on: req.sql)
        try await DutyShifts.delete(row.id, on: req.sql)
        await req.audit.record(action: "duty_shift_delete", entity: "duty_shift", entityID: row.id.uuidString)
        return .noContent
    }

    @Sendable static func pageCreate(req: Request) async throws -> Response {
        let p = try keeper(req)
        struct Form: Decodable {
            var userID: String?
            var nodeCode: String?
            var startsAt: String?
            var endsAt: String?
            var note: String?
        }
        let f = try req.content.decode(Form.self)
        let input = DutyShifts.Input(
            userID: f.userID.flatMap(UUID.init(uuidString:)), nodeCode: f.nodeCode,
            startsAt: f.startsAt.map(formInstant), endsAt: f.endsAt.map(formInstant), note: f.note)
        let view = try await DutyShifts.create(input, by: p, on: req.sql)
        await req.audit.record(action: "duty_shift_create", entity: "duty_shift", entityID: view.id.uuidString)
        return WebResponse.redirect("/duty")
    }

    /// A form's `datetime-local` value (Beijing time) as the API's ISO 8601; anything else is
    /// passed on as it is, to be refused with the API's message.
    static func formInstant(_ value: String) -> String {
        guard let date = DisplayTime.parseInput(value) else { return value }
        return ISO8601DateFormatter().string(from: date)
    }

    @Sendable static func pageDelete(req: Request) async throws -> Response {
        let p = try keeper(req)
        let row = try await DutyShifts.readable(try id(req), for: p, on: req.sql)
        try await DutyShifts.delete(row.id, on: req.sql)
        await req.audit.record(action: "duty_shift_delete", entity: "duty_shift", entityID: row.id.uuidString)
        return WebResponse.redirect("/duty")
    }
}
