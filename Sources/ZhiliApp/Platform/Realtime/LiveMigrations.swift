import Fluent
import SQLKit

struct CreateLiveEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        if Dialect(sql).isPostgres {
            try await sql.raw(
                """
                CREATE TABLE live_events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL, user_id UUID, node_code TEXT, body TEXT NOT NULL)
                """
            ).run()
            try await sql.raw(
                """
                CREATE OR REPLACE FUNCTION live_events_notify() RETURNS trigger AS $$
                BEGIN PERFORM pg_notify('zhili_events_' || lower(TG_TABLE_SCHEMA), 'live:' || NEW.seq); RETURN NULL; END;
                $$ LANGUAGE plpgsql
                """
            ).run()
            try await sql.raw(
                "CREATE TRIGGER live_events_announce AFTER INSERT ON live_events FOR EACH ROW EXECUTE FUNCTION live_events_notify()"
            ).run()
            try await sql.raw("CREATE INDEX live_events_node ON live_events (node_code COLLATE \"C\", seq)").run()
        } else {
            try await sql.raw(
                """
                CREATE TABLE live_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, at REAL NOT NULL,
                user_id BLOB, node_code TEXT, body TEXT NOT NULL)
                """
            ).run()
            try await sql.raw("CREATE INDEX live_events_node ON live_events (node_code, seq)").run()
        }
        try await sql.raw("CREATE INDEX live_events_user ON live_events (user_id, seq)").run()
        try await sql.raw("CREATE INDEX live_events_at ON live_events (at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("live_events").delete()
    }
}
