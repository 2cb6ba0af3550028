import Fluent
import SQLKit

/// Devices (AI cameras, SOS buttons, wristbands, door sensors, smoke detectors, dispatch
/// screens), each bound to a place in the hierarchy and optionally to a person, with a
/// credential of its own (only its hash is kept) and its heartbeat state.
///
/// The foundation's place registry had a first `devices` table (serial, kind, name, node, position,
/// status) that only the demo filled; its rows move into this one (kinds renamed, no key yet: a
/// keeper issues one), so nothing registered before is lost.
struct CreateDevices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("ALTER TABLE devices RENAME TO devices_v0").run()
        try await database.schema("devices")
            .field("id", .uuid, .identifier(auto: false))
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            // Where it is: a grid, compound, building or household code (scope follows it).
            .field("node_code", .string, .required)
            .field("resident_id", .uuid)
            .field("place", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("status", .string, .required)
            .field("key_hash", .string)
            .field("key_hint", .string)
            .field("key_issued_at", .datetime)
            .field("online", .bool, .required)
            .field("last_seen_at", .datetime)
            .field("battery", .int)
            .field("firmware", .string)
            .field("offline_after", .int, .required)
            .field("heart_out_since", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await sql.raw(
            """
            INSERT INTO devices (id, code, kind, name, node_code, lat, lon, status, online, last_seen_at, offline_after, created_at)
            SELECT id, serial, CASE kind WHEN 'ai_camera' THEN 'camera' WHEN 'sos_button' THEN 'sos'
              WHEN 'big_screen' THEN 'screen' ELSE kind END, name, node_code, lat, lon, 'active', \(unsafeRaw: Dialect(sql).isPostgres ? "status = 'online'" : "(status = 'online')"),
              last_seen_at, 180, COALESCE(last_seen_at, CURRENT_TIMESTAMP)
            FROM devices_v0
            """
        ).run()
        try await sql.raw("DROP TABLE devices_v0").run()
        try await sql.raw("CREATE UNIQUE INDEX devices_key ON devices (key_hash)").run()
        try await sql.raw("CREATE INDEX devices_node ON devices (node_code)").run()
        try await sql.raw("CREATE INDEX devices_online ON devices (online, last_seen_at)").run()
        try await sql.raw("CREATE INDEX devices_resident ON devices (resident_id)").run()

        // What devices sent, once each: the device's own event id makes a re-delivery a no-op.
        try await database.schema("device_events")
            .field("device_id", .uuid, .required)
            .field("event_id", .string, .required)
            .field("kind", .string, .required)
            .field("at", .datetime, .required)
            .field("received_at", .datetime, .required)
            .field("value", .double)
            .field("lat", .double)
            .field("lon", .double)
            .field("battery", .int)
            .field("detail", .string)
            .compositeIdentifier(over: "device_id", "event_id")
            .create()
        try await sql.raw("CREATE INDEX device_events_at ON device_events (device_id, at)").run()

        try await database.schema("alarms")
            .field("id", .uuid, .identifier(auto: false))
            .field("rule", .string, .required)
            .field("severity", .string, .required)
            .field("status", .string, .required)
            // What it is about: a device, or a person (no activity); one open alarm per rule and source.
            .field("source_key", .string, .required)
            .field("device_id", .uuid)
            .field("resident_id", .uuid)
            .field("node_code", .string, .required)
            .field("title_zh", .string, .required)
            .field("title_en", .string, .required)
            .field("place", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("count", .int, .required)
            .field("first_at", .datetime, .required)
            .field("last_at", .datetime, .required)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .uuid)
            .field("acknowledged_by_name", .string)
            .field("dispatched_at", .datetime)
            .field("dispatch_kind", .string)
            .field("dispatched_to", .string)
            .field("complaint_id", .uuid)
            .field("closed_at", .datetime)
            .field("closed_by_name", .string)
            .field("outcome", .string)
            .field("rung", .int, .required)
            .field("next_rung_at", .datetime)
            .create()
        try await sql.raw(
            "CREATE UNIQUE INDEX alarms_open_source ON alarms (source_key, rule) WHERE status IN ('raised', 'acknowledged', 'dispatched')"
        ).run()
        try await sql.raw("CREATE INDEX alarms_node ON alarms (node_code, first_at)").run()
        try await sql.raw("CREATE INDEX alarms_escalation ON alarms (next_rung_at) WHERE status = 'raised'").run()
        try await sql.raw("CREATE INDEX alarms_first ON alarms (first_at)").run()

        // Every step of an alarm, timed and attributed: its timeline.
        try await database.schema("alarm_steps")
            .field("id", .uuid, .identifier(auto: false))
            .field("alarm_id", .uuid, .required)
            .field("at", .datetime, .required)
            .field("action", .string, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string)
            .field("note", .string)
            .create()
        try await sql.raw("CREATE INDEX alarm_steps_alarm ON alarm_steps (alarm_id, at)").run()

        // Administrators' changes to the default rules (a rule without a row has its default).
        try await database.schema("alarm_rules")
            .field("key", .string, .identifier(auto: false))
            .field("severity", .string, .required)
            .field("enabled", .bool, .required)
            .field("params", .string, .required)
            .field("tag", .string)
            .field("updated_at", .datetime, .required)
            .field("updated_by_name", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["alarm_rules", "alarm_steps", "alarms", "device_events", "devices"] {
            try await database.schema(table).delete()
        }
        // The foundation's table, empty (its demo rows were moved, not kept apart).
        try await database.schema("devices")
            .field("id", .uuid, .identifier(auto: false)).field("serial", .string, .required)
            .field("kind", .string, .required).field("name", .string, .required).field("node_code", .string, .required)
            .field("lat", .double, .required).field("lon", .double, .required).field("status", .string, .required)
            .field("last_seen_at", .datetime).unique(on: "serial").create()
    }
}

/// Changes to make to the MQTT broker's accounts (a device's credential issued, rotated or
/// revoked), applied in order by a serving instance and then deleted. A new key waits here
/// encrypted, only until the broker has it.
struct CreateBrokerCommands: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        if Dialect(sql).isPostgres {
            try await sql.raw(
                """
                CREATE TABLE broker_commands (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                device_code TEXT NOT NULL, action TEXT NOT NULL, secret TEXT, created_at TIMESTAMPTZ NOT NULL,
                lease_owner TEXT, lease_until TIMESTAMPTZ)
                """
            ).run()
        } else {
            try await sql.raw(
                """
                CREATE TABLE broker_commands (seq INTEGER PRIMARY KEY AUTOINCREMENT, device_code TEXT NOT NULL,
                action TEXT NOT NULL, secret TEXT, created_at REAL NOT NULL, lease_owner TEXT, lease_until REAL)
                """
            ).run()
        }
        try await sql.raw("CREATE INDEX broker_commands_device ON broker_commands (device_code, seq)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("broker_commands").delete()
    }
}
