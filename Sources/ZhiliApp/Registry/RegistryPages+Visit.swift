import Plot
import Vapor
import ZhiliDomain

/// Recording a visit from a phone: notes, photos from the camera and the phone's position,
/// opened from the visits list or the person's profile; and calling the person, for those
/// who may see the number (the reveal is audited like any other).
extension RegistryPages {
    struct VisitQuery: Content { var tag: String? }

    @Sendable static func visitForm(req: Request) async throws -> Response {
        let (p, current) = try await RegistryRoutes.scopedCurrent(req, action: "visit")
        let t = Localizer(req)
        let profile = try await ResidentProfile.build(
            current, viewer: p, db: req.sql, catalogue: try await TagCatalogue.cached(req))
        let chosen = try? req.query.decode(VisitQuery.self).tag
        let plans = profile.tags.filter { $0.visitIntervalDays != nil }
        return PageShell(
            request: req, title: t("registry.visit-title", profile.resident.name), active: "care",
            scripts: ["/assets/visit.js"]
        ).render {
            Div {
                H1(t("registry.visit-title", profile.resident.name))
                Paragraph(profile.household?.address ?? profile.resident.householdCode).class("muted")
            }.class("page-head")
            Form(url: "/residents/\(current.id.uuidString)/visit", method: .post, contentType: .multipartData) {
                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                if !plans.isEmpty {
                    Choice(
                        label: t("registry.visit-for"), name: "tag",
                        options: plans.map {
                            ($0.tag, t("registry.visit-plan-option", $0.name, $0.nextVisitDue ?? "—"))
                        },
                        selected: chosen, none: t("registry.visit-all-plans"))
                }
                Label(t("registry.visit-notes")) {
                    TextArea(name: "notes", numberOfRows: 5)
                        .attribute(named: "placeholder", value: t("registry.visit-notes-hint"))
                        .attribute(named: "required", value: "required").attribute(named: "maxlength", value: "2000")
                }
                Label(t("registry.visit-photos")) {
                    Input(type: .file, name: "photos[]").attribute(named: "accept", value: "image/jpeg,image/png")
                        .attribute(named: "capture", value: "environment").attribute(
                            named: "multiple", value: "multiple")
                }
                Input(type: .hidden, name: "lat", value: "").id("lat")
                Input(type: .hidden, name: "lon", value: "").id("lon")
                Div {
                    Button { Text(t("registry.visit-locate")) }.attribute(named: "type", value: "button").id("locate")
                    Span(t("registry.visit-no-location")).id("loc-text").class("muted small")
                }.class("actions")
                Button { Text(t("registry.visit-save")) }.attribute(named: "type", value: "submit").class(
                    "primary wide")
            }.class("wide-form stack")
        }
    }

    struct VisitForm: Content {
        var tag: String?
        var notes: String?
        var lat: String?
        var lon: String?
    }

    @Sendable static func recordVisit(req: Request) async throws -> Response {
        let (p, current) = try await RegistryRoutes.scopedCurrent(req, action: "visit")
        let f = try req.content.decode(VisitForm.self)
        guard let notes = ResidentValidation.clean(f.notes), !notes.isEmpty else {
            throw AppError.invalid("notes", zh: "请填写走访情况", en: "Write what you found")
        }
        let lat = f.lat.flatMap { Double($0) }
        let lon = f.lon.flatMap { Double($0) }
        if let lat, let lon, try await !req.hierarchy.gridLocator.isInCity(GeoPoint(lat: lat, lon: lon)) {
            throw AppError.invalid(
                "lat", zh: "走访位置不在本市范围内，请重新定位", en: "The visit's position lies outside the city; locate again")
        }
        let files = try PhotoUploads.files(req)
        let photos =
            files.isEmpty
            ? []
            : try await PhotoUploads.prepare(files, on: req.application.threadPool).map {
                (UUID(), $0)
            }
        let input = CarePlans.VisitInput(
            tag: f.tag.flatMap { $0.isEmpty ? nil : $0 }, notes: notes, visitedAt: nil, lat: lat, lon: lon)
        let visit = try await CarePlans(db: req.sql).record(
            input, residentID: current.id, household: current.household, by: p, photos: photos, media: req.zhili.media)
        await req.audit.record(
            action: "create", entity: "visit", entityID: visit.id.uuidString, detail: current.id.uuidString)
        return WebResponse.redirect("/residents/\(current.id.uuidString)?visited=1")
    }

    /// The full number, for a call: a reveal with a stated reason, audited, then a page with
    /// the number as a `tel:` link.
    @Sendable static func call(req: Request) async throws -> Response {
        let (p, current) = try await RegistryRoutes.scopedCurrent(req, action: "reveal")
        let t = Localizer(req)
        guard let phone = current.valid.phone else {
            throw AppError.conflict("no_phone", zh: "该居民没有登记电话", en: "No phone is registered for this resident")
        }
        guard TagVisibility.mayReveal(p, isChild: current.valid.age < 14) else {
            await req.audit.record(
                action: "reveal_denied", entity: "resident", entityID: current.id.uuidString, outcome: .denied,
                detail: "phone")
            throw AppError.forbidden
        }
        await req.audit.record(
            action: "reveal", entity: "resident", entityID: current.id.uuidString, detail: "phone: call for a visit")
        return PageShell(request: req, title: t("registry.call-title", current.valid.name), active: "care").render {
            Div {
                H1(t("registry.call-title", current.valid.name))
                Paragraph(t("registry.call-audited")).class("muted small")
            }.class("page-head")
            Link(url: "tel:\(phone)") {
                Text(t("registry.call-button", phone))
            }.class("button primary wide")
            Paragraph { Link(t("registry.call-back"), url: "/residents/\(current.id.uuidString)") }
        }
    }
}
