import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// What the complaints say in aggregate: theme dictionaries, trends and hot spots, and the
/// open complaints as map points. Staff only, within their area.
enum ComplaintInsightRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1", "complaints")
        api.get("themes", use: themes)
        api.put("themes", ":code", use: saveTheme)
        api.get("trends", use: trends)
        api.get("map.geojson", use: mapPoints)
    }

    @Sendable static func themes(req: Request) async throws -> [ThemeDTO] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        return try await ComplaintThemes(db: req.sql).all().map(ThemeDTO.init)
    }

    struct ThemeDTO: Content, Sendable {
        let code: String
        let nameZh: String
        let nameEn: String
        let keywords: [String]
        init(_ t: ComplaintTheme) {
            code = t.code
            nameZh = t.nameZh
            nameEn = t.nameEn
            keywords = t.keywords
        }
    }

    struct ThemeInput: Content {
        var nameZh: String
        var nameEn: String?
        var keywords: [String]
    }

    /// Administrators edit a dictionary (or add a theme); every complaint is then recounted.
    @Sendable static func saveTheme(req: Request) async throws -> [ThemeDTO] {
        let p = try req.requirePrincipal()
        guard p.role == .admin else { throw AppError.forbidden }
        let code = req.parameters.get("code") ?? ""
        guard code.count <= 40, !code.isEmpty,
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw AppError.invalid(
                "code", zh: "主题编码只能含字母、数字和下划线（不超过 40 个）", en: "Theme code: letters, digits, underscore, at most 40")
        }
        let input = try req.content.decode(ThemeInput.self)
        let name = input.nameZh.trimmingCharacters(in: .whitespaces)
        guard (1...20).contains(name.count) else {
            throw AppError.invalid("nameZh", zh: "主题名称应为 1–20 个字", en: "Name: 1–20 characters")
        }
        let keywords = input.keywords.map {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        }.filter { !$0.isEmpty }
        guard (1...100).contains(keywords.count), keywords.allSatisfy({ $0.count <= 20 }) else {
            throw AppError.invalid(
                "keywords", zh: "请给出 1–100 个关键词，每个不超过 20 字", en: "Give 1–100 keywords of at most 20 characters")
        }
        let english = String((input.nameEn ?? code).prefix(60))
        try await req.db.writeTransaction { tx in
            let sql = try tx.sql
            try await sql.delete(from: "complaint_themes").where("code", .equal, code).run()
            struct Max: Decodable { let m: Int? }
            let position =
                (try await sql.select().column(SQLFunction("MAX", args: SQLColumn("position")), as: "m").from(
                    "complaint_themes"
                )
                .first(decoding: Max.self)?.m ?? 0) + 1
            try await sql.insert(into: "complaint_themes").columns("code", "name_zh", "name_en", "keywords", "position")
                .values(
                    SQLBind(code), SQLBind(name), SQLBind(english), SQLBind(keywords.joined(separator: ",")),
                    SQLBind(position)
                ).run()
        }
        try await ComplaintThemes(db: req.sql).recount()
        req.complaints.settingsChanged()
        await req.audit.record(
            action: "update", entity: "complaint_theme", entityID: code, detail: keywords.joined(separator: ","))
        return try await ComplaintThemes(db: req.sql).all().map(ThemeDTO.init)
    }

    struct TrendsQuery: Content {
        var under: String?
        var fromMonth: String?
        var toMonth: String?
    }

    @Sendable static func trends(req: Request) async throws -> ComplaintThemes.Trends {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let q = try req.query.decode(TrendsQuery.self)
        let code = try parseCode(q.under ?? p.nodeCode ?? "", field: "under")
        guard p.scope.allowsBrowsing(code: code.value) || p.role == .admin else { throw AppError.forbidden }
        let (defaultFrom, defaultTo) = ComplaintThemes.lastYear()
        let to = try ComplaintInput.month(q.toMonth, field: "toMonth") ?? defaultTo
        let from =
            try ComplaintInput.month(q.fromMonth, field: "fromMonth") ?? ComplaintThemes.months(
                from: defaultFrom, to: to
            ).first ?? defaultFrom
        guard from <= to else {
            throw AppError.invalid("fromMonth", zh: "起始月份不能晚于结束月份", en: "fromMonth is after toMonth")
        }
        let names = try await req.hierarchy.gridLocator.snapshot().info.mapValues {
            "\($0.communityName) \($0.gridName)"
        }
        return try await ComplaintThemes(db: req.sql).trends(
            under: code, fromMonth: from, toMonth: to, gridNames: names, gate: req.complaints.rateRefresh)
    }

    /// Open complaints the viewer may see, as GeoJSON points (at most 5,000, most urgent first).
    @Sendable static func mapPoints(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let rows = try await ComplaintStore.visible(to: p, on: req.sql)
            .where("status", .in, ComplaintStatus.allCases.filter(\.isOpen).map(\.rawValue))
            .orderBy("resolve_by").limit(5000).all(decoding: ComplaintRow.self)
        let names = try await ComplaintDesk(req).categoryNames()
        let now = Date()
        let t = Localizer(req)
        var features: [[String: Any]] = []
        for r in rows {
            let late =
                r.deadlines.map { !ComplaintClocks.overdue(status: r.status, deadlines: $0, now: now).isEmpty } ?? false
            features.append([
                "type": "Feature",
                "geometry": ["type": "Point", "coordinates": [r.lon, r.lat]],
                "properties": [
                    "id": r.id.uuidString, "number": r.number, "category": names[r.category_code] ?? r.category_code,
                    "status": r.status.rawValue, "statusName": t.name(r.status), "overdue": late,
                    "text": r.text.clipped(40),
                ] as [String: Any],
            ])
        }
        let data = try JSONSerialization.data(
            withJSONObject: ["type": "FeatureCollection", "features": features], options: [.sortedKeys])
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "geo+json")
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
