import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// The handling page of one complaint: what was reported, where, by whom, its photos and
/// timeline, and the actions this person may take now, the usual next step first.
extension ComplaintPages {
    @Sendable static func detail(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        let t = Localizer(req)
        let id = try ComplaintInput.id(req.parameters.get("id"))
        let row = try await ComplaintFollowers.readable(req, p, id: id)
        let c = try await ComplaintDesk(req).dto(id, viewer: p, timeline: true)
        let allCategories = try await ComplaintCategories.cached(req.complaints.categories, on: req.sql)
        let categories = allCategories.filter { $0.active && $0.parentCode != nil }
        let category = allCategories.first { $0.code == row.category_code }
        let templates = ComplaintCategories.filledTemplates(category, for: row)
        let may: (String) -> Bool = { action in
            guard let party = ComplaintWorkflow.parties[action], ComplaintWorkflow.mayAct(p, as: party, on: row),
                let a = try? ComplaintWorkflow.action(
                    ComplaintWorkflow.Input(
                        action: action, reason: "x", hours: 24, approved: true, score: 5, into: UUID()))
            else { return false }
            return (try? ComplaintLifecycle.next(from: row.status, action: a, resolvedAt: row.resolved_at, now: Date()))
                != nil
        }
        let csrf = req.csrfToken ?? ""
        func form(
            _ action: String, _ label: String, primary: Bool = false,
            @ComponentBuilder fields: @escaping () -> Component = { EmptyComponent() }
        ) -> Component {
            Form(url: "/complaints/\(id.uuidString)/act", method: .post) {
                Input(type: .hidden, name: "_csrf", value: csrf)
                Input(type: .hidden, name: "action", value: action)
                fields()
                Button { Text(label) }.attribute(named: "type", value: "submit").class(primary ? "primary" : "")
            }.class("inline filters")
        }
        let place = try await Self.placeName(of: row, on: req.sql)
        var suggestion: ComplaintDispatch.Handler?
        var candidates: [Candidate] = []
        if may("accept") {
            suggestion = try await ComplaintDispatch(db: req.sql).choose(for: row, explicit: nil, by: p)
        }
        if may("accept") || may("reassign") { candidates = try await Self.handlerCandidates(for: row, on: req.sql) }
        func handlerSelect(suggested: ComplaintDispatch.Handler?) -> Component {
            Label(t("complaints.handler-choice")) {
                Element(name: "select") {
                    if let s = suggested {
                        Node<HTML.BodyContext>.element(
                            named: "option",
                            nodes: [
                                .attribute(
                                    named: "value", value: s.userID?.uuidString ?? "", ignoreIfValueIsEmpty: false),
                                .text(t("complaints.suggested-handler", s.name, s.reason)),
                            ])
                    }
                    for u in candidates where u.id != suggested?.userID {
                        Node<HTML.BodyContext>.element(
                            named: "option",
                            nodes: [.attribute(named: "value", value: u.id.uuidString), .text(u.display_name)])
                    }
                }.attribute(named: "name", value: "handlerId")
            }
        }
        func reasonField() -> Component {
            Input(type: .text, name: "reason", isRequired: true, placeholder: t("complaints.reason"))
        }
        func noteField(required: Bool, placeholder: String) -> Component {
            Input(type: .text, name: "note", isRequired: required, placeholder: placeholder).attribute(
                named: "list", value: "templates")
        }
        func actionForm(_ action: String) -> Component {
            let help = Paragraph(t("complaints.help.\(action)")).class("muted small")
            switch action {
            case "accept":
                return form("accept", t("complaints.accept-and-dispatch"), primary: true) {
                    help
                    handlerSelect(suggested: suggestion)
                }
            case "reassign":
                return form("reassign", t("complaints.reassign")) {
                    help
                    handlerSelect(suggested: nil)
                }
            case "reject":
                return form("reject", t("complaints.reject")) {
                    help
                    reasonField()
                }
            case "merge":
                return form("merge", t("complaints.merge")) {
                    help
                    Input(type: .text, name: "into", isRequired: true, placeholder: t("complaints.merge-into"))
                }
            case "recategorize":
                return form("recategorize", t("complaints.change-category")) {
                    help
                    Element(name: "select") {
                        for cat in categories {
                            Node<HTML.BodyContext>.element(
                                named: "option",
                                nodes: [
                                    .attribute(named: "value", value: cat.code), .text(t.pick(cat.nameZh, cat.nameEn)),
                                ])
                        }
                    }.attribute(named: "name", value: "categoryCode")
                }
            case "sign": return form("sign", t("complaints.sign-for-it"), primary: true) { help }
            case "contact":
                return form("contact", t("complaints.contacted-the-resident"), primary: true) {
                    help
                    noteField(required: false, placeholder: t("complaints.note"))
                }
            case "progress":
                return form("progress", t("complaints.add-progress")) {
                    help
                    noteField(required: true, placeholder: t("complaints.progress"))
                }
            case "resolve":
                return form("resolve", t("complaints.resolve"), primary: true) {
                    help
                    noteField(required: true, placeholder: t("complaints.result"))
                }
            case "request_extension":
                return form("request_extension", t("complaints.ask-for-more-time")) {
                    help
                    Label(t("complaints.extra-hours")) {
                        Element(name: "select") {
                            for h in [24, 48, 72, 168] {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [.attribute(named: "value", value: "\(h)"), .text(t("complaints.hours", h))])
                            }
                        }.attribute(named: "name", value: "hours")
                    }
                    reasonField()
                }
            case "decide_extension":
                return Div {
                    help
                    form("decide_extension", t("complaints.approve-extension"), primary: true) {
                        Input(type: .hidden, name: "approved", value: "true")
                    }
                    form("decide_extension", t("complaints.refuse-extension")) {
                        Input(type: .hidden, name: "approved", value: "false")
                    }
                }
            case "send_back":
                return form("send_back", t("complaints.send-back")) {
                    help
                    reasonField()
                }
            case "rate":
                return form("rate", t("complaints.rate"), primary: true) {
                    help
                    Label(t("complaints.score")) {
                        Element(name: "select") {
                            for s in [5, 4, 3, 2, 1] {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [
                                        .attribute(named: "value", value: "\(s)"),
                                        .text(t("complaints.score-option", String(repeating: "★", count: s), s)),
                                    ])
                            }
                        }.attribute(named: "name", value: "score")
                    }
                    Input(type: .text, name: "comment", placeholder: t("complaints.comment-optional"))
                }
            case "reopen":
                return form("reopen", t("complaints.not-solved-reopen")) {
                    help
                    reasonField()
                }
            case "return_visit":
                return form("return_visit", t("complaints.return-visit")) {
                    help
                    noteField(required: true, placeholder: t("complaints.note-2"))
                }
            default: return EmptyComponent()
            }
        }
        let config = req.zhili.config
        return PageShell(
            request: req, title: c.number, active: "complaints",
            scripts: [
                "/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/basemap.js",
                "/assets/complaint-spot.js",
            ],
            wide: true
        ).render {
            Div {
                H1("\(c.categoryName) · \(c.number)")
                Paragraph {
                    ComplaintPages.statusBadges(c, t)
                    Text(
                        " \(t("complaints.limit-2")) \(t.name(TimeLimitTier.self, c.tier)) · \(t("complaints.escalation")) "
                            + t.name(EscalationLevel.self, row.escalation_level))
                    if let due = c.resolveBy { Text(" · \(t("complaints.due")) \(DisplayTime.minutes(due))") }
                }.class("muted")
            }.class("page-head")
            Div {
                Div {
                    H3(t("complaints.what-was-reported"))
                    Paragraph(c.text).class("lead")
                    if !c.answers.isEmpty {
                        Element(name: "dl") {
                            for q in category?.questions ?? [] {
                                if let answer = c.answers[q.code] {
                                    Element(name: "dt") { Text(t.pick(q.labelZh, q.labelEn)) }
                                    Element(name: "dd") {
                                        Text(
                                            answer.split(separator: ",").joined(separator: t("platform.list-separator"))
                                        )
                                    }
                                }
                            }
                        }.class("answers")
                    }
                    Div {}.id("complaint-spot").class("map mini-map")
                        .attribute(named: "data-lat", value: String(c.lat))
                        .attribute(named: "data-lon", value: String(c.lon))
                        .attribute(named: "data-tiles", value: config.tileURL ?? "")
                        .attribute(named: "data-attribution", value: config.tileAttribution ?? "")
                    Paragraph {
                        Text(place)
                        Span(" \(c.gridCode)").class("mono small muted")
                        Text(" · " + (c.anonymous ? t("complaints.anonymous") : (c.submitterName ?? "—")))
                    }.class("small")
                    if let n = c.followers, n > 0 {
                        Paragraph(t("complaints.0-more-residents-reported-the", n)).class(
                            "small")
                    }
                    if let h = c.handlerName {
                        Paragraph(
                            t(
                                "complaints.handler-line", h,
                                c.dispatchReason.map { t("platform.parenthesised", $0) } ?? "")
                        ).class(
                            "small")
                    }
                    if let result = c.timeline?.last(where: { $0.action == "resolve" })?.note {
                        Paragraph(t("complaints.result-line", result))
                    }
                    if let r = c.rating {
                        Paragraph(
                            t(
                                "complaints.rating-line",
                                String(repeating: "★", count: r)
                                    + String(repeating: "☆", count: max(0, 5 - r)), r)
                                + (c.ratingComment.map { t("platform.parenthesised", $0) } ?? ""))
                    }
                }.class("card")
                Div {
                    H3(t("complaints.actions"))
                    let allowed = ComplaintPages.actionOrder.filter(may)
                    if allowed.isEmpty {
                        Paragraph(t("complaints.no-action-now")).class("muted small")
                    }
                    if let first = allowed.first { actionForm(first) }
                    if allowed.count > 1 {
                        Element(name: "details") {
                            Element(name: "summary") { Text(t("complaints.other-actions", allowed.count - 1)) }
                            for action in allowed.dropFirst() { actionForm(action) }
                        }.class("more-actions")
                    }
                    if !templates.isEmpty && p.role.isStaff {
                        Paragraph(t("complaints.reply-templates-are-offered-in")).class(
                            "muted small")
                        Element(name: "datalist") {
                            for text in templates {
                                Node<HTML.BodyContext>.element(
                                    named: "option", nodes: [.attribute(named: "value", value: text)])
                            }
                        }.id("templates")
                    }
                }.class("card")
            }.class("cards")
            if !(c.photos ?? []).isEmpty || ComplaintPolicy.mayAddPhotos(p, row) {
                H2(t("complaints.photos"))
                Div {
                    for photo in c.photos ?? [] {
                        Link(url: "/api/v1/complaints/\(id.uuidString)/photos/\(photo.id.uuidString)") {
                            Image(
                                url: "/api/v1/complaints/\(id.uuidString)/photos/\(photo.id.uuidString)?size=thumb",
                                description: Self.stageName(photo.stage, t)
                            ).class("thumb")
                            Span(Self.stageName(photo.stage, t)).class("small muted")
                        }.class("photo")
                    }
                }.class("photo-strip")
                if ComplaintPolicy.mayAddPhotos(p, row) {
                    Form(url: "/complaints/\(id.uuidString)/photos", method: .post, contentType: .multipartData) {
                        Input(type: .hidden, name: "_csrf", value: csrf)
                        Element(name: "select") {
                            for stage in row.status == .submitted ? ["report"] : ["before", "after", "progress"] {
                                Node<HTML.BodyContext>.element(
                                    named: "option",
                                    nodes: [.attribute(named: "value", value: stage), .text(Self.stageName(stage, t))])
                            }
                        }.attribute(named: "name", value: "stage")
                        Input(type: .file, name: "photos[]").attribute(named: "accept", value: "image/jpeg,image/png")
                            .attribute(named: "multiple", value: "multiple")
                            .attribute(named: "required", value: "required")
                        Button { Text(t("complaints.upload-photos")) }.attribute(named: "type", value: "submit")
                    }.class("inline filters")
                }
            }
            H2(t("complaints.timeline"))
            Element(name: "ol") {
                for e in c.timeline ?? [] {
                    ListItem {
                        Span(DisplayTime.minutes(e.at)).class("mono small")
                        Text(" \(Self.eventName(e, t))" + (e.actorName.map { " · \($0)" } ?? ""))
                        if let note = e.note { Span(" — \(note)").class("muted") }
                    }
                }
            }.class("timeline")
        }
    }

    /// The actions in the order they are offered: the usual next step first.
    static let actionOrder = [
        "accept", "sign", "contact", "resolve", "rate", "decide_extension", "return_visit", "progress",
        "request_extension", "reassign", "recategorize", "merge", "send_back", "reject", "reopen",
    ]

    private struct NodeName: Decodable {
        let code: String
        let name: String
    }

    /// Where a complaint is, in words: its community and grid ("阳关社区 第7网格"), and the
    /// address given with it when there is one.
    static func placeName(of c: ComplaintRow, on db: any SQLDatabase) async throws -> String {
        let community = String(c.grid_code.prefix(NodeLevel.community.codeLength))
        let names = try await db.select().columns("code", "name").from("nodes")
            .where("code", .in, [community, c.grid_code]).orderBy("code").all(decoding: NodeName.self)
        let area = names.map(\.name).joined(separator: " ")
        if let address = c.address, !address.isEmpty { return area.isEmpty ? address : "\(area) · \(address)" }
        return area.isEmpty ? c.grid_code : area
    }

    struct Candidate: Decodable {
        let id: UUID
        let display_name: String
    }

    /// Grid workers of the complaint's community, whom a reviewer may choose instead of the
    /// suggested handler.
    static func handlerCandidates(for c: ComplaintRow, on db: any SQLDatabase) async throws -> [Candidate] {
        let community = String(c.grid_code.prefix(NodeLevel.community.codeLength))
        let upper = (try? HierarchyCode(validating: community))?.rangeUpperBound ?? community
        return try await db.select().columns("id", "display_name").from("users")
            .where("role", .equal, Role.gridWorker.rawValue).where("disabled", .equal, false)
            .where("node_code", .greaterThanOrEqual, community).where("node_code", .lessThan, upper)
            .orderBy("username").limit(50).all(decoding: Candidate.self)
    }

    /// A timeline entry's name: the catalogue's word for its action, or the label stored with
    /// it when the action is not one the catalogue knows (older rows).
    static func eventName(_ e: ComplaintDTO.Event, _ t: Localizer) -> String {
        let key = "complaints.event.\(e.action)"
        return t.catalogue.has(key) ? t(key) : e.labelZh
    }

    static func stageName(_ stage: String, _ t: Localizer) -> String {
        switch stage {
        case "before": return t("complaints.before")
        case "after": return t("complaints.after")
        case "progress": return t("complaints.on-site")
        default: return t("complaints.reported")
        }
    }
}
