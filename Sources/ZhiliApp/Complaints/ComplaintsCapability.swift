import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// 接诉即办: complaints from a resident's words or photo to a rated result, with categories,
/// time limits, escalation, the three rates, themes, followers and the Open311 door.
struct ComplaintsCapability: Capability {
    let name = "complaints"

    var migrations: [any Migration] {
        [
            CreateComplaints(), CreateOpen311Keys(), CreateComplaintRateCells(), CreateComplaintThemes(),
            ExtendComplaintCategories(), IndexOpenComplaints(), CreateComplaintFollowers(), AddComplaintContactPhone(),
            WidenOpenDueIndex(), AddComplaintPrivacy(),
        ]
    }

    func boot(_ app: Application) throws {
        app.storage[ComplaintServices.Key.self] = ComplaintServices(intake: ComplaintIntake(db: try app.db.sql))
    }

    func routes(_ app: Application) throws {
        ComplaintRoutes.register(app)
        ComplaintInsightRoutes.register(app)
        Open311Routes.register(app)
        Open311KeyRoutes.register(app)
        ComplaintPages.register(app)
    }

    var operations: [APIOperation] { ComplaintsAPI.operations + ComplaintsAPI.keyOperations }
    var schemas: [(String, JSONValue)] { ComplaintsAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        var entries: [NavigationEntry] = []
        if principal.role.isStaff {
            entries.append(
                NavigationEntry(key: "complaints", zh: "接诉即办", en: "Complaints", url: "/complaints", order: 40))
        }
        if principal.role == .resident, principal.nodeCode != nil {
            entries.append(NavigationEntry(key: "tell", zh: "有事您说", en: "Tell us", url: "/tell", order: 40))
            entries.append(
                NavigationEntry(key: "complaints", zh: "我的诉求", en: "My complaints", url: "/complaints", order: 41))
        }
        if principal.role == .admin {
            entries.append(
                NavigationEntry(
                    key: "categories", zh: "诉求分类", en: "Categories", url: "/complaints/categories", order: 910))
            entries.append(
                NavigationEntry(
                    key: "integrations", zh: "系统接入", en: "Integrations", url: "/admin/integrations", order: 920))
        }
        return entries
    }

    var assets: [Asset] {
        [
            Asset(name: "complaint-map.js", bytes: PackageResources.complaint_map_js),
            Asset(name: "tell.js", bytes: PackageResources.tell_js),
        ]
    }

    func services(_ app: Application) -> [any LifecycleHandler] { [ComplaintScheduler()] }

    var commands: [OperatorCommand] {
        [
            OperatorCommand(
                name: "demo-complaints",
                usage: [
                    "zhili demo-complaints --count N [--seed S]   (adds N complaints of history to an existing city)"
                ],
                run: { _, _, loader in try await ComplaintCommands.demoComplaints(loader) }),
            OperatorCommand(
                name: "open311-key",
                usage: ["zhili open311-key --name INTEGRATOR          (issues an Open311 api_key, shown once)"],
                run: { _, _, loader in try await ComplaintCommands.open311Key(loader) }),
        ]
    }

    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        var history = SeededGenerator(seed: city.seed ^ 0x12345)
        _ = try await DemoComplaints.write(on: sql, spec: city.spec, geography: city.geography, rng: &history)
        _ = try await Open311Keys.issue(integrator: "演示接入方", on: sql, key: Open311Keys.demoKey)
    }

    func afterDemo(_ app: Application) async throws {
        // The three-rate cells, counted once now rather than by the first report.
        let sql = try app.db.sql
        try await ComplaintRateCells(db: sql).markAll()
        try await ComplaintRateCells(db: sql).refresh(range: nil)
        try await ComplaintThemes(db: sql).recount()
    }
}

/// 接诉即办's services and caches.
final class ComplaintServices: Sendable {
    struct Key: StorageKey { typealias Value = ComplaintServices }

    /// Group commit of submissions (see `ComplaintIntake`).
    let intake: ComplaintIntake
    /// One recount of the rate cells at a time, however many reports ask.
    let rateRefresh = SingleFlight()
    /// Reports keyed by what they were computed from (the rate cells' generation).
    let reports = ReadCache<String, ComplaintRates.Report>(maxAge: 300)
    /// Read on every submission and page, rarely changed: at most 30 s old, cleared at once
    /// when changed through this instance (`settingsChanged`).
    let categories = SettingCache<[ComplaintCategories.Category]>()
    let themes = SettingCache<ThemeMatcher>()

    init(intake: ComplaintIntake) { self.intake = intake }

    /// Call after categories or theme dictionaries changed in this instance.
    func settingsChanged() {
        categories.invalidate()
        themes.invalidate()
    }
}

extension Application {
    var complaints: ComplaintServices { service(ComplaintServices.Key.self) }
}

extension Request {
    var complaints: ComplaintServices { application.complaints }
}
