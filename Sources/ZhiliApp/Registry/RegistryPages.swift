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

    static func tagName(_ code: String) -> String {
        KeyPopulationCatalogue.defaults.first { $0.code == code }?.nameZh ?? code
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
        return PageShell(request: req, title: t("居民检索", "Find residents"), active: "residents", wide: true).render {
            Div {
                H1(t("居民检索", "Find residents"))
                Paragraph(
                    t("姓名、拼音首字母（如 zs）、身份证号、手机号或地址", "Name, pinyin initials (e.g. zs), ID number, phone or address")
                ).class("muted")
            }.class("page-head")
            Form(url: "/residents", method: .get) {
                Input(type: .search, name: "q", value: query.q, placeholder: t("输入检索内容", "Search")).attribute(
                    named: "autofocus", value: "autofocus")
                Element(name: "select") {
                    Node<HTML.BodyContext>.element(
                        named: "option", nodes: [.attribute(named: "value", value: ""), .text(t("全部标签", "All tags"))])
                    for d in catalogue {
                        Node<HTML.BodyContext>.element(
                            named: "option",
                            nodes: [
                                .attribute(named: "value", value: d.code),
                                .attribute(named: "selected", value: d.code == query.tag ? "selected" : nil),
                                .text(t(d.nameZh, d.nameEn)),
                            ])
                    }
                }.attribute(named: "name", value: "tag")
                Button { Text(t("检索", "Search")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("filters")
            if !items.isEmpty || query.q != nil {
                Paragraph(t("共 \(items.count) 条（最多显示 20 条）", "\(items.count) found (20 at most)")).class("muted small")
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
        return PageShell(request: req, title: r.name, active: "residents", wide: true).render {
            Element(name: "ol") {
                for b in profile.household?.path ?? [] { ListItem { Link(b.name, url: "/hierarchy?code=\(b.code)") } }
                ListItem { Link(profile.household?.address ?? r.householdCode, url: "/h/\(r.householdCode)") }
            }.class("breadcrumbs")
            Div {
                H1(r.name)
                Paragraph(
                    "\(Sex(rawValue: r.sex)?.nameZh ?? r.sex) · \(r.birthDate) · \(r.ethnicity) · \(RegistryVocabulary.item(RegistryVocabulary.residencyTypes, key: r.residencyType)?.nameZh ?? r.residencyType)"
                ).class("muted")
                Paragraph {
                    for tag in profile.tags { Span(tag.name + (tag.detail.map { "（\($0)）" } ?? "")).class("pill warn") }
                }
            }.class("page-head")
            Div {
                Div {
                    H3(t("基本信息", "Record"))
                    Table(rows: {
                        TableRow {
                            TableCell(t("证件号码", "ID number"))
                            TableCell { Span(r.idNumberMasked).class("mono") }
                        }
                        TableRow {
                            TableCell(t("手机号码", "Phone"))
                            TableCell { Span(r.phoneMasked ?? "—").class("mono") }
                        }
                        TableRow {
                            TableCell(t("与户主关系", "Relation"))
                            TableCell(
                                RegistryVocabulary.item(RegistryVocabulary.relations, key: r.relation)?.nameZh
                                    ?? r.relation)
                        }
                        TableRow {
                            TableCell(t("政治面貌", "Political status"))
                            TableCell(
                                RegistryVocabulary.item(RegistryVocabulary.politicalStatuses, key: r.politicalStatus)?
                                    .nameZh ?? r.politicalStatus)
                        }
                        TableRow {
                            TableCell(t("工作单位", "Employer"))
                            TableCell(profile.employer ?? "—")
                        }
                        TableRow {
                            TableCell(t("备注", "Notes"))
                            TableCell(profile.notes ?? "—")
                        }
                    }).class("data")
                }.class("card")
                Div {
                    H3(t("关爱计划", "Care plan"))
                    if profile.tags.isEmpty { Paragraph(t("无重点人群标签", "No key-population tags")).class("muted") }
                    for tag in profile.tags {
                        Paragraph(
                            "\(tag.name)：\(tag.visitIntervalDays.map { t("每 \($0) 天走访", "visit every \($0) days") } ?? t("无走访要求", "no visits")) · \(t("下次", "next")) \(tag.nextVisitDue ?? "—")"
                        )
                    }
                    H3(t("走访记录", "Visits"))
                    if profile.visits.isEmpty { Paragraph(t("暂无走访记录", "No visits yet")).class("muted") }
                    for v in profile.visits.prefix(5) {
                        Paragraph("\(DisplayTime.day(v.visitedAt)) · \(v.visitorName ?? "") · \(v.notes ?? "")").class(
                            "small")
                    }
                }.class("card")
            }.class("cards")
            H2(t("变更记录", "Change history"))
            Table(
                header: TableRow {
                    TableHeaderCell(t("时间", "When"))
                    TableHeaderCell(t("字段", "Field"))
                    TableHeaderCell(t("原值", "Old"))
                    TableHeaderCell(t("新值", "New"))
                    TableHeaderCell(t("操作人", "By"))
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
            Paragraph(t("证件号码与电话已脱敏显示；本次查看已记入审计日志。", "Numbers are masked; this view was recorded in the audit log."))
                .class("muted small")
        }
    }
}

/// A table of residents (masked), linking to each profile.
struct ResidentTable: Component {
    let items: [ResidentDTO]
    let t: Localizer

    var body: Component {
        Table(
            header: TableRow {
                TableHeaderCell(t("姓名", "Name"))
                TableHeaderCell(t("性别", "Sex"))
                TableHeaderCell(t("出生日期", "Born"))
                TableHeaderCell(t("证件号码", "ID number"))
                TableHeaderCell(t("电话", "Phone"))
                TableHeaderCell(t("户编码", "Household"))
                TableHeaderCell(t("标签", "Tags"))
            }
        ) {
            for r in items {
                TableRow {
                    TableCell { Link(r.name, url: "/residents/\(r.id.uuidString)") }
                    TableCell(Sex(rawValue: r.sex)?.nameZh ?? r.sex)
                    TableCell(r.birthDate)
                    TableCell { Span(r.idNumberMasked).class("mono") }
                    TableCell { Span(r.phoneMasked ?? "—").class("mono") }
                    TableCell { Link(r.householdCode, url: "/h/\(r.householdCode)").class("mono") }
                    TableCell { for tag in r.tags { Span(RegistryPages.tagName(tag)).class("pill warn") } }
                }
            }
        }.class("data")
    }
}
