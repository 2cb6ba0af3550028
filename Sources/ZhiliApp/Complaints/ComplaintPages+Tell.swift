import Plot
import Vapor
import ZhiliDomain

/// 有事您说 / 随手拍: the resident's phone form. The location comes from the phone or a tap on
/// the map; a per-form key makes a double tap or a retry submit once.
extension ComplaintPages {
    struct TellQuery: Content { var mode: String? }

    @Sendable static func tellForm(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let t = Localizer(req)
        // 随手拍: photo first, the phone's location asked for at once.
        let snap = (try? req.query.decode(TellQuery.self).mode) == "snap"
        let categories = try await ComplaintCategories.cached(req.complaints.categories, on: req.sql).filter {
            $0.active && $0.parentCode != nil
        }
        let key = UUID().uuidString
        let title = snap ? t("complaints.snap-it") : t("complaints.tell-us")
        let photoField = Div {
            Label(t("complaints.photos-up-to-9-optional")) {
                // 随手拍 opens the phone's camera; 有事您说 lets one pick photos taken before.
                Input(type: .file, name: "photos[]").id("photos").attribute(
                    named: "accept", value: "image/jpeg,image/png"
                )
                .attribute(named: "multiple", value: "multiple")
                .attribute(named: "capture", value: snap ? "environment" : "")
            }
            Div {}.id("photo-previews").class("photo-strip")
        }
        return PageShell(
            request: req, title: title, active: "tell",
            scripts: [
                "/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js", "/assets/basemap.js", "/assets/tell.js",
            ]
        ).render {
            Div {
                H1(title)
                Paragraph(
                    snap
                        ? t("complaints.take-a-photo-the-location")
                        : t("complaints.tell-us-what-is-wrong")
                ).class("muted")
                if !snap { Paragraph { Link(t("complaints.snap-it-2"), url: "/tell?mode=snap") }.class("small") }
            }.class("page-head")
            Form(url: "/tell", method: .post, contentType: .multipartData) {
                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                Input(type: .hidden, name: "key", value: key)
                if snap { photoField }
                Label(t("complaints.category")) {
                    Element(name: "select") {
                        // Nothing chosen for the resident: a wrong guess would send it to the wrong desk.
                        Node<HTML.BodyContext>.element(
                            named: "option",
                            nodes: [
                                .attribute(named: "value", value: "", ignoreIfValueIsEmpty: false),
                                .text(t("complaints.choose")),
                            ])
                        for c in categories {
                            Node<HTML.BodyContext>.element(
                                named: "option",
                                nodes: [.attribute(named: "value", value: c.code), .text(t.pick(c.nameZh, c.nameEn))])
                        }
                    }.attribute(named: "name", value: "categoryCode").attribute(named: "required", value: "required")
                        .id("category")
                }
                for c in categories where !c.questions.isEmpty {
                    Element(name: "fieldset") {
                        Element(name: "legend") { Text(t("complaints.a-few-details") + t.pick(c.nameZh, c.nameEn)) }
                        for q in c.questions { Self.questionField(q, t) }
                    }.class("questions").attribute(named: "data-category", value: c.code)
                }
                Label(t("complaints.what-is-wrong")) {
                    TextArea(name: "text", numberOfRows: 4, isRequired: true).attribute(
                        named: "placeholder", value: t("complaints.e-g-rubbish-not-collected"))
                }
                if p.role != .resident {
                    Label(t("complaints.resident-s-name-taking-a")) {
                        Input(type: .text, name: "onBehalfOf")
                    }
                    Label(t("complaints.resident-s-mobile-sms-updates")) {
                        Input(type: .tel, name: "contactPhone").attribute(named: "inputmode", value: "numeric")
                    }
                }
                if !snap { photoField }
                Div {}.id("tell-map").class("map small-map").attribute(named: "data-lang", value: t.lang.rawValue)
                    .attribute(named: "data-autolocate", value: snap ? "1" : "0")
                Div {}.id("nearby").class("nearby").attribute(named: "hidden", value: "hidden")
                Input(type: .hidden, name: "lat").attribute(named: "id", value: "lat")
                Input(type: .hidden, name: "lon").attribute(named: "id", value: "lon")
                Paragraph {
                    Button { Text(t("complaints.use-my-location")) }.attribute(named: "type", value: "button").id(
                        "locate")
                    Span(t("complaints.or-tap-the-map")).id("loc-text").class("muted small")
                }
                Label(t("complaints.anonymous-handlers-do-not-see")) {
                    Input(type: .checkbox, name: "anonymous", value: "true")
                }
                Button { Text(t("complaints.submit")) }.attribute(named: "type", value: "submit").class("primary wide")
            }.class("stack tell-form")
        }
    }

    /// One extra question as a form field named answers[code] (answers[code][] for several choices).
    static func questionField(_ q: CategoryQuestion, _ t: Localizer) -> Component {
        let label = t.pick(q.labelZh, q.labelEn) + (q.required ? " *" : "")
        let name = "answers[\(q.code)]"
        switch q.kind {
        case .text: return Label(label) { Input(type: .text, name: name) }
        case .number: return Label(label) { Input(type: .number, name: name).attribute(named: "step", value: "any") }
        case .date: return Label(label) { Input(type: .date, name: name) }
        case .single:
            return Label(label) {
                Element(name: "select") {
                    Node<HTML.BodyContext>.element(
                        named: "option",
                        nodes: [
                            .attribute(named: "value", value: "", ignoreIfValueIsEmpty: false),
                            .text(t("complaints.choose")),
                        ])
                    for o in q.options {
                        Node<HTML.BodyContext>.element(
                            named: "option", nodes: [.attribute(named: "value", value: o), .text(o)])
                    }
                }.attribute(named: "name", value: name)
            }
        case .multiple:
            return Div {
                Span(label).class("field-label")
                for o in q.options {
                    Label(o) { Input(type: .checkbox, name: name + "[]", value: o) }.class("check")
                }
            }.class("choices")
        }
    }

    struct TellForm: Content {
        var key: String?
        var categoryCode: String
        var text: String
        var lat: String?
        var lon: String?
        var anonymous: String?
        var onBehalfOf: String?
        var contactPhone: String?
        var answers: [String: ComplaintSubmission.FlexibleAnswer]?
    }

    @Sendable static func tell(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .resident || p.role.isStaff else { throw AppError.forbidden }
        let f = try req.content.decode(TellForm.self)
        let input = ComplaintSubmission.Input(
            categoryCode: f.categoryCode, text: f.text, lat: f.lat.flatMap { Double($0) },
            lon: f.lon.flatMap { Double($0) },
            address: nil, anonymous: f.anonymous == "true", onBehalfOf: f.onBehalfOf,
            contactPhone: f.contactPhone, answers: f.answers)
        let (id, _, _) = try await ComplaintSubmission(req)
            .submit(
                input, photos: try PhotoUploads.files(req), by: p,
                channel: p.role == .resident ? "app" : "staff", idempotencyKey: f.key.map { "web-" + $0.prefix(64) })
        return WebResponse.redirect("/complaints/\(id.uuidString)")
    }
}
