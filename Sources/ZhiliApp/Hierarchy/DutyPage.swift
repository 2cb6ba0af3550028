import Foundation
import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The duty roster's page (`/duty`): who answers for each place of the viewer's area now,
/// then one day's shifts (`?day=2026-12-04`, Beijing days, today by default) with the days
/// before and after a tap away; keepers of the roster add and remove shifts here.
extension DutyRoutes {
    /// At most this many places in the "on duty now" list (a street's official sees their
    /// communities and the street, not every grid).
    static let summaryLimit = 40

    @Sendable static func page(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        let db = try req.readSQL
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BeijingMonth.zone
        let day =
            (try? req.query.get(String.self, at: "day")).flatMap { DisplayTime.parseInput($0 + "T00:00") }
            .map { calendar.startOfDay(for: $0) } ?? calendar.startOfDay(for: now)
        let next = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86400)
        let previous = calendar.date(byAdding: .day, value: -1, to: day) ?? day.addingTimeInterval(-86400)
        let shifts = try await DutyShifts.list(for: p, from: day, to: next, on: db)
        let mayKeep = p.role == .admin || p.role == .communityStaff || p.role == .streetOfficial
        let people = mayKeep ? try await DutyShifts.candidates(for: p, on: db) : []
        let places = try await summaryNodes(for: p, on: db)
        var current: [(String, [DutyShifts.Row])] = []
        for place in places {
            current.append((place.text, try await DutyShifts.onDuty(for: place.value, at: now, on: db)))
        }
        let nodes = mayKeep ? try await dutyNodes(for: p, on: db) : []
        let csrf = req.csrfToken ?? ""
        let dayText = DisplayTime.day(day)
        return PageShell(request: req, title: t("hierarchy.duty"), active: "duty").render {
            Div {
                H1(t("hierarchy.duty"))
                Paragraph(t("hierarchy.duty-hint")).class("muted")
            }.class("page-head")
            H2(t("hierarchy.duty-now"))
            DataTable(
                columns: [t("hierarchy.duty-col.node"), t("hierarchy.duty-col.person")],
                rows: current.map { place, on in
                    [
                        Text(place),
                        on.isEmpty
                            ? Span(t("hierarchy.duty-nobody")).class("status bad")
                            : Text(
                                on.prefix(2).map {
                                    t("hierarchy.duty-person-0-1", $0.display_name, $0.node_name ?? $0.node_code)
                                }
                                .joined(separator: t("hierarchy.separator"))),
                    ]
                },
                empty: EmptyState(title: t("hierarchy.duty-none"), hint: t("hierarchy.duty-none-hint")))
            Div {
                Link(t("hierarchy.duty-previous"), url: "/duty?day=\(DisplayTime.day(previous))").class("button")
                H2(t("hierarchy.duty-day-0", dayText))
                Link(t("hierarchy.duty-next"), url: "/duty?day=\(DisplayTime.day(next))").class("button")
            }.class("day-nav")
            DataTable(
                columns: [
                    t("hierarchy.duty-col.time"), t("hierarchy.duty-col.node"), t("hierarchy.duty-col.person"),
                    t("hierarchy.duty-col.note"), "",
                ],
                rows: shifts.map { s in
                    [
                        Span(DisplayTime.minutes(s.starts_at) + " – " + DisplayTime.minutes(s.ends_at)).class(
                            s.shift.covers(now) ? "status ok" : ""),
                        Text(s.node_name ?? s.node_code),
                        Text(s.display_name + " · " + t.name(Role.self, s.role)),
                        Text(s.note ?? "—"),
                        mayKeep
                            ? Form(url: "/duty/\(s.id.uuidString)/delete", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: csrf)
                                Button { Text(t("hierarchy.duty-remove")) }.attribute(named: "type", value: "submit")
                                    .class("link-button")
                            }.class("inline") : Text(""),
                    ]
                },
                empty: EmptyState(title: t("hierarchy.duty-none-day"), hint: t("hierarchy.duty-none-hint")))
            if mayKeep {
                Form(url: "/duty", method: .post) {
                    Input(type: .hidden, name: "_csrf", value: csrf)
                    H2(t("hierarchy.duty-add"))
                    Choice(
                        label: t("hierarchy.duty-col.person"), name: "userID",
                        options: people.map { ($0.0.uuidString, $0.1 + " · " + t.name(Role.self, $0.2)) },
                        required: true)
                    Choice(label: t("hierarchy.duty-col.node"), name: "nodeCode", options: nodes, required: true)
                    Label(t("hierarchy.duty-starts")) {
                        Input(type: .datetimeLocal, name: "startsAt", value: DisplayTime.input(now)).attribute(
                            named: "required", value: "required")
                    }
                    Label(t("hierarchy.duty-ends")) {
                        Input(
                            type: .datetimeLocal, name: "endsAt",
                            value: DisplayTime.input(now.addingTimeInterval(12 * 3600))
                        ).attribute(named: "required", value: "required")
                    }
                    Label(t("hierarchy.duty-col.note")) {
                        Input(type: .text, name: "note").attribute(named: "maxlength", value: "200")
                    }
                    Button { Text(t("hierarchy.duty-save")) }.attribute(named: "type", value: "submit")
                }.class("card stack duty-form")
            }
        }
    }

    /// The places of "on duty now": the viewer's own node and the level below it (a grid
    /// worker: their grid; community staff: the community and its grids; a street: the street
    /// and its communities; the city or administrators: the streets).
    static func summaryNodes(for p: Principal, on db: any SQLDatabase) async throws -> [(value: String, text: String)] {
        struct N: Decodable {
            let code: String
            let name: String
        }
        let own = p.nodeCode ?? ""
        let levels = [NodeLevel.street, .community, .grid].map(\.rawValue)
        let query = db.select().columns("code", "name").from("nodes").where("level", .in, levels)
        if let level = NodeLevel(codeLength: own.count), let child = level.child, p.role != .admin {
            query.where { w in
                w.where("code", .equal, own).orWhere { c in
                    c.where("parent_code", .equal, own).where("level", .equal, child.rawValue)
                }
            }
        } else {
            query.where("level", .equal, NodeLevel.street.rawValue)
        }
        return try await query.orderBy("code").limit(summaryLimit).all(decoding: N.self).map {
            (value: $0.code, text: $0.name)
        }
    }

    /// The grids, communities and streets of the viewer's area (the form's choice of node).
    static func dutyNodes(for p: Principal, on db: any SQLDatabase) async throws -> [(value: String, text: String)] {
        struct N: Decodable {
            let code: String
            let name: String
        }
        let levels = [NodeLevel.street, .community, .grid].map(\.rawValue)
        return try await db.select().columns("code", "name").from("nodes").where("level", .in, levels)
            .scoped(p.scope, column: "code").orderBy("code").limit(500).all(decoding: N.self)
            .map { (value: $0.code, text: $0.name) }
    }
}
