import SQLKit
import Vapor
import ZhiliDomain

/// JSON API of the registry's write side, search, profiles, care plans and reviews.
enum RegistryRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.post("residents", use: create)
        api.get("residents", "search", use: search)
        api.patch("residents", ":id", use: update)
        api.post("residents", ":id", "reveal", use: reveal)
        api.get("residents", ":id", "profile", use: profile)
        api.post("residents", ":id", "visits", use: visit)
        api.get("residents", ":id", "contacts", use: EmergencyContacts.get)
        api.put("residents", ":id", "contacts", use: EmergencyContacts.put)
        api.get("nodes", ":code", "profile", use: nodeProfile)
        api.get("tags", use: tags)
        api.get("care", "todo", use: todo)
        api.get("care", "indicators", use: indicators)
        api.get("reviews", use: reviews)
        api.post("reviews", ":id", "approve", use: approve)
        api.post("reviews", ":id", "reject", use: reject)
    }

    static func service(_ req: Request) throws -> ResidentService {
        ResidentService(db: try req.sql, cipher: req.zhili.cipher)
    }

    static func residentID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw AppError(.badRequest, code: "invalid_id", zh: "编号格式错误", en: "Malformed id", field: "id")
        }
        return id
    }

    static func validationError(_ issues: [FieldIssue]) -> AppError {
        let first = issues[0]
        return AppError(
            .unprocessableEntity, code: "invalid_field",
            zh: issues.map { $0.messageZh }.joined(separator: "；"),
            en: issues.map { $0.messageEn }.joined(separator: "; "),
            field: first.field)
    }

    /// Loads a resident the caller may act on (staff in scope), auditing refusals.
    static func scopedCurrent(_ req: Request, action: String) async throws -> (Principal, ResidentService.Current) {
        let p = try req.requirePrincipal()
        let id = try residentID(req)
        // A plain read loads through the read connections; anything that goes on to write
        // loads through the request's own database.
        let loader =
            action == "read" ? ResidentService(db: try req.readSQL, cipher: req.zhili.cipher) : try service(req)
        guard let current = try await loader.load(id) else { throw AppError.notFound(entity: "resident") }
        try await req.requireInScope(
            code: current.household, entity: "resident", id: id.uuidString,
            roleAllowed: p.role.isStaff || (p.role == .resident && action == "read"))
        // In scope, yet a write this role does not make (city officials and most departments
        // read the register; they do not edit it or record visits).
        guard action == "read" || action == "reveal" || RegistryPolicy.mayWrite(p, action: action) else {
            await req.audit.record(
                action: "\(action)_denied", entity: "resident", entityID: id.uuidString, outcome: .denied)
            throw AppError.forbidden
        }
        return (p, current)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let p = try req.requireRole(.gridWorker, .communityStaff, .streetOfficial)
        let input = try req.content.decode(ResidentInput.self)
        let catalogue = try await TagCatalogue.byCode(on: req.sql)
        let valid: ValidResident
        switch ResidentValidation.validate(input, tagCatalogue: catalogue) {
        case .success(let v): valid = v
        case .failure(let f): throw validationError(f.issues)
        }
        guard p.scope.allows(code: valid.householdCode) else { throw AppError.forbidden }
        let svc = try service(req)
        try await svc.requireHousehold(valid.householdCode)
        if let existing = try await svc.store.findID(idNumber: valid.idNumber) {
            guard let current = try await svc.load(existing), !p.scope.allows(code: current.household) else {
                throw AppError.conflict(
                    "duplicate_id_number", zh: "该证件号码已登记", en: "This ID number is already registered", field: "idNumber"
                )
            }
            // Registered outside the caller's area: as with an import, a move-in for review,
            // not a change to someone the caller may not see.
            let request = try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).submitMoveIn(
                residentID: existing, value: valid, by: p)
            await req.audit.record(action: "move_in_requested", entity: "resident", entityID: existing.uuidString)
            let response = Response(status: .accepted)
            try response.content.encode(ResidentService.Outcome(applied: [], pendingReview: request, issues: []))
            return response
        }
        let id = try await req.db.writeTransaction { db in
            try await ResidentStore(db: db.sql, cipher: req.zhili.cipher)
                .insert(valid, actor: .init(id: p.userID, name: p.username), catalogue: catalogue)
        }
        await req.audit.record(action: "create", entity: "resident", entityID: id.uuidString)
        await req.hierarchy.changed()
        guard let row = try await ResidentReads(db: req.sql).find(id) else {
            throw AppError.internalFailure("created resident vanished")
        }
        let response = Response(status: .created)
        try response.content.encode(ResidentDTO(row, tags: valid.tags))
        return response
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let (p, current) = try await scopedCurrent(req, action: "update")
        let patch = try req.content.decode(ResidentService.Patch.self)
        if let h = patch.householdCode, !p.scope.allows(code: h) { throw AppError.forbidden }
        let outcome = try await req.db.writeTransaction { db in
            try await ResidentService(db: db.sql, cipher: req.zhili.cipher).apply(patch, to: current, by: p)
        }
        if !outcome.issues.isEmpty { throw validationError(outcome.issues) }
        await req.audit.record(
            action: "update", entity: "resident", entityID: current.id.uuidString,
            detail: (outcome.applied + (outcome.pendingReview == nil ? [] : ["pending_review"])).joined(separator: ","))
        await req.hierarchy.changed()
        let response = Response(status: outcome.pendingReview == nil ? .ok : .accepted)
        try response.content.encode(outcome)
        return response
    }

    struct RevealInput: Content {
        let field: String
        let reason: String
    }
    struct Revealed: Content {
        let field: String
        let value: String?
    }

    @Sendable static func reveal(req: Request) async throws -> Revealed {
        let (p, current) = try await scopedCurrent(req, action: "reveal")
        let input = try req.content.decode(RevealInput.self)
        guard ["idNumber", "phone"].contains(input.field) else {
            throw AppError.invalid("field", zh: "只能查看证件号码或电话", en: "Only idNumber or phone can be revealed")
        }
        let reason = try RevealReason.validated(input.reason)
        guard TagVisibility.mayReveal(p, isChild: current.valid.age < 14) else {
            await req.audit.record(
                action: "reveal_denied", entity: "resident", entityID: current.id.uuidString, outcome: .denied,
                detail: input.field)
            throw AppError.forbidden
        }
        await req.audit.record(
            action: "reveal", entity: "resident", entityID: current.id.uuidString, detail: "\(input.field): \(reason)")
        return Revealed(
            field: input.field, value: input.field == "idNumber" ? current.valid.idNumber : current.valid.phone)
    }

    struct SearchResult: Content {
        let kind: String
        let items: [ResidentDTO]

        /// Written directly (the search is the registry's busiest read), as `JSONEncoder` would.
        func response() -> Response {
            var json = JSONWriter(capacity: 512 + items.count * 400)
            json.beginObject()
            json.key("kind")
            json.string(kind)
            json.key("items")
            json.beginArray()
            for item in items { item.write(into: &json) }
            json.endArray()
            json.endObject()
            return json.response()
        }
    }

    @Sendable static func search(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let query = try req.query.decode(ResidentSearch.Query.self)
        let (kind, rows) = try await ResidentSearch(db: req.sql, cipher: req.zhili.cipher, readers: req.zhili.readers)
            .run(query, viewer: p, catalogue: try await TagCatalogue.cached(req))
        let views = try await ResidentViews(req, viewer: p).dtos(rows, tagsInRows: true)
        let shown = kind == .idNumber || kind == .phone ? "(\(kind.rawValue))" : (query.q ?? "")
        await req.audit.record(
            action: "search", entity: "resident", entityID: query.under, detail: "\(shown) → \(rows.count)")
        return SearchResult(kind: kind.rawValue, items: views).response()
    }

    @Sendable static func profile(req: Request) async throws -> ResidentProfile {
        let (p, current) = try await scopedCurrent(req, action: "read")
        await req.audit.record(action: "read_profile", entity: "resident", entityID: current.id.uuidString)
        return try await ResidentProfile.build(
            current, viewer: p, db: req.readSQL, catalogue: try await TagCatalogue.cached(req))
    }

    @Sendable static func visit(req: Request) async throws -> Response {
        let (p, current) = try await scopedCurrent(req, action: "visit")
        let input = try req.content.decode(CarePlans.VisitInput.self)
        if let lat = input.lat, let lon = input.lon, (-90...90).contains(lat), (-180...180).contains(lon),
            try await !req.hierarchy.gridLocator.isInCity(GeoPoint(lat: lat, lon: lon))
        {
            throw AppError.invalid(
                "lat", zh: "走访位置不在本市范围内，请重新定位", en: "The visit's position lies outside the city; locate again")
        }
        let visit = try await CarePlans(db: req.sql).record(
            input, residentID: current.id, household: current.household, by: p)
        await req.audit.record(
            action: "create", entity: "visit", entityID: visit.id.uuidString, detail: current.id.uuidString)
        let response = Response(status: .created)
        try response.content.encode(visit)
        return response
    }

    @Sendable static func nodeProfile(req: Request) async throws -> NodeProfile {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let code = try parseCode(req.parameters.get("code") ?? "")
        guard p.scope.allows(code: code.value) else { throw AppError.forbidden }
        let profile = try await req.registry.profiles.value(for: code.value) {
            try await NodeProfile.build(code, db: req.readSQL, counts: req.hierarchy.counts)
        }
        guard let profile else { throw AppError.notFound("Node", zhWhat: "节点") }
        return profile
    }

    @Sendable static func tags(req: Request) async throws -> [TagCatalogue.Definition] {
        _ = try req.requirePrincipal()
        return try await TagCatalogue.all(on: req.sql)
    }

    struct DueQuery: Content { var due: String? }

    /// `due` (overdue or soon) as given, or an error naming the field; nil when absent.
    static func dueFilter(_ raw: String?) throws -> CarePlans.Due? {
        guard let raw else { return nil }
        guard let due = CarePlans.Due(rawValue: raw) else {
            throw AppError.invalid("due", zh: "due 应为 overdue 或 soon", en: "due must be overdue or soon")
        }
        return due
    }

    @Sendable static func todo(req: Request) async throws -> [CarePlans.TodoItem] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let due = try dueFilter(try req.query.decode(DueQuery.self).due)
        return try await CarePlans(db: req.sql).todo(scope: p.scope, viewer: p, due: due)
    }

    struct UnderQuery: Content { var under: String? }

    @Sendable static func indicators(req: Request) async throws -> [CarePlans.Indicator] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let raw = try req.query.decode(UnderQuery.self).under ?? p.nodeCode ?? ""
        let code = try parseCode(raw, field: "under")
        guard p.scope.allows(code: code.value) else { throw AppError.forbidden }
        let names = Dictionary(
            try await req.hierarchy.reads(try req.sql).children(of: code).map { ($0.code, $0.name) },
            uniquingKeysWith: { a, _ in a })
        return try await CarePlans(db: req.sql).indicators(under: code, names: names, viewer: p)
    }

    struct StatusQuery: Content { var status: String? }

    static func requireReviewer(_ req: Request) throws -> Principal {
        try req.requireRole(.communityStaff, .streetOfficial)
    }

    @Sendable static func reviews(req: Request) async throws -> [ReviewQueue.Item] {
        let p = try req.requirePrincipal()
        guard p.role.isStaff else { throw AppError.forbidden }
        let status = try req.query.decode(StatusQuery.self).status ?? "pending"
        guard ["pending", "approved", "rejected"].contains(status) else {
            throw AppError.invalid(
                "status", zh: "状态应为 pending、approved 或 rejected", en: "status must be pending, approved or rejected")
        }
        return try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).list(status: status, scope: p.scope)
    }

    static func reviewItem(_ req: Request) async throws -> (Principal, ReviewQueue.Item) {
        let p = try requireReviewer(req)
        let id = try residentID(req)
        guard let item = try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).find(id) else {
            throw AppError.notFound("Review request", zhWhat: "审核申请")
        }
        guard p.scope.allows(code: item.householdCode) else { throw AppError.forbidden }
        return (p, item)
    }

    @Sendable static func approve(req: Request) async throws -> ResidentService.Outcome {
        try await approveReview(req)
    }

    /// Approves the request named in the path; shared by the API and the review page.
    static func approveReview(_ req: Request) async throws -> ResidentService.Outcome {
        let (p, item) = try await reviewItem(req)
        let outcome = try await req.db.writeTransaction { db in
            let sql = try db.sql
            return try await ReviewQueue(db: sql, cipher: req.zhili.cipher)
                .approve(item, by: p, service: ResidentService(db: sql, cipher: req.zhili.cipher))
        }
        if !outcome.issues.isEmpty { throw validationError(outcome.issues) }
        await req.audit.record(action: "approve", entity: "change_request", entityID: item.id.uuidString)
        return outcome
    }

    struct RejectInput: Content { let reason: String }

    @Sendable static func reject(req: Request) async throws -> HTTPStatus {
        try await rejectReview(req, reason: try req.content.decode(RejectInput.self).reason)
        return .noContent
    }

    /// Rejects the request named in the path with a non-blank reason; shared by the API and the page.
    static func rejectReview(_ req: Request, reason raw: String) async throws {
        let (p, item) = try await reviewItem(req)
        let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw AppError.invalid("reason", zh: "请填写驳回原因", en: "A reason is required") }
        try await ReviewQueue(db: req.sql, cipher: req.zhili.cipher).reject(item, by: p, reason: reason)
        await req.audit.record(action: "reject", entity: "change_request", entityID: item.id.uuidString, detail: reason)
    }
}
