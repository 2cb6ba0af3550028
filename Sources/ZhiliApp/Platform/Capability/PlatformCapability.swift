import Fluent
import Vapor

/// The shared platform as a capability of its own: accounts and sessions, the audit log,
/// photos, operations endpoints, the OpenAPI document, and the pages every role has
/// (sign-in, dashboard, language, audit log, API docs).
struct PlatformCapability: Capability {
    let name = "platform"

    var migrations: [any Migration] { [CreateUsers(), CreateAuditLog(), CreatePhotos(), CreateSessions()] }

    func routes(_ app: Application) throws {
        OperationsRoutes.register(app)
        AuthRoutes.register(app)
        AuditRoutes.register(app)
        WebRoutes.register(app)
    }

    var operations: [APIOperation] { PlatformAPI.operations }
    var schemas: [(String, JSONValue)] { PlatformAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        var entries = [NavigationEntry(key: "home", zh: "工作台", en: "Dashboard", url: "/", order: 0)]
        if principal.role == .admin {
            entries.append(NavigationEntry(key: "audit", zh: "审计日志", en: "Audit log", url: "/audit", order: 900))
        }
        entries.append(NavigationEntry(key: "api", zh: "开放接口", en: "Open API", url: "/api-docs", order: 990))
        return entries
    }

    var assets: [Asset] { [Asset(name: "app.css", bytes: PackageResources.app_css)] }

    var liveEvents: [String] { [SessionCache.endedEvent] }
}
