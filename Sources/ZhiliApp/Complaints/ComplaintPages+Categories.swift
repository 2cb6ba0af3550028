import Foundation
import Plot
import Vapor
import ZhiliDomain

/// Administrators configure the category tree on a page: handler, time limit, keywords, extra
/// questions (as JSON, checked before saving) and reply templates (one per line).
extension ComplaintPages {
    @Sendable static func categoriesPage(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let t = Localizer(req)
        let all = try await ComplaintCategories.all(on: req.sql)
        return PageShell(request: req, title: t("complaints.complaint-categories"), active: "categories", wide: true)
            .render {
                Div {
                    H1(t("complaints.complaint-categories"))
                    Paragraph(
                        t("complaints.default-handler-time-limit-extra")
                    ).class("muted")
                }.class("page-head")
                Table(
                    header: TableRow {
                        TableHeaderCell(t("complaints.code"))
                        TableHeaderCell(t("complaints.name"))
                        TableHeaderCell(t("complaints.handler"))
                        TableHeaderCell(t("complaints.limit"))
                        TableHeaderCell(t("complaints.questions"))
                        TableHeaderCell(t("complaints.templates"))
                        TableHeaderCell(t("complaints.state"))
                    }
                ) {
                    for c in all {
                        TableRow {
                            TableCell { Link(c.code, url: "/complaints/categories/\(c.code)").class("mono") }
                            TableCell((c.parentCode == nil ? "" : "\u{3000}") + t.pick(c.nameZh, c.nameEn))
                            TableCell(
                                c.handlerKind == "department"
                                    ? (c.department.map { t.name(Department.self, $0) } ?? "—")
                                    : t("complaints.grid-worker"))
                            TableCell(t.name(TimeLimitTier.self, c.tier))
                            TableCell("\(c.questions.count)").class("num")
                            TableCell("\(c.templates.count)").class("num")
                            TableCell {
                                Span(c.active ? t("complaints.active") : t("complaints.off")).class(
                                    c.active ? "pill ok" : "pill")
                            }
                        }
                    }
                }.class("data")
                Paragraph { Link(t("complaints.new-category"), url: "/complaints/categories/new").class("button") }
            }
    }

    @Sendable static func categoryForm(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let code = req.parameters.get("code") ?? "new"
        let all = try await ComplaintCategories.all(on: req.sql)
        let existing = all.first { $0.code == code }
        guard existing != nil || code == "new" else { throw AppError.notFound("Category", zhWhat: "诉求分类") }
        return renderCategoryForm(req, category: existing, all: all, error: nil)
    }

    static func renderCategoryForm(
        _ req: Request, category c: ComplaintCategories.Category?, all: [ComplaintCategories.Category], error: AppError?
    ) -> Response {
        let t = Localizer(req)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
        let questions =
            c.map { String(decoding: (try? encoder.encode($0.questions)) ?? Data("[]".utf8), as: UTF8.self) } ?? "[]"
        func option(_ value: String, _ label: String, _ selected: Bool) -> Node<HTML.BodyContext> {
            .element(
                named: "option",
                nodes: [
                    .attribute(named: "value", value: value),
                    selected ? .attribute(named: "selected", value: "selected") : .empty, .text(label),
                ])
        }
        return PageShell(
            request: req, title: c.map { t.pick($0.nameZh, $0.nameEn) } ?? t("complaints.new-category-2"),
            active: "categories"
        ).render {
            Div { H1(c.map { "\(t.pick($0.nameZh, $0.nameEn)) · \($0.code)" } ?? t("complaints.new-category-2")) }
                .class("page-head")
            if let error { Paragraph("\(error.messageZh) / \(error.messageEn)").class("alert") }
            Form(url: "/complaints/categories/\(c?.code ?? "new")", method: .post) {
                Input(type: .hidden, name: "_csrf", value: req.csrfToken ?? "")
                if c == nil {
                    Label(t("complaints.code-e-g-environment-dust")) {
                        Input(type: .text, name: "code", isRequired: true)
                    }
                }
                Label(t("complaints.parent")) {
                    Element(name: "select") {
                        option("", t("complaints.top-level"), c?.parentCode == nil)
                        for top in all where top.parentCode == nil && top.code != c?.code {
                            option(top.code, t.pick(top.nameZh, top.nameEn), c?.parentCode == top.code)
                        }
                    }.attribute(named: "name", value: "parentCode")
                }
                Label(t("complaints.chinese-name")) {
                    Input(type: .text, name: "nameZh", value: c?.nameZh, isRequired: true)
                }
                Label(t("complaints.english-name")) {
                    Input(type: .text, name: "nameEn", value: c?.nameEn, isRequired: true)
                }
                Label(t("complaints.default-handler")) {
                    Element(name: "select") {
                        option(
                            "grid_worker", t("complaints.the-grid-worker-of-the"), c?.handlerKind != "department"
                        )
                        for d in Department.allCases {
                            option(
                                "department:\(d.rawValue)", t.name(d),
                                c?.handlerKind == "department" && c?.department == d.rawValue)
                        }
                    }.attribute(named: "name", value: "handler")
                }
                Label(t("complaints.time-limit")) {
                    Element(name: "select") {
                        for tier in TimeLimitTier.allCases {
                            option(tier.rawValue, t.name(tier), c?.tier == tier.rawValue)
                        }
                    }
                    .attribute(named: "name", value: "tier")
                }
                Label(t("complaints.keywords-comma-separated")) {
                    Input(type: .text, name: "keywords", value: c?.keywords)
                }
                Label(
                    t("complaints.extra-questions-json-kind-is")
                ) {
                    TextArea(text: questions, name: "questions", numberOfRows: 10).class("mono")
                }
                Label(
                    t("complaints.reply-templates-one-per-line")
                ) {
                    TextArea(text: (c?.templates ?? []).joined(separator: "\n"), name: "templates", numberOfRows: 5)
                }
                Label(
                    t("complaints.listed-on-the-public-open311")
                ) {
                    if c?.publicListing == false {
                        Input(type: .checkbox, name: "publicListing", value: "true")
                    } else {
                        Input(type: .checkbox, name: "publicListing", value: "true").attribute(
                            named: "checked", value: "checked")
                    }
                }
                Label(t("complaints.active-2")) {
                    if c?.active == false {
                        Input(type: .checkbox, name: "active", value: "true")
                    } else {
                        Input(type: .checkbox, name: "active", value: "true").attribute(
                            named: "checked", value: "checked")
                    }
                }
                Button { Text(t("complaints.save")) }.attribute(named: "type", value: "submit").class("primary")
            }.class("stack wide-form")
        }
    }

    struct CategoryForm: Content {
        var code: String?
        var parentCode: String?
        var nameZh: String
        var nameEn: String
        var handler: String
        var tier: String
        var keywords: String?
        var questions: String?
        var templates: String?
        var active: String?
        var publicListing: String?
    }

    @Sendable static func saveCategoryForm(req: Request) async throws -> Response {
        let p = try req.requireWebPrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let f = try req.content.decode(CategoryForm.self)
        let path = req.parameters.get("code") ?? "new"
        let code = path == "new" ? (f.code ?? "").trimmingCharacters(in: .whitespaces) : path
        let all = try await ComplaintCategories.all(on: req.sql)
        let handler = f.handler.split(separator: ":").map(String.init)
        var category = ComplaintCategories.Category(
            code: code, parentCode: (f.parentCode ?? "").isEmpty ? nil : f.parentCode,
            nameZh: f.nameZh.trimmingCharacters(in: .whitespaces),
            nameEn: f.nameEn.trimmingCharacters(in: .whitespaces), handlerKind: handler.first ?? "",
            department: handler.count > 1 ? handler[1] : nil,
            tier: f.tier, keywords: f.keywords.map { String($0.prefix(500)) }, active: f.active == "true")
        category.publicListing = f.publicListing == "true"
        category.templates = (f.templates ?? "").split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        do {
            if path == "new", all.contains(where: { $0.code == code }) {
                throw AppError.conflict(
                    "duplicate_code", zh: "分类编码“\(code)”已存在", en: "Category \(code) exists", field: "code")
            }
            let text = (f.questions ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                category.questions =
                    text.isEmpty ? [] : try JSONDecoder().decode([CategoryQuestion].self, from: Data(text.utf8))
            } catch {
                throw AppError.invalid("questions", zh: "补充问题不是有效的 JSON 列表", en: "Questions are not a valid JSON list")
            }
            try ComplaintCategories.validate(category, known: all)
        } catch let e as AppError {
            let response = renderCategoryForm(req, category: path == "new" ? nil : category, all: all, error: e)
            response.status = e.status
            return response
        }
        try await ComplaintCategories.save(category, on: req.sql)
        req.complaints.settingsChanged()
        await req.audit.record(
            action: "update", entity: "complaint_category", entityID: code,
            detail: "\(category.tier) \(category.handlerKind)")
        return WebResponse.redirect("/complaints/categories")
    }
}
