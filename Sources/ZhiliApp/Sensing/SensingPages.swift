import Foundation
import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The pages of sensing: the alarm console (live: new alarms appear, critical ones flash and
/// sound), an alarm with what a responder needs and its timeline, the device registry, and
/// the rules for administrators.
enum SensingPages {
    static func register(_ app: Application) {
        app.get("alarms", use: console)
        app.get("alarms", ":id", use: detail)
        app.post("alarms", ":id", "act", use: act)
        app.get("devices", use: devices)
        app.get("alarm-rules", use: rules)
        app.get("alarm-figures", use: figures)
        app.post("alarm-rules", ":key", use: saveRule)
    }

    static func staff(_ req: Request) throws -> Principal {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        return p
    }

    static func severityTag(_ t: Localizer, _ raw: String) -> Component {
        Span(t.name(AlarmSeverity.self, raw)).class("sev sev-\(raw)")
    }

    /// One row of the console (the script builds the same from live events).
    static func row(_ t: Localizer, _ a: AlarmDesk.View) -> [Component] {
        [
            severityTag(t, a.severity),
            Link(t.lang == .zh ? a.title : a.titleEn, url: "/alarms/\(a.id.uuidString)"),
            Text(a.place ?? "—"),
            Text(DisplayTime.minutes(a.firstAt) + (a.count > 1 ? " ×\(a.count)" : "")),
            Span(t.name(AlarmStatus.self, a.status)).class("status status-\(a.status)"),
        ]
    }

    /// `?open=1` (the to-do line's link) shows the open alarms only.
    @Sendable static func console(req: Request) async throws -> Response {
        let p = try staff(req)
        let openOnly = (try? req.query.get(String.self, at: "open")) == "1"
        let t = Localizer(req)
        let ladder = req.zhili.config.alarmLadder
        let db = try req.readSQL
        let open = try await AlarmDesk.list(.init(open: true, limit: 200), for: p, on: db).map {
            AlarmDesk.View($0, ladder: ladder)
        }
        let closed =
            openOnly
            ? []
            : try await AlarmDesk.list(.init(open: false, limit: 20), for: p, on: db).map {
                AlarmDesk.View($0, ladder: ladder)
            }
        let counts = try await DeviceRegistry.counts(for: p, on: db)
        let critical = open.filter { $0.severity == AlarmSeverity.critical.rawValue }.count
        let waiting = open.filter { $0.status == AlarmStatus.raised.rawValue }.count
        let columns = [
            t("sensing.col.severity"), t("sensing.col.alarm"), t("sensing.col.place"), t("sensing.col.time"),
            t("sensing.col.status"),
        ]
        return PageShell(request: req, title: t("sensing.console"), active: "alarms", scripts: ["/assets/alarms.js"])
            .render {
                Div {
                    H1(t("sensing.console"))
                    Paragraph(t("sensing.console-hint")).class("muted")
                    Div {
                        Span(t("sensing.live-off")).class("live-state").attribute(named: "id", value: "live-state")
                        Button { Text(t("sensing.sound-on")) }.attribute(named: "type", value: "button")
                            .attribute(named: "id", value: "sound-toggle").class("link-button")
                    }.class("live-bar")
                }.class("page-head")
                Div {
                    StatCard(
                        value: "\(open.count)", label: t("sensing.open-alarms"), tone: open.isEmpty ? "ok" : "warn")
                    StatCard(value: "\(critical)", label: t("sensing.critical-open"), tone: critical > 0 ? "bad" : "ok")
                    StatCard(value: "\(waiting)", label: t("sensing.unanswered"), tone: waiting > 0 ? "bad" : "ok")
                    StatCard(
                        value: "\(counts.online)/\(counts.online + counts.offline)", label: t("sensing.devices-online"),
                        url: "/devices", tone: counts.offline > 0 ? "warn" : "ok")
                }.class("stats alarm-stats")
                H2(t("sensing.open-alarms"))
                Div {
                    DataTable(
                        columns: columns, rows: open.map { row(t, $0) },
                        empty: EmptyState(title: t("sensing.no-open-alarms"), hint: t("sensing.no-open-alarms-hint")),
                        classes: "alarms-open")
                }.attribute(named: "id", value: "open-alarms").attribute(
                    named: "data-columns", value: columns.joined(separator: "|"))
                if !openOnly {
                    H2(t("sensing.recently-closed"))
                    DataTable(
                        columns: columns, rows: closed.map { row(t, $0) },
                        empty: EmptyState(title: t("sensing.none-closed")))
                }
            }
    }

    @Sendable static func detail(req: Request) async throws -> Response {
        let p = try staff(req)
        let t = Localizer(req)
        let row = try await AlarmDesk.readable(req, try SensingRoutes.id(req))
        let ladder = req.zhili.config.alarmLadder
        let a = AlarmDesk.View(row, ladder: ladder)
        let db = try req.readSQL
        let timeline = try await AlarmDesk.timeline(row.id, on: db)
        var device: DeviceRegistry.Row?
        if let id = row.device_id { device = try await DeviceRegistry.find(id, on: db) }
        // What a responder needs of the person: who, where, tags, contacts, care; the read is audited.
        var responder: AlarmResponder?
        if let rid = row.resident_id {
            responder = try await AlarmResponder.load(rid, on: db)
            await req.audit.record(
                action: "alarm_person_read", entity: "resident", entityID: rid.uuidString, detail: "alarm \(row.id)")
        }
        let person = responder?.person
        let tags = responder?.tags ?? []
        let address = responder?.address
        let contacts = responder?.contacts ?? []
        let plans = responder?.plans ?? []
        let onDuty = try await AlarmResponder.onDuty(node: row.node_code, on: db)
        let roster = try await DutyShifts.onDuty(for: row.node_code, on: db).prefix(5)
        let snapshots = try await AlarmSnapshots.list(row.id, on: db)
        let csrf = req.csrfToken ?? ""
        let status = AlarmStatus(rawValue: row.status) ?? .raised
        // Leaf categories a work order may take (the complaints' own list).
        let all = try await ComplaintCategories.cached(req.complaints.categories, on: req.sql)
        let parents = Set(all.compactMap(\.parentCode))
        let categories = all.filter { $0.active && !parents.contains($0.code) && $0.parentCode != nil }
        return PageShell(request: req, title: t("sensing.alarm"), active: "alarms", scripts: ["/assets/alarms.js"])
            .render {
                Div {
                    H1(t.lang == .zh ? a.title : a.titleEn)
                    Paragraph {
                        severityTag(t, a.severity)
                        Text(" ")
                        Span(t.name(AlarmStatus.self, a.status)).class("status status-\(a.status)")
                        Text(" · " + t.name(AlarmRuleKey.self, a.rule))
                    }
                }.class("page-head").attribute(named: "data-alarm", value: a.id.uuidString)
                Element(name: "dl") {
                    field(t("sensing.col.place"), a.place ?? "—")
                    field(t("sensing.first-at"), DisplayTime.minutes(a.firstAt))
                    field(t("sensing.last-at"), DisplayTime.minutes(a.lastAt) + (a.count > 1 ? " ×\(a.count)" : ""))
                    field(t("sensing.level"), t("sensing.level.\(a.level)"))
                    if let by = a.acknowledgedBy, let s = a.secondsToAcknowledge {
                        field(t("sensing.acknowledged"), t("sensing.acknowledged-by-0-in-1", by, s))
                    }
                    if let to = a.dispatchedTo, a.complaintID == nil { field(t("sensing.dispatched-to"), to) }
                    if let complaint = a.complaintID {
                        Element(name: "dt") { Text(t("sensing.work-order")) }
                        Element(name: "dd") {
                            Link(a.dispatchedTo ?? complaint.uuidString, url: "/complaints/\(complaint.uuidString)")
                        }
                    }
                    if let outcome = a.outcome { field(t("sensing.outcome"), outcome) }
                    if let device {
                        field(
                            t("sensing.device"),
                            t("sensing.device-0-1-2", device.name, device.code, t.name(DeviceKind.self, device.kind)))
                    }
                }.class("fields")
                if let person {
                    H2(t("sensing.person"))
                    Element(name: "dl") {
                        field(
                            t("sensing.person-name"),
                            ResidentViews.name(
                                person.name, birthDate: person.birth_date, for: p,
                                currentYear: Calendar(identifier: .gregorian).component(.year, from: Date())))
                        field(t("sensing.address"), address ?? person.household_code)
                        field(t("sensing.door-code"), person.household_code)
                        if let phone = person.phone_masked { field(t("sensing.phone"), phone) }
                        field(
                            t("sensing.tags"),
                            tags.isEmpty
                                ? "—"
                                : tags.map { RegistryPages.tagName(t, $0) }.joined(separator: t("sensing.separator")))
                    }.class("fields")
                    Link(t("sensing.open-record"), url: "/residents/\(person.id.uuidString)").class("button")
                    H2(t("sensing.contacts"))
                    if contacts.isEmpty {
                        Paragraph(t("sensing.no-contacts")).class("muted")
                    } else {
                        Element(name: "ul") {
                            for c in contacts {
                                Element(name: "li") {
                                    Text(t("sensing.contact-0-1-2", c.name, c.relation, c.phone_masked) + " ")
                                    // While the alarm is open the responder may call: the number in full.
                                    if status.isOpen, let phone = try? req.zhili.cipher.decrypt(c.phone_enc) {
                                        Link(t("sensing.call"), url: "tel:\(phone)").class("button call")
                                    }
                                }
                            }
                        }.class("contacts")
                    }
                    if !plans.isEmpty {
                        H2(t("sensing.care-plan"))
                        Element(name: "dl") {
                            for plan in plans {
                                field(
                                    RegistryPages.tagName(t, plan.tag),
                                    [
                                        plan.every.map { t("sensing.care-0-days", $0) },
                                        plan.lastVisit.map { t("sensing.last-visit") + " " + DisplayTime.day($0) },
                                        plan.helper.map { t("sensing.helper") + " " + $0 },
                                        plan.responsible.map { t("sensing.responsible") + " " + $0 },
                                    ].compactMap { $0 }.joined(separator: t("sensing.separator")))
                            }
                        }.class("fields")
                    }
                }
                if !roster.isEmpty {
                    Paragraph(
                        t(
                            "sensing.roster-0",
                            roster.map { t("sensing.roster-person-0-1", $0.display_name, $0.node_name ?? $0.node_code) }
                                .joined(separator: t("sensing.separator")))
                    ).class("on-duty")
                }
                if !onDuty.isEmpty {
                    Paragraph(t("sensing.on-duty-0", onDuty.joined(separator: t("sensing.separator")))).class(
                        "muted")
                }
                if let lat = a.lat, let lon = a.lon {
                    Paragraph(t("sensing.position-0-1", String(format: "%.5f", lat), String(format: "%.5f", lon)))
                        .class("muted small")
                }
                if !snapshots.isEmpty {
                    H2(t("sensing.snapshots"))
                    Div {
                        for photo in snapshots {
                            Link(url: "/api/v1/alarms/\(a.id.uuidString)/photos/\(photo.id.uuidString)") {
                                Image(
                                    url: "/api/v1/alarms/\(a.id.uuidString)/photos/\(photo.id.uuidString)?size=thumb",
                                    description: t("sensing.snapshot-0", DisplayTime.minutes(photo.createdAt))
                                ).class("thumb")
                                Span(DisplayTime.minutes(photo.createdAt)).class("small muted")
                            }.class("photo")
                        }
                    }.class("photo-strip")
                }
                if status.isOpen {
                    H2(t("sensing.handle"))
                    Div {
                        for action in AlarmAction.allCases where action.next(from: status) != nil {
                            Form(url: "/alarms/\(a.id.uuidString)/act", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: csrf)
                                Input(type: .hidden, name: "action", value: action.rawValue)
                                if action == .dispatch {
                                    Element(name: "label") {
                                        Text(t("sensing.dispatch-to"))
                                        Element(name: "select") {
                                            for to in ["grid", "volunteer", "department"] {
                                                Element(name: "option") { Text(t("sensing.to.\(to)")) }.attribute(
                                                    named: "value", value: to)
                                            }
                                        }.attribute(named: "name", value: "to")
                                    }
                                    Element(name: "label") {
                                        Text(t("sensing.assignee"))
                                        Input(type: .text, name: "assignee").attribute(
                                            named: "required", value: "required"
                                        )
                                        .attribute(named: "maxlength", value: "60")
                                    }
                                }
                                if action == .resolve || action == .markFalse || action == .dispatch {
                                    Element(name: "label") {
                                        Text(t("sensing.note"))
                                        Input(type: .text, name: "note").attribute(named: "maxlength", value: "500")
                                            .attribute(
                                                named: action == .dispatch ? "data-optional" : "required",
                                                value: "required")
                                    }
                                }
                                Button { Text(t.name(action)) }.attribute(named: "type", value: "submit").class(
                                    action == .acknowledge ? "primary" : "")
                            }.class("alarm-action")
                        }
                        if AlarmAction.dispatch.next(from: status) != nil, a.lat != nil, !categories.isEmpty {
                            Form(url: "/alarms/\(a.id.uuidString)/act", method: .post) {
                                Input(type: .hidden, name: "_csrf", value: csrf)
                                Input(type: .hidden, name: "action", value: AlarmAction.dispatch.rawValue)
                                Input(type: .hidden, name: "to", value: "work_order")
                                Element(name: "label") {
                                    Text(t("sensing.category"))
                                    Element(name: "select") {
                                        for c in categories {
                                            Node<HTML.BodyContext>.element(
                                                named: "option",
                                                nodes: [
                                                    .attribute(named: "value", value: c.code),
                                                    c.code == AlarmWorkOrder.defaultCategory
                                                        ? .attribute(named: "selected", value: "selected") : .empty,
                                                    .text(t.lang == .zh ? c.nameZh : c.nameEn),
                                                ])
                                        }
                                    }.attribute(named: "name", value: "category")
                                }
                                Element(name: "label") {
                                    Text(t("sensing.note"))
                                    Input(type: .text, name: "note").attribute(named: "maxlength", value: "500")
                                }
                                Button { Text(t("sensing.to-work-order")) }.attribute(named: "type", value: "submit")
                            }.class("alarm-action work-order")
                        }
                    }.class("alarm-actions")
                }
                H2(t("sensing.timeline"))
                Element(name: "ol") {
                    for s in timeline {
                        Element(name: "li") {
                            Span(DisplayTime.minutes(s.at)).class("muted small")
                            Text(" " + t("sensing.step.\(s.action)"))
                            if let who = s.actorName { Text(" · " + who) }
                            if let note = s.note { Paragraph(note).class("small") }
                        }
                    }
                }.class("timeline")
            }
    }

    static func field(_ label: String, _ value: String) -> Component {
        ComponentGroup {
            Element(name: "dt") { Text(label) }
            Element(name: "dd") { Text(value) }
        }
    }

    @Sendable static func act(req: Request) async throws -> Response {
        let p = try staff(req)
        let id = try SensingRoutes.id(req)
        let row = try await AlarmDesk.readable(req, id)
        struct Form: Decodable {
            var action: String?
            var note: String?
            var to: String?
            var assignee: String?
            var category: String?
        }
        let f = try req.content.decode(Form.self)
        let input = AlarmDesk.ActionInput(
            action: f.action, note: f.note.flatMap { $0.isEmpty ? nil : $0 }, to: f.to, assignee: f.assignee,
            category: f.category)
        _ = try await AlarmDesk.act(
            id, input, by: p, on: req.sql, ladder: req.zhili.config.alarmLadder,
            workOrder: try await SensingRoutes.workOrder(req, row, input, by: p))
        req.notifications.dispatcher.wake()
        await req.audit.record(action: "alarm_" + (f.action ?? "act"), entity: "alarm", entityID: id.uuidString)
        return WebResponse.redirect("/alarms/\(id.uuidString)")
    }
}
