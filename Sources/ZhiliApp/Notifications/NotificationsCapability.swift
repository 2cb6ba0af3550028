import Fluent
import Vapor

/// Messages to staff and residents: the in-app inbox, SMS and WeChat through an outbox with
/// retries, and each person's channel settings.
struct NotificationsCapability: Capability {
    let name = "notifications"

    var migrations: [any Migration] { [CreateNotifications()] }

    func boot(_ app: Application) throws {
        app.storage[NotificationServices.Key.self] = NotificationServices()
    }

    func routes(_ app: Application) throws { NotificationRoutes.register(app) }

    var operations: [APIOperation] { NotificationsAPI.operations }
    var schemas: [(String, JSONValue)] { NotificationsAPI.schemas }

    /// Unread messages, the list `/notifications?unread=1` shows.
    func todo(_ context: ToDoContext) async throws -> [ToDoItem] {
        let n = try await NotificationInbox.unreadCount(context.principal.userID, db: context.sql)
        return [
            ToDoItem(
                key: "notifications.unread", label: "notifications.todo.unread", count: n,
                url: "/notifications?unread=1", order: 90)
        ]
    }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        [
            NavigationEntry(
                key: "notifications", label: "notifications.nav.notifications", url: "/notifications", order: 10,
                tab: true, icon: "messages")
        ]
    }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.notifications_zh_json, en: PackageResources.notifications_en_json)
    }

    var assets: [Asset] { [Asset(name: "badge.js", bytes: PackageResources.badge_js)] }

    func services(_ app: Application) -> [any LifecycleHandler] { [app.notifications.dispatcher] }

    var liveEvents: [String] { [Notifier.liveKind, Notifier.readKind] }

    var commands: [OperatorCommand] {
        [
            OperatorCommand(
                name: "notify-test",
                usage: [
                    "zhili notify-test --phone MOBILE | --username U   (checks the SMS/WeChat settings with a test message)"
                ],
                run: { _, _, loader in try await NotificationCommands.test(loader) })
        ]
    }
}

/// The outbox's dispatcher and the WeChat access tokens it keeps.
final class NotificationServices: Sendable {
    struct Key: StorageKey { typealias Value = NotificationServices }

    /// Sends queued SMS/WeChat deliveries; `wake()` after a transaction that queued some.
    let dispatcher = NotificationDispatcher()
    let wechatTokens = WeChatTokens()
}

extension Application {
    var notifications: NotificationServices { service(NotificationServices.Key.self) }
}

extension Request {
    var notifications: NotificationServices { application.notifications }
}
