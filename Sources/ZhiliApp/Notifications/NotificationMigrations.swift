import Fluent
import SQLKit

/// Messages to people (in-app), their deliveries through outbound channels (SMS, WeChat), and
/// each person's channel choices. Deliveries are an outbox: written in the same transaction as
/// the change they report, sent afterwards, retried until the gateway takes them.
struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await database.schema("notifications")
            .id()
            .field("user_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("entity", .string)
            .field("entity_id", .string)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await sql.raw("CREATE INDEX notifications_user ON notifications (user_id, created_at)").run()
        try await sql.raw("CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL").run()

        try await database.schema("notification_deliveries")
            .id()
            .field("notification_id", .uuid)
            .field("user_id", .uuid)
            .field("channel", .string, .required)
            // A number given with the complaint (a call taken by staff, Open311), encrypted;
            // otherwise the address is looked up from the user when sending.
            .field("address_enc", .string)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claim", .uuid)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.raw(
            "CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 'pending'"
        ).run()
        try await sql.raw("CREATE INDEX notification_deliveries_claim ON notification_deliveries (claim)").run()
        try await sql.raw("CREATE INDEX notification_deliveries_status ON notification_deliveries (status, created_at)")
            .run()

        try await database.schema("notification_settings")
            .field("user_id", .uuid, .identifier(auto: false))
            .field("sms", .bool, .required)
            .field("wechat", .bool, .required)
            .field("sms_phone_enc", .string)
            .field("sms_phone_masked", .string)
            .field("wechat_openid_enc", .string)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notification_settings").delete()
        try await database.schema("notification_deliveries").delete()
        try await database.schema("notifications").delete()
    }
}
