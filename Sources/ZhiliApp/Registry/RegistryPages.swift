import Plot
import SQLKit
import Vapor
import ZhiliDomain

/// Browser pages of the registry: search, a person's profile, the care to-do list and the
/// review inbox. Each is a thin view over the same services as the JSON API.
enum RegistryPages {
    static func register(_ app: Application) {
        app.get("residents", use: search)
        app.get("residents", ":id", use: profile)
        app.get("residents", ":id", "visit", use: visitForm)
        app.on(.POST, "residents", ":id", "visit", body: .collect(maxSize: PhotoUploads.requestLimit), use: recordVisit)
        app.post("residents", ":id", "call", use: call)
        app.post("residents", ":id", "contacts", use: saveContact)
        app.get("care", use: todo)
        app.get("reviews", use: reviews)
        app.post("reviews", ":id", "approve", use: approve)
        app.post("reviews", ":id", "reject", use: reject)
        ExchangePages.register(app)
    }

    static func requireStaff(_ req: Request) throws -> Principal {
        let p = try req.requireWebPrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        return p
    }

    static func tagName(_ t: Localizer, _ code: String) -> String {
        KeyPopulationCatalogue.defaults.first { $0.code == code }.map { t.pick($0.nameZh, $0.nameEn) } ?? code
    }

    @Sendable static func search(req: Request) async throws -> Response {
        let p = try requireStaff(req)
        let t = Localizer(req)
        let query = try req.query.decode(ResidentSearch.Query.self)
        var items: [ResidentDTO] = []
        if !(query.q ?? "").isEmpty || !(query.tag ?? "").isEmpty {
            let (kind, rows) = try await ResidentSearch(
                db: req.sql, cipher: req.zhili.cipher, readers: req.zhili.readers
            ).run(query, viewer: p, catalogue: try await TagCatalogue.cached(req))
            items = try await ResidentViews(req, viewer: p).dtos(rows, tagsInRows: true)
            await req.audit.record(
                action: "search", entity: "resident", entityID: query.under,
                detail:
                    "\(kind == .idNumber || kind == .phone ? "(\(kind.rawValue))" : (query.q ?? "")) → \(rows.count)")
        }
        let catalogue = try await TagCatalogue.all(on: req.sql).filter {
            TagVisibility.canSee(p, $0.tagSensitivity) && $0.parentCode != nil
        }
        return PageShell(request: req, title: t("registry.find-residents"), active: "residents", wide: true).render {
            Div {
                H1(t("registry.find-residents"))
                Paragraph(
                    t("registry.name-pinyin-initials-e-g")
                ).class("muted")
            }.class("page-head")
            Form(url: "/residents", method: .get) {
                Input(type: .search, name: "q", value: query.q, placeholder: t("registry.search")).attribute(
                    named: "autofocus", value: "autofocus")
                Element(name: "select") {
                    Node<HTML.BodyContext>.element(
                        named: "option",
                        nodes: [
                            .attribute(named: "value", value: "", ignoreIfValueIsEmpty: false),
                            .text(t("registry.all-tags")),
                        ])
                    for d in catalogue {
                        Node<HTML.BodyContext>.element(
                            named: "option",
                            nodes: [
                                .attribute(named: "value", value: d.code),
                                .attribute(named: "selected", value: d.code == query.tag ? "selected" : nil),
                                .text(t.pick(d.nameZh, d.nameEn)),
                            ])
                    }
                }.attribute(named: "name", value: "tag")
                Button { Text(t("registry.search-2")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("filters")
            if !items.isEmpty || query.q != nil {
                Paragraph(t("registry.0-found-20-at-most", items.count)).class("muted small")
                ResidentTable(items: items, t: t)
            }
        }
    }

    @Sendable static func profile(req: Request) async throws -> Response {
        let (p, current) = try await RegistryRoutes.scopedCurrent(req, action: "read")
        let t = Localizer(req)
        await req.audit.record(action: "read_profile", entity: "resident", entityID: current.id.uuidString)
        let profile = try await ResidentProfile.build(
            current, viewer: p, db: req.readSQL, catalogue: try await TagCatalogue.cached(req))
        let r = profile.resident
        let contacts = try await EmergencyContacts.list(current.id, on: try req.readSQL)
        return PageShell(request: req, title: r.name, active: "residents", wide: true).render {
            Element(name: "ol") {
                for b in profile.household?.path ?? [] { ListItem { Link(b.name, url: "/hierarchy?code=\(b.code)") } }
                ListItem { Link(profile.household?.address ?? r.householdCode, url: "/h/\(r.householdCode)") }
            }.class("breadcrumbs")
            Div {
                H1(r.name)
                Paragraph(
                    "\(t.name(Sex.self, r.sex)) · \(r.birthDate) · \(r.ethnicity) · \(t.term(RegistryVocabulary.residencyTypes, r.residencyType))"
                ).class("muted")
                Paragraph {
                    for tag in profile.tags {
                        Span(tag.detail.map { t("registry.tag-with-detail", tag.name, $0) } ?? tag.name).class(
                            "pill warn")
                    }
                }
                ProfileActions(
                    residentID: current.id, hasPhone: r.phoneMasked != nil, viewer: p, t: t, csrf: req.csrfToken ?? "")
                if (try? req.query.decode(VisitedQuery.self).visited) == "1" {
                    Paragraph(t("registry.visit-saved")).class("pill ok")
                }
            }.class("page-head")
            Div {
                Div {
                    H3(t("registry.record"))
                    Table(rows: {
                        TableRow {
                            TableCell(t("registry.id-number"))
                            TableCell { Span(r.idNumberMasked).class("mono") }
                        }
                        TableRow {
                            TableCell(t("registry.phone"))
                            TableCell { Span(r.phoneMasked ?? "—").class("mono") }
                        }
                        TableRow {
                            TableCell(t("registry.relation"))
                            TableCell(
                                t.term(RegistryVocabulary.relations, r.relation))
                        }
                        TableRow {
                            TableCell(t("registry.political-status"))
                            TableCell(
                                t.term(RegistryVocabulary.politicalStatuses, r.politicalStatus))
                        }
                        TableRow {
                            TableCell(t("registry.employer"))
                            TableCell(profile.employer ?? "—")
                        }
                        TableRow {
                            TableCell(t("registry.notes"))
                            TableCell(profile.notes ?? "—")
                        }
                    }).class("data pairs")
                }.class("card")
                Div {
                    H3(t("registry.care-plan"))
                    if profile.tags.isEmpty { Paragraph(t("registry.no-key-population-tags")).class("muted") }
                    for tag in profile.tags {
                        Paragraph(
                            t(
                                "registry.labelled", tag.name,
                                "\(tag.visitIntervalDays.map { t("registry.visit-every-0-days", $0) } ?? t("registry.no-visits")) · \(t("registry.next")) \(tag.nextVisitDue ?? "—")"
                            )
                        )
                    }
                    H3(t("registry.visits"))
                    if profile.visits.isEmpty { Paragraph(t("registry.no-visits-yet")).class("muted") }
                    for v in profile.visits.prefix(5) {
                        Paragraph("\(DisplayTime.day(v.visitedAt)) · \(v.visitorName ?? "") · \(v.notes ?? "")").class(
                            "small")
                    }
                }.class("card")
                contactsCard(contacts, residentID: current.id, viewer: p, t: t, csrf: req.csrfToken ?? "")
            }.class("cards")
            H2(t("registry.change-history"))
            Table(
                header: TableRow {
                    TableHeaderCell(t("registry.when"))
                    TableHeaderCell(t("registry.field"))
                    TableHeaderCell(t("registry.old"))
                    TableHeaderCell(t("registry.new"))
                    TableHeaderCell(t("registry.by"))
                }
            ) {
                for c in profile.history {
                    TableRow {
                        TableCell(DisplayTime.minutes(c.at))
                        TableCell(FieldNames.zh(c.field))
                        TableCell(c.oldValue ?? "—")
                        TableCell(c.newValue ?? "—")
                        TableCell(c.actorName ?? "—")
                    }
                }
            }.class("data")
            Paragraph(t("registry.numbers-are-masked-this-view"))
                .class("muted small")
        }
    }
}

/// A table of residents (masked), linking to each profile.
struct ResidentTable: Component {
    let items: [ResidentDTO]
    let t: Localizer

    var body: Component {
        DataTable(
            columns: [
                t("registry.name"), t("registry.sex"), t("registry.born"), t("registry.id-number"),
                t("registry.phone-2"), t("registry.household"), t("registry.tags"),
            ],
            rows: items.map { r -> [Component] in
                [
                    Link(r.name, url: "/residents/\(r.id.uuidString)"),
                    Text(t.name(Sex.self, r.sex)),
                    Text(r.birthDate),
                    Span(r.idNumberMasked).class("mono"),
                    Span(r.phoneMasked ?? "—").class("mono"),
                    Link(r.householdCode, url: "/h/\(r.householdCode)").class("mono small"),
                    ComponentGroup(members: r.tags.map { Span(RegistryPages.tagName(t, $0)).class("pill warn") }),
                ]
            },
            empty: EmptyState(title: t("registry.empty-residents"), hint: t("registry.empty-residents-hint"))
        )
    }
}

extension Localizer {
    /// The name of a registry vocabulary's term (relation, political status …) in the page's
    /// language; an unknown key reads as itself.
    func term(_ list: [VocabularyItem], _ key: String) -> String {
        RegistryVocabulary.item(list, key: key).map { pick($0.nameZh, $0.nameEn) } ?? key
    }
}

struct VisitedQuery: Content { var visited: String? }

/// The profile's buttons for the work done on a phone: record a visit, call the person.
struct ProfileActions: Component {
    let residentID: UUID
    let hasPhone: Bool
    let viewer: Principal
    let t: Localizer
    let csrf: String

    var body: Component {
        Div {
            if RegistryPolicy.mayWrite(viewer, action: "visit") {
                Link(t("registry.record-visit"), url: "/residents/\(residentID.uuidString)/visit").class(
                    "button primary-link")
            }
            if hasPhone, TagVisibility.mayReveal(viewer, isChild: false) {
                Form(url: "/residents/\(residentID.uuidString)/call", method: .post) {
                    Input(type: .hidden, name: "_csrf", value: csrf)
                    Button { Text(t("registry.call")) }.attribute(named: "type", value: "submit")
                }.class("inline")
            }
        }.class("actions")
    }
}
