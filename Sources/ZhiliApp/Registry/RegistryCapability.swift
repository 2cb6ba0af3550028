import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// The registry (一标三实): residents, households' members, key-population tags and their
/// visit plans, reviews of changes, imports and exports.
struct RegistryCapability: Capability {
    let name = "registry"

    var migrations: [any Migration] {
        [CreateResidents(), ExtendRegistry(), ShortenSearchHashes(), SlimNameIndexes(), CreateResidentContacts()]
    }

    func boot(_ app: Application) throws {
        let services = RegistryServices()
        app.storage[RegistryServices.Key.self] = services
        // Profiles count residents and tags; the catalogue's cache goes with them.
        app.hierarchy.onChange { services.invalidate() }
    }

    func routes(_ app: Application) throws {
        PeopleRoutes.register(app)
        RegistryRoutes.register(app)
        ExchangeRoutes.register(app)
        RegistryPages.register(app)
    }

    var operations: [APIOperation] { PeopleAPI.operations + RegistryAPI.operations }

    /// Emergency contacts for the demo's older people living alone and the disabled.
    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        try await EmergencyContacts.demo(city, on: sql)
    }
    var schemas: [(String, JSONValue)] { PeopleAPI.schemas + RegistryAPI.schemas }

    var assets: [Asset] { [Asset(name: "visit.js", bytes: PackageResources.visit_js)] }

    var vocabularies: [VocabularyKeys] { [.of(Sex.self), .of(ExchangeKind.self)] }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.registry_zh_json, en: PackageResources.registry_en_json)
    }

    /// Visits overdue and due within a week (`CarePlans.count`, the definition `/care` lists),
    /// and change requests waiting for a reviewer.
    func todo(_ context: ToDoContext) async throws -> [ToDoItem] {
        let p = context.principal
        guard p.role.isStaff else { return [] }
        let care = CarePlans(db: context.sql)
        let (overdue, soon) = try await care.counts(scope: p.scope, viewer: p, today: context.now)
        var items = [
            ToDoItem(
                key: "registry.visits-overdue", label: "registry.todo.visits-overdue", count: overdue,
                url: "/care?due=overdue", tone: overdue > 0 ? .bad : .normal, order: 40),
            ToDoItem(
                key: "registry.visits-soon", label: "registry.todo.visits-soon", count: soon, url: "/care?due=soon",
                tone: soon > 0 ? .warn : .normal, order: 41),
        ]
        if [.communityStaff, .streetOfficial, .admin].contains(p.role) {
            let pending = try await ReviewQueue(db: context.sql, cipher: context.application.zhili.cipher)
                .count(status: "pending", scope: p.scope)
            items.append(
                ToDoItem(
                    key: "registry.reviews-pending", label: "registry.todo.reviews-pending", count: pending,
                    url: "/reviews?status=pending", tone: pending > 0 ? .warn : .normal, order: 45))
        }
        return items
    }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        guard principal.role.isStaff else { return [] }
        return [
            NavigationEntry(
                key: "residents", label: "registry.nav.residents", url: "/residents", order: 50,
                tab: principal.role == .admin, icon: "people"),
            NavigationEntry(
                key: "care", label: "registry.nav.care", url: "/care", order: 60,
                tab: [.gridWorker, .communityStaff].contains(principal.role), icon: "care"),
            NavigationEntry(key: "reviews", label: "registry.nav.reviews", url: "/reviews", order: 70, icon: "check"),
            NavigationEntry(key: "exchange", label: "registry.nav.exchange", url: "/exchange", order: 80, icon: "doc"),
        ]
    }

    var commands: [OperatorCommand] {
        [
            OperatorCommand(
                name: "import",
                usage: ["zhili import residents|households|places FILE [--dry-run]"],
                takesWords: true,
                run: { _, positional, loader in try await ExchangeCommands.importFile(positional, loader) }),
            OperatorCommand(
                name: "export",
                usage: [
                    "zhili export residents|households|places --under CODE [--format csv|xlsx] [--out FILE]"
                        + " [--unmasked --reason R]"
                ],
                takesWords: true,
                run: { _, positional, loader in try await ExchangeCommands.export(positional, loader) }),
        ]
    }
}

/// The registry's caches: node profiles and the tag catalogue.
final class RegistryServices: Sendable {
    struct Key: StorageKey { typealias Value = RegistryServices }

    /// A node's profile (counts by tag, age, residency), by node code; nil for no such node.
    let profiles = ReadCache<String, NodeProfile?>()
    /// The key-population tags by code.
    let tagCatalogue = SettingCache<[String: TagCatalogue.Definition]>()

    func invalidate() {
        profiles.invalidate()
        tagCatalogue.invalidate()
    }
}

extension Application {
    var registry: RegistryServices { service(RegistryServices.Key.self) }
}

extension Request {
    var registry: RegistryServices { application.registry }
}

/// Names of its terms in the message catalogue (`t.name(status)`).
extension Sex: Vocabulary { static var messagePrefix: String { "registry.sex" } }
extension ExchangeKind: Vocabulary { static var messagePrefix: String { "registry.exchange-kind" } }
