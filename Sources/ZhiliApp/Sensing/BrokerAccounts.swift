import Foundation
import SQLKit
import Vapor

/// The MQTT topics of devices and the broker's names for them.
///
///     <root>/devices/<code>/events   a device publishes its events here (QoS 1), and only here
///     <root>/devices/<code>/errors   the platform answers a refused message here (QoS 0)
///
/// Broker username and client id of a device: its code; password: its key. Its role
/// `<root>-device-<code>` lets it publish to its events topic and subscribe under its own
/// `<root>/devices/<code>/#`, nothing else.
struct MQTTTopics: Sendable {
    let root: String

    var eventsFilter: String { "\(root)/devices/+/events" }
    /// Every instance's connections share the devices' messages (each message to one of them).
    var sharedEvents: String { "$share/\(root)/\(eventsFilter)" }
    func events(_ code: String) -> String { "\(root)/devices/\(code)/events" }
    func errors(_ code: String) -> String { "\(root)/devices/\(code)/errors" }
    func role(_ code: String) -> String { "\(root)-device-\(code)" }
    /// The role that lets the platform's account answer on the errors topics (of any root, so
    /// platforms sharing a broker need it granted once).
    static let platformRole = "zhili-platform"
    static let platformACL = "+/devices/+/errors"

    /// The device code of an events topic, nil for any other topic.
    func code(ofEvents topic: String) -> String? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == root, parts[1] == "devices", parts[3] == "events", !parts[2].isEmpty
        else { return nil }
        return String(parts[2])
    }
}

/// Keeps the broker's clients and roles in step with the device registry. Issuing, rotating
/// or revoking a key queues a command in the same database (the key encrypted, and only until
/// the broker has it); a serving instance applies the queue through the dynamic-security
/// plugin and deletes what it applied. A device's commands are claimed under a lease, so two
/// instances never apply one device's keys out of order.
final class BrokerAccounts: Sendable {
    private let cipher: FieldCipher
    let topics: MQTTTopics
    private let owner = UUID().uuidString
    private let lease: TimeInterval = 30

    init(cipher: FieldCipher, topics: MQTTTopics) {
        self.cipher = cipher
        self.topics = topics
    }

    /// The device may sign in with this key (a new device, or a rotated key).
    func provision(code: String, key: String, on db: any SQLDatabase, now: Date = Date()) async throws {
        try await db.insert(into: "broker_commands").columns("device_code", "action", "secret", "created_at")
            .values(SQLBind(code), SQLBind("provision"), SQLBind(try cipher.encrypt(key)), SQLBind(now)).run()
    }

    /// The device may no longer sign in (and is signed out now).
    func revoke(code: String, on db: any SQLDatabase, now: Date = Date()) async throws {
        try await db.insert(into: "broker_commands").columns("device_code", "action", "secret", "created_at")
            .values(SQLBind(code), SQLBind("revoke"), SQLLiteral.null, SQLBind(now)).run()
    }

    private struct Queued: Decodable {
        let seq: Int
        let device_code: String
        let action: String
        let secret: String?
    }

    /// Applies what is queued; returns how many devices' accounts were brought in step.
    @discardableResult
    func apply(through control: DynamicSecurity, on db: any SQLDatabase, now: Date = Date()) async throws -> Int {
        struct C: Decodable { let device_code: String }
        let codes = try await db.select().distinct().column("device_code").from("broker_commands")
            .where { w in
                w.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, SQLBind(now))
            }
            .limit(200).all(decoding: C.self).map(\.device_code)
        var done = 0
        for code in codes {
            // Claim the device's commands unless another instance holds a live lease on them.
            try await db.raw(
                """
                UPDATE broker_commands SET lease_owner = \(bind: owner), lease_until = \(bind: now.addingTimeInterval(lease))
                WHERE device_code = \(bind: code) AND NOT EXISTS (SELECT 1 FROM broker_commands o
                WHERE o.device_code = \(bind: code) AND o.lease_owner <> \(bind: owner) AND o.lease_until >= \(bind: now))
                """
            ).run()
            let rows = try await db.select().columns("seq", "device_code", "action", "secret").from("broker_commands")
                .where("device_code", .equal, code).where("lease_owner", .equal, owner).orderBy("seq")
                .all(decoding: Queued.self)
            guard let last = rows.last else { continue }
            // Only the latest command matters: the key now in force, or none.
            let commands: [DynamicSecurity.Command]
            if last.action == "provision", let secret = last.secret {
                let key = try cipher.decrypt(secret)
                commands = [
                    .createRole(
                        topics.role(code),
                        acls: [
                            (type: "publishClientSend", topic: topics.events(code)),
                            (type: "subscribePattern", topic: "\(topics.root)/devices/\(code)/#"),
                            (type: "unsubscribePattern", topic: "\(topics.root)/devices/\(code)/#"),
                        ]),
                    .deleteClient(code),
                    .createClient(username: code, password: key, clientID: code, roles: [topics.role(code)]),
                ]
            } else {
                commands = [.deleteClient(code), .deleteRole(topics.role(code))]
            }
            let answers = try await control.run(commands)
            if let failed = answers.first(where: { !$0.isHarmless }) {
                throw MQTTError("broker refused \(failed.command ?? "?") for \(code): \(failed.error ?? "")")
            }
            try await db.delete(from: "broker_commands").where("device_code", .equal, code)
                .where("lease_owner", .equal, owner).where("seq", .lessThanOrEqual, last.seq).run()
            done += 1
        }
        return done
    }

    /// Commands still waiting (the devices page shows it; a test waits for zero).
    static func pending(on db: any SQLDatabase) async throws -> Int {
        struct N: Decodable { let n: Int }
        return try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from("broker_commands").first(decoding: N.self)?.n ?? 0
    }
}
