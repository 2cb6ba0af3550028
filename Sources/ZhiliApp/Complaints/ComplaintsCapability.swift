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
            WidenOpenDueIndex(), AddComplaintPrivacy(), AddOtherCategory(), AddComplaintSerials(),
        ]
    }

    func boot(_ app: Application) throws {
        app.storage[ComplaintServices.Key.self] = ComplaintServices(
            intake: ComplaintIntake(db: try app.db.sql, channels: app.zhili.config.notifications))
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

    /// Reviewers see what waits for review and what is late in their area; handlers (grid
    /// workers, departments) what waits to be signed for, what is in hand and what is late;
    /// city officials what is late. Each counts `ComplaintStore.count` of the inbox tab it opens.
    func todo(_ context: ToDoContext) async throws -> [ToDoItem] {
        let p = context.principal
        guard p.role.isStaff else { return [] }
        let queues: [(ComplaintStore.Queue, ToDoItem.Tone, Int)]
        switch p.role {
        case .communityStaff, .streetOfficial, .admin: queues = [(.submitted, .warn, 20), (.overdue, .bad, 10)]
        case .gridWorker, .departmentStaff:
            queues = [(.dispatched, .warn, 20), (.inProgress, .normal, 30), (.overdue, .bad, 10)]
        default: queues = [(.overdue, .bad, 10)]
        }
        var items: [ToDoItem] = []
        for (queue, tone, order) in queues {
            let n = try await ComplaintStore.count(queue, for: p, on: context.sql, now: context.now)
            items.append(
                ToDoItem(
                    key: "complaints.\(queue.rawValue)", label: "complaints.todo.\(queue.rawValue)", count: n,
                    url: "/complaints?tab=\(queue.rawValue)", tone: n > 0 ? tone : .normal, order: order))
        }
        return items
    }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        var entries: [NavigationEntry] = []
        if principal.role.isStaff {
            entries.append(
                NavigationEntry(
                    key: "complaints", label: "complaints.nav.complaints", url: "/complaints", order: 40, tab: true,
                    icon: "list"))
        }
        if principal.role == .resident, principal.nodeCode != nil {
            entries.append(
                NavigationEntry(
                    key: "tell", label: "complaints.nav.tell", url: "/tell", order: 40, tab: true, icon: "pencil"))
            entries.append(
                NavigationEntry(
                    key: "complaints", label: "complaints.nav.mine", url: "/complaints", order: 41, tab: true,
                    icon: "list"))
        }
        if principal.role == .admin {
            entries.append(
                NavigationEntry(
                    key: "categories", label: "complaints.nav.categories", url: "/complaints/categories", order: 910,
                    icon: "gear"))
            entries.append(
                NavigationEntry(
                    key: "integrations", label: "complaints.nav.integrations", url: "/admin/integrations", order: 920,
                    icon: "gear"))
        }
        return entries
    }

    var vocabularies: [VocabularyKeys] {
        [.of(ComplaintStatus.self), .of(TimeLimitTier.self), .of(ClockKind.self), .of(EscalationLevel.self)]
    }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.complaints_zh_json, en: PackageResources.complaints_en_json)
    }

    var assets: [Asset] {
        [
            Asset(name: "complaint-map.js", bytes: PackageResources.complaint_map_js),
            Asset(name: "tell.js", bytes: PackageResources.tell_js),
            Asset(name: "complaint-spot.js", bytes: PackageResources.complaint_spot_js),
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

/// Names of its terms in the message catalogue (`t.name(status)`).
extension ComplaintStatus: Vocabulary { static var messagePrefix: String { "complaints.status" } }
extension TimeLimitTier: Vocabulary { static var messagePrefix: String { "complaints.tier" } }
extension ClockKind: Vocabulary { static var messagePrefix: String { "complaints.clock" } }
extension EscalationLevel: Vocabulary { static var messagePrefix: String { "complaints.escalation" } }
