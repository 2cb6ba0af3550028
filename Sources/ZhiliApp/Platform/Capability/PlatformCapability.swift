import Fluent
import Vapor

/// The shared platform as a capability of its own: accounts and sessions, the audit log,
/// photos, operations endpoints, the OpenAPI document, and the pages every role has
/// (sign-in, dashboard, language, audit log, API docs).
struct PlatformCapability: Capability {
    let name = "platform"

    var migrations: [any Migration] {
        [CreateUsers(), CreateAuditLog(), CreatePhotos(), CreateSessions(), CreateLiveEvents()]
    }

    func routes(_ app: Application) throws {
        OperationsRoutes.register(app)
        AuthRoutes.register(app)
        AuditRoutes.register(app)
        WebRoutes.register(app)
        LiveRoutes.register(app)
    }

    var operations: [APIOperation] { PlatformAPI.operations }
    var schemas: [(String, JSONValue)] { PlatformAPI.schemas }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        var entries = [
            NavigationEntry(
                key: "home", label: principal.role.isStaff ? "platform.nav.home" : "platform.nav.home-personal",
                url: "/",
                order: 0, tab: true, icon: "home")
        ]
        if principal.role == .admin {
            entries.append(
                NavigationEntry(key: "audit", label: "platform.nav.audit", url: "/audit", order: 900, icon: "check"))
        }
        // The API document is for those who integrate or operate the platform, not for a
        // resident's or a partner's phone.
        if principal.role.isStaff {
            entries.append(
                NavigationEntry(key: "api", label: "platform.nav.api", url: "/api-docs", order: 990, icon: "doc"))
        }
        return entries
    }

    var vocabularies: [VocabularyKeys] { [.of(Role.self), .of(Department.self)] }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.platform_zh_json, en: PackageResources.platform_en_json)
    }

    var assets: [Asset] {
        [
            Asset(name: "app.css", bytes: PackageResources.app_css),
            Asset(name: "i18n.js", bytes: PackageResources.i18n_js),
            Asset(name: "tables.js", bytes: PackageResources.tables_js),
            Asset(name: "live.js", bytes: PackageResources.live_js),
        ]
    }

    var liveEvents: [String] { [SessionCache.endedEvent, "live"] }
}
