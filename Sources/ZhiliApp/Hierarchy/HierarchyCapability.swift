import Fluent
import SQLKit
import Synchronization
import Vapor
import ZhiliDomain

/// The hierarchy (城市 › 街道 › 社区 › 网格 › 楼栋 › 单元 › 户): nodes, households, grid
/// outlines, the map, a household's page, and the duty roster of the staff on the nodes.
struct HierarchyCapability: Capability {
    let name = "hierarchy"

    var migrations: [any Migration] { [CreateNodes(), CreateHouseholds(), CreateDutyShifts()] }

    func boot(_ app: Application) throws {
        let db = try app.db.sql
        app.storage[HierarchyServices.Key.self] = HierarchyServices(
            counts: HierarchyCounts(db: db, background: app.zhili.background), gridLocator: GridLocatorCache(db: db))
    }

    func routes(_ app: Application) throws {
        HierarchyRoutes.register(app)
        HierarchyPages.register(app)
        DutyRoutes.register(app)
    }

    var operations: [APIOperation] { HierarchyAPI.operations }
    var schemas: [(String, JSONValue)] { HierarchyAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        if principal.role.isStaff {
            return [
                NavigationEntry(
                    key: "hierarchy", label: "hierarchy.nav.hierarchy", url: "/hierarchy", order: 20, icon: "grid"),
                NavigationEntry(
                    key: "map", label: "hierarchy.nav.map", url: "/map", order: 30,
                    tab: [.streetOfficial, .cityOfficial, .departmentStaff].contains(principal.role), icon: "map"),
                NavigationEntry(key: "duty", label: "hierarchy.nav.duty", url: "/duty", order: 33, icon: "people"),
            ]
        }
        if principal.role == .resident, let household = principal.nodeCode {
            return [
                NavigationEntry(
                    key: "household", label: "hierarchy.nav.household", url: "/h/\(household)", order: 50,
                    icon: "people"),
                NavigationEntry(key: "map", label: "hierarchy.nav.map", url: "/map", order: 60, icon: "map"),
            ]
        }
        return []
    }

    /// The duty roster of the demo's staff (two weeks from the day it is made).
    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        try await DutyShifts.demo(on: sql)
    }

    var vocabularies: [VocabularyKeys] { [.of(NodeLevel.self)] }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.hierarchy_zh_json, en: PackageResources.hierarchy_en_json)
    }

    var assets: [Asset] {
        [
            Asset(name: "basemap.js", bytes: PackageResources.basemap_js),
            Asset(name: "map.js", bytes: PackageResources.map_js),
        ]
    }
}

/// The hierarchy's services: counts by node, the grid locator, the grid outlines by scope.
final class HierarchyServices: Sendable {
    struct Key: StorageKey { typealias Value = HierarchyServices }

    let counts: HierarchyCounts
    let gridLocator: GridLocatorCache
    /// The grid outlines as GeoJSON, by the scope's lower code ("*" for the city).
    let gridOutlines = ReadCache<String, String>()
    private let dependents = Mutex<[@Sendable () -> Void]>([])

    init(counts: HierarchyCounts, gridLocator: GridLocatorCache) {
        self.counts = counts
        self.gridLocator = gridLocator
    }

    /// Reads of nodes with their counts, on the given database.
    func reads(_ db: any SQLDatabase) -> HierarchyReads { HierarchyReads(db: db, counts: counts) }

    /// Other capabilities' caches built from nodes, households or residents (the registry's
    /// profiles) register here, and are cleared by `changed`.
    func onChange(_ clear: @escaping @Sendable () -> Void) {
        dependents.withLock { $0.append(clear) }
    }

    /// Call after any change to nodes, households or residents in this instance.
    func changed(geometry: Bool = false) async {
        await counts.invalidate()
        gridOutlines.invalidate()
        for clear in dependents.withLock({ $0 }) { clear() }
        if geometry { gridLocator.invalidate() }
    }
}

extension Application {
    var hierarchy: HierarchyServices { service(HierarchyServices.Key.self) }
}

extension Request {
    var hierarchy: HierarchyServices { application.hierarchy }
}

/// Names of its terms in the message catalogue (`t.name(status)`).
extension NodeLevel: Vocabulary { static var messagePrefix: String { "hierarchy.level" } }
