import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Open311 GeoReport v2 at /open311/v2/: categories are its services, complaints its
/// service requests. Reading is public, so it shows what a public tracker shows: category,
/// status, dates, a point rounded to about 100 m, who is responsible as an office (not a
/// person) and the description without phone numbers, ID numbers or names; no address. Matters
/// of a person's own life (categories not listed publicly: welfare, disputes …) are not
/// shown at all. Posting needs an integrator's api_key.
enum Open311Routes {
    static func register(_ app: Application) {
        let v2 = app.grouped("open311", "v2")
        v2.get(":resource", use: resource)  // discovery.json, services.json, requests.json
        v2.on(.POST, ":resource", body: .collect(maxSize: "1mb"), use: post)
        v2.get("services", ":code", use: service)
        v2.get("requests", ":id", use: request)
        v2.get("tokens", ":id", use: token)
    }

    static func guarded(_ raw: String?, _ body: (Open311Format) async throws -> Response) async -> Response {
        let format = (try? Open311Format.split(raw ?? "").format) ?? .json
        do { return try await body(format) } catch let e as Open311Error { return e.response(format) } catch let e
            as AppError
        {
            // The spec knows 400, 403 and 404; only a point outside every grid keeps its 422.
            let status = e.status == .unprocessableEntity && e.code != "outside_all_grids" ? 400 : Int(e.status.code)
            return Open311Error(status, e.field.map { "\($0): \(e.messageEn)" } ?? e.messageEn).response(format)
        } catch {
            return Open311Error(400, "The request could not be processed").response(format)
        }
    }

    @Sendable static func resource(req: Request) async throws -> Response {
        await guarded(req.parameters.get("resource")) { _ in
            let (name, format) = try Open311Format.split(req.parameters.get("resource") ?? "")
            switch name {
            case "discovery": return discovery(req, format)
            case "services": return try await services(req, format)
            case "requests": return try await requests(req, format)
            default: throw Open311Error(404, "Unknown resource \(name)")
            }
        }
    }

    static func discovery(_ req: Request, _ format: Open311Format) -> Response {
        let host = req.headers.first(name: .host) ?? "127.0.0.1:8080"
        return format.render(
            [
                [
                    ("changeset", .text("2026-11-29T00:00:00Z")),
                    ("contact", .text("智理 Zhili platform administrators")),
                    ("key_service", .text("Ask the platform administrators for an api_key")),
                    (
                        "endpoints",
                        .records(
                            [
                                [
                                    ("specification", .text("http://wiki.open311.org/GeoReport_v2")),
                                    ("url", .text("http://\(host)/open311/v2")),
                                    ("changeset", .text("2026-11-29T00:00:00Z")), ("type", .text("production")),
                                    ("formats", .list(["application/json", "text/xml"])),
                                ]
                            ],
                            item: "endpoint")
                    ),
                ]
            ], root: "discovery", item: "discovery")
    }

    static func services(_ req: Request, _ format: Open311Format) async throws -> Response {
        let all = try await ComplaintCategories.cached(req.complaints.categories, on: req.sql).filter {
            $0.active && $0.parentCode != nil
        }
        let groups = try await ComplaintDesk(req).categoryNames()
        return format.render(
            all.map { c in
                [
                    ("service_code", .text(c.code)), ("service_name", .text(c.nameZh)),
                    ("description", .text("\(c.nameZh) / \(c.nameEn)")),
                    ("metadata", .bool(!c.questions.isEmpty)), ("type", .text("realtime")),
                    ("keywords", .text(c.keywords ?? "")),
                    ("group", .text(c.parentCode.flatMap { groups[$0] } ?? "")),
                ]
            }, root: "services", item: "service")
    }

    @Sendable static func service(req: Request) async throws -> Response {
        await guarded(req.parameters.get("code")) { _ in
            let (code, format) = try Open311Format.split(req.parameters.get("code") ?? "")
            guard let category = try await ComplaintCategories.find(code, on: req.sql) else {
                throw Open311Error(404, "Unknown service_code \(code)")
            }
            // The category's extra questions are the service's attributes.
            let attributes: [Open311Format.Record] = category.questions.enumerated().map { i, q in
                [
                    ("variable", .bool(true)), ("code", .text(q.code)), ("datatype", .text(q.kind.open311)),
                    ("required", .bool(q.required)),
                    ("datatype_description", .text(q.kind == .date ? "YYYY-MM-DD" : nil)),
                    ("order", .number(Double(i + 1))),
                    ("description", .text("\(q.labelZh) / \(q.labelEn)")),
                    ("values", .records(q.options.map { [("key", .text($0)), ("name", .text($0))] }, item: "value")),
                ]
            }
            return format.render(
                [[("service_code", .text(code)), ("attributes", .records(attributes, item: "attribute"))]],
                root: "service_definition", item: "service_definition")
        }
    }

    /// Who is responsible, as an office: the department, or the community of the place.
    static func agency(_ c: ComplaintRow) -> String? {
        guard c.handler_kind != nil else { return nil }
        if c.handler_kind == "department", let d = c.handler_department.flatMap(Department.init(rawValue:)) {
            return d.nameZh
        }
        return "所在社区"
    }

    static func record(_ c: ComplaintRow, names: [String: String]) -> Open311Format.Record {
        let status = c.status
        let iso = ISO8601DateFormatter()
        return [
            ("service_request_id", .text(c.id.uuidString)), ("status", .text(status.isOpen ? "open" : "closed")),
            ("status_notes", .text(status.nameZh)), ("service_name", .text(names[c.category_code] ?? c.category_code)),
            ("service_code", .text(c.category_code)),
            ("description", .text(PublicText.redacted(c.text, names: c.submitter_name.map { [$0] } ?? []))),
            ("agency_responsible", .text(agency(c))),
            ("service_notice", .text(nil)), ("requested_datetime", .text(iso.string(from: c.created_at))),
            (
                "updated_datetime",
                .text(iso.string(from: c.closed_at ?? c.resolved_at ?? c.dispatched_at ?? c.created_at))
            ),
            ("expected_datetime", .text(c.resolve_by.map { iso.string(from: $0) })), ("address", .text(nil)),
            ("address_id", .text(nil)), ("zipcode", .text(nil)), ("lat", .number(PublicText.coarse(c.lat))),
            ("long", .number(PublicText.coarse(c.lon))),
            ("media_url", .text(nil)),
        ]
    }

    struct ListQuery: Content {
        var service_request_id: String?
        var service_code: String?
        var start_date: String?
        var end_date: String?
        var status: String?
    }

    static func requests(_ req: Request, _ format: Open311Format) async throws -> Response {
        let q = try req.query.decode(ListQuery.self)
        let listed = try await publicCodes(req)
        guard !listed.isEmpty else { return format.render([], root: "service_requests", item: "request") }
        let select = try req.sql.select().columns(ComplaintRow.columns).from("complaints")
            .where("status", .notEqual, ComplaintStatus.merged.rawValue).where(
                "category_code", .in, Array(listed).sorted())
        if let ids = q.service_request_id {
            let list = ids.split(separator: ",").compactMap {
                UUID(uuidString: String($0).trimmingCharacters(in: .whitespaces))
            }
            guard !list.isEmpty else {
                throw Open311Error(400, "service_request_id must be a comma-separated list of ids")
            }
            select.where("id", .in, list)
        } else {
            // The spec's defaults: the last 90 days, at most 1,000 requests.
            let end = try date(q.end_date, "end_date") ?? Date()
            let start = try date(q.start_date, "start_date") ?? end.addingTimeInterval(-90 * 86400)
            guard start <= end, end.timeIntervalSince(start) <= 90 * 86400 + 1 else {
                throw Open311Error(400, "start_date to end_date may span at most 90 days")
            }
            select.where("created_at", .greaterThanOrEqual, start).where("created_at", .lessThanOrEqual, end)
            if let codes = q.service_code {
                select.where("category_code", .in, codes.split(separator: ",").map(String.init))
            }
            switch q.status {
            case nil: break
            case "open":
                select.where(
                    "status", .in, [ComplaintStatus.submitted, .dispatched, .signed, .inProgress].map(\.rawValue))
            case "closed": select.where("status", .in, [ComplaintStatus.resolved, .closed, .rejected].map(\.rawValue))
            default: throw Open311Error(400, "status must be open or closed")
            }
        }
        let rows = try await select.orderBy("created_at", .descending).limit(1000).all(decoding: ComplaintRow.self)
        let names = try await ComplaintDesk(req).categoryNames()
        return format.render(rows.map { record($0, names: names) }, root: "service_requests", item: "request")
    }

    static func publicCodes(_ req: Request) async throws -> Set<String> {
        ComplaintCategories.publicCodes(try await ComplaintCategories.cached(req.complaints.categories, on: req.sql))
    }

    static func date(_ raw: String?, _ field: String) throws -> Date? {
        do { return try ComplaintInput.instant(raw, field: field, emptyIsAbsent: true) } catch {
            throw Open311Error(400, "\(field) must be a W3C date-time")
        }
    }

    @Sendable static func request(req: Request) async throws -> Response {
        await guarded(req.parameters.get("id")) { _ in
            let (raw, format) = try Open311Format.split(req.parameters.get("id") ?? "")
            guard let id = UUID(uuidString: raw),
                let row = try await req.sql.select().columns(ComplaintRow.columns).from("complaints")
                    .where("id", .equal, id).first(decoding: ComplaintRow.self),
                row.status != .merged, try await publicCodes(req).contains(row.category_code)
            else {
                throw Open311Error(404, "No service request \(raw.prefix(40))")
            }
            let names = try await ComplaintDesk(req).categoryNames()
            return format.render([record(row, names: names)], root: "service_requests", item: "request")
        }
    }

    /// Requests are created at once, so a token is simply the request's id.
    @Sendable static func token(req: Request) async throws -> Response {
        await guarded(req.parameters.get("id")) { _ in
            let (raw, format) = try Open311Format.split(req.parameters.get("id") ?? "")
            struct Row: Decodable { let category_code: String }
            guard let id = UUID(uuidString: raw),
                let row = try await req.sql.select().column("category_code").from("complaints").where("id", .equal, id)
                    .first(decoding: Row.self),
                try await publicCodes(req).contains(row.category_code)
            else {
                throw Open311Error(404, "No token \(raw.prefix(40))")
            }
            return format.render(
                [[("service_request_id", .text(id.uuidString)), ("token", .text(id.uuidString))]],
                root: "service_requests", item: "request")
        }
    }

    @Sendable static func post(req: Request) async throws -> Response {
        await guarded(req.parameters.get("resource")) { _ in
            let (name, format) = try Open311Format.split(req.parameters.get("resource") ?? "")
            guard name == "requests" else { throw Open311Error(404, "Only requests can be posted") }
            guard req.headers.contentType == .urlEncodedForm else {
                throw Open311Error(400, "Post application/x-www-form-urlencoded fields")
            }
            // Parsed by hand: attribute[code] keys are flat fields here, not nested structures.
            guard let raw = req.body.string,
                let items = URLComponents(string: "?" + raw.replacingOccurrences(of: "+", with: "%20"))?.queryItems
            else {
                throw Open311Error(400, "Malformed form body")
            }
            let form = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            // attribute[code]=v, or attribute[code][]=v1&attribute[code][]=v2 for a multivaluelist.
            var attributes: [String: [String]] = [:]
            for item in items where item.name.hasPrefix("attribute[") {
                let inner = item.name.dropFirst("attribute[".count)
                guard let close = inner.firstIndex(of: "]") else { continue }
                attributes[String(inner[..<close]), default: []].append(item.value ?? "")
            }
            guard let key = form["api_key"], !key.isEmpty else { throw Open311Error(403, "api_key is required") }
            guard let integrator = try await Open311Keys.find(key, on: req.sql) else {
                throw Open311Error(403, "Invalid api_key")
            }
            guard let code = form["service_code"], !code.isEmpty else {
                throw Open311Error(400, "service_code is required")
            }
            guard let category = try await ComplaintCategories.find(code, on: req.sql) else {
                throw Open311Error(404, "Unknown service_code \(code)")
            }
            guard let latText = form["lat"], let lonText = form["long"], let lat = Double(latText),
                let lon = Double(lonText)
            else {
                throw Open311Error(400, "lat and long are required (address_string alone cannot be placed on a grid)")
            }
            let person = [form["last_name"], form["first_name"]].compactMap { $0 }.joined()
            let principal = Principal(
                userID: integrator.id, username: "open311", displayName: "Open311：\(integrator.integrator)",
                role: .coBuildingUnit, department: nil, nodeCode: nil, residentID: nil)
            let input = ComplaintSubmission.Input(
                categoryCode: code, text: form["description"] ?? "", lat: lat, lon: lon,
                address: form["address_string"], anonymous: false, onBehalfOf: person.isEmpty ? nil : person,
                contactPhone: form["phone"].flatMap { $0.isEmpty ? nil : $0 },
                // Attributes the service does not define are ignored, as integrators expect.
                answers: attributes.filter { a in category.questions.contains { $0.code == a.key } }
                    .mapValues { ComplaintSubmission.FlexibleAnswer($0.joined(separator: ",")) })
            let (id, _, _) = try await ComplaintSubmission(req)
                .submit(
                    input, by: principal, channel: "open311",
                    idempotencyKey: form["device_id"].flatMap { d in
                        form["account_id"].map { "o311-\(integrator.id)-\(d)-\($0)" }
                    })
            return format.render(
                [
                    [
                        ("service_request_id", .text(id.uuidString)), ("service_notice", .text("已受理，将按时限办理")),
                        ("account_id", .text(form["account_id"])),
                    ]
                ], root: "service_requests", item: "request", status: .created)
        }
    }
}
