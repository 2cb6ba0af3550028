import Foundation
import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The device registry page and the rules page for administrators.
extension SensingPages {
    @Sendable static func devices(req: Request) async throws -> Response {
        let p = try staff(req)
        let t = Localizer(req)
        struct Q: Decodable {
            var kind: String?
            var online: String?
        }
        let q = try req.query.decode(Q.self)
        var f = DeviceRegistry.Filter()
        f.kind = q.kind.flatMap(DeviceKind.init(rawValue:))
        f.online = q.online == "1" ? true : q.online == "0" ? false : nil
        f.limit = 500
        let db = try req.readSQL
        let list = try await DeviceRegistry.list(f, for: p, on: db)
        let counts = try await DeviceRegistry.counts(for: p, on: db)
        return PageShell(request: req, title: t("sensing.devices"), active: "devices").render {
            Div {
                H1(t("sensing.devices"))
                Paragraph(t("sensing.devices-hint")).class("muted")
            }.class("page-head")
            Div {
                StatCard(value: "\(counts.total)", label: t("sensing.devices-total"), url: "/devices")
                StatCard(value: "\(counts.online)", label: t("sensing.online"), url: "/devices?online=1", tone: "ok")
                StatCard(
                    value: "\(counts.offline)", label: t("sensing.offline"), url: "/devices?online=0",
                    tone: counts.offline > 0 ? "bad" : "ok")
            }.class("stats")
            Form(url: "/devices", method: .get) {
                Choice(
                    label: t("sensing.col.kind"), name: "kind",
                    options: DeviceKind.allCases.map { ($0.rawValue, t.name($0)) }, selected: f.kind?.rawValue,
                    none: t("sensing.any"))
                Button { Text(t("sensing.filter")) }.attribute(named: "type", value: "submit")
            }.class("filters")
            DataTable(
                columns: [
                    t("sensing.col.code"), t("sensing.col.name"), t("sensing.col.kind"), t("sensing.col.place"),
                    t("sensing.col.state"), t("sensing.col.last-seen"), t("sensing.col.battery"),
                ],
                rows: list.map { d in
                    [
                        Text(d.code), Text(d.name), Text(t.name(DeviceKind.self, d.kind)), Text(d.place ?? "—"),
                        Span(
                            d.status == "revoked"
                                ? t("sensing.revoked") : d.online ? t("sensing.online") : t("sensing.offline")
                        ).class(d.status == "revoked" ? "status" : d.online ? "status ok" : "status bad"),
                        Text(d.lastSeenAt.map { DisplayTime.minutes($0) } ?? t("sensing.never")),
                        Text(d.battery.map { "\($0)%" } ?? "—"),
                    ]
                },
                empty: EmptyState(title: t("sensing.no-devices"), hint: t("sensing.no-devices-hint")))
        }
    }

    @Sendable static func rules(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let t = Localizer(req)
        let current = try await AlarmRuleBook.read(on: req.readSQL)
        let csrf = req.csrfToken ?? ""
        return PageShell(request: req, title: t("sensing.rules"), active: "alarm-rules").render {
            Div {
                H1(t("sensing.rules"))
                Paragraph(t("sensing.rules-hint")).class("muted")
            }.class("page-head")
            for rule in current {
                Form(url: "/alarm-rules/\(rule.key)", method: .post) {
                    Input(type: .hidden, name: "_csrf", value: csrf)
                    H2(t.name(AlarmRuleKey.self, rule.key))
                    Choice(
                        label: t("sensing.col.severity"), name: "severity",
                        options: AlarmSeverity.allCases.map { ($0.rawValue, t.name($0)) },
                        selected: rule.severity.rawValue)
                    if rule.key != "sos" {
                        Element(name: "label") {
                            Input(type: .checkbox, name: "enabled", value: "1").attribute(
                                named: "checked", value: rule.enabled ? "checked" : "", ignoreValueIfEmpty: true)
                            Text(" " + t("sensing.enabled"))
                        }
                    }
                    for (name, value) in rule.params.sorted(by: { $0.key < $1.key }) {
                        Element(name: "label") {
                            Text(t("sensing.param.\(name)"))
                            Input(type: .number, name: "param.\(name)", value: String(format: "%g", value))
                                .attribute(named: "step", value: "any").attribute(named: "min", value: "0")
                        }
                    }
                    Button { Text(t("sensing.save")) }.attribute(named: "type", value: "submit")
                }.class("card rule")
            }
        }
    }

    @Sendable static func saveRule(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        guard let key = req.parameters.get("key"), let base = AlarmRules.defaults.first(where: { $0.key == key }) else {
            throw AppError.notFound(entity: "alarm rule")
        }
        let form = try req.content.decode([String: String].self)
        var params: [String: Double] = [:]
        for name in base.params.keys {
            if let text = form["param.\(name)"], let v = Double(text) { params[name] = v }
        }
        // The API's checks and writing, reached with the form's values.
        let body = SensingRoutes.RuleInput(
            severity: form["severity"], enabled: key == "sos" ? nil : form["enabled"] == "1", params: params, tag: nil)
        try await SensingRoutes.save(key: key, body, req: req, by: p)
        return WebResponse.redirect("/alarm-rules")
    }
}
