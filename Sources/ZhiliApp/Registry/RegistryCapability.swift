import Fluent
import Vapor

/// The registry (一标三实): residents, households' members, key-population tags and their
/// visit plans, reviews of changes, imports and exports.
struct RegistryCapability: Capability {
    let name = "registry"

    var migrations: [any Migration] { [CreateResidents(), ExtendRegistry(), ShortenSearchHashes(), SlimNameIndexes()] }

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
    var schemas: [(String, JSONValue)] { PeopleAPI.schemas + RegistryAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        guard principal.role.isStaff else { return [] }
        return [
            NavigationEntry(key: "residents", zh: "居民检索", en: "Residents", url: "/residents", order: 50),
            NavigationEntry(key: "care", zh: "待走访", en: "Visits due", url: "/care", order: 60),
            NavigationEntry(key: "reviews", zh: "信息审核", en: "Reviews", url: "/reviews", order: 70),
            NavigationEntry(key: "exchange", zh: "导入导出", en: "Import/export", url: "/exchange", order: 80),
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
