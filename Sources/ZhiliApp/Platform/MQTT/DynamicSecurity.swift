import Foundation
import Synchronization

/// Commands to mosquitto's dynamic-security plugin, sent as JSON on
/// `$CONTROL/dynamic-security/v1`; the broker answers on `…/v1/response` (to every client
/// subscribed there, so each command carries a correlation id and answers are matched by it).
/// Works the same against the throwaway broker of the scripts and a city's remote broker,
/// as long as the platform signs in as a client with the plugin's `admin` role.
final class DynamicSecurity: Sendable {
    static let topic = "$CONTROL/dynamic-security/v1"
    static let responseTopic = "$CONTROL/dynamic-security/v1/response"

    /// One command: its name and arguments, as the plugin documents them.
    struct Command: Sendable {
        let name: String
        let arguments: [(String, JSONValue)]

        init(_ name: String, _ arguments: [(String, JSONValue)]) {
            self.name = name
            self.arguments = arguments
        }

        static func createRole(_ role: String, acls: [(type: String, topic: String)]) -> Command {
            Command(
                "createRole",
                [
                    ("rolename", .string(role)),
                    (
                        "acls",
                        .array(acls.map { ["acltype": .string($0.type), "topic": .string($0.topic), "allow": true] })
                    ),
                ])
        }

        static func deleteRole(_ role: String) -> Command { Command("deleteRole", [("rolename", .string(role))]) }

        static func createClient(username: String, password: String, clientID: String?, roles: [String]) -> Command {
            var args: [(String, JSONValue)] = [
                ("username", .string(username)), ("password", .string(password)),
                ("roles", .array(roles.map { ["rolename": .string($0)] })),
            ]
            if let clientID { args.append(("clientid", .string(clientID))) }
            return Command("createClient", args)
        }

        static func deleteClient(_ username: String) -> Command {
            Command("deleteClient", [("username", .string(username))])
        }

        static func addClientRole(_ username: String, role: String) -> Command {
            Command("addClientRole", [("username", .string(username)), ("rolename", .string(role))])
        }

        static func getClient(_ username: String) -> Command { Command("getClient", [("username", .string(username))]) }

        static func listClients() -> Command { Command("listClients", [("verbose", false), ("count", -1)]) }
    }

    /// The broker's answer to one command: `error` is nil when it was done.
    struct Response: Sendable, Decodable {
        struct Listing: Sendable, Decodable {
            struct Client: Sendable, Decodable {
                struct Role: Sendable, Decodable { let rolename: String }
                let roles: [Role]?
            }
            /// `listClients`: the usernames.
            let clients: [String]?
            /// `getClient`: the client with its roles.
            let client: Client?
        }
        let command: String?
        let error: String?
        let correlationData: String?
        /// What `listClients` and `getClient` answer.
        let data: Listing?

        /// "Client already exists", "Role not found" …: errors that leave the broker where a
        /// repeated or late command wanted it anyway.
        var isHarmless: Bool {
            guard let error else { return true }
            let e = error.lowercased()
            return e.contains("already exists") || e.contains("not found")
        }
    }

    private struct Answer: Decodable {
        let responses: [Response]
    }

    private let client = Mutex<MQTTClient?>(nil)
    private let pending = Mutex<[String: CheckedContinuation<Response, any Error>]>([:])

    init() {}

    /// The connection to send on; its handler passes the response topic's messages to `received`.
    func attach(_ connection: MQTTClient) { client.withLock { $0 = connection } }

    /// The subscription the connection needs.
    static var subscription: MQTTClient.Subscription { .init(filter: responseTopic, qos: 1) }

    /// Sends the commands in one message and waits for each answer (in order).
    func run(_ commands: [Command], timeout: Duration = .seconds(10)) async throws -> [Response] {
        guard !commands.isEmpty else { return [] }
        let ids = commands.map { _ in UUID().uuidString }
        var body: [JSONValue] = []
        for (c, id) in zip(commands, ids) {
            body.append(.object([("command", .string(c.name))] + c.arguments + [("correlationData", .string(id))]))
        }
        let payload = try JSONEncoder().encode(JSONValue.object([("commands", .array(body))]))
        return try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for (i, id) in ids.enumerated() {
                group.addTask {
                    let r = try await withCheckedThrowingContinuation { c in
                        self.pending.withLock { $0[id] = c }
                    }
                    return (i, r)
                }
            }
            // The continuations must be in place before the answers can arrive.
            while pending.withLock({ p in ids.contains { p[$0] == nil } }) { await Task.yield() }
            do {
                guard let connection = client.withLock({ $0 }) else { throw MQTTError("no broker connection") }
                try connection.publish(Self.topic, Array(payload), qos: 1)
            } catch {
                fail(ids, error)
                throw error
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                self.fail(ids, MQTTError("the broker did not answer the dynamic-security commands in time"))
            }
            defer { timer.cancel() }
            var out: [(Int, Response)] = []
            for try await answer in group { out.append(answer) }
            // The group finishes in any order; answers go back in the order of the commands.
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Called by the connection's handler with a message from the response topic.
    func received(_ payload: [UInt8]) {
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(payload)) else { return }
        for r in answer.responses {
            guard let id = r.correlationData else { continue }
            let c = pending.withLock { $0.removeValue(forKey: id) }
            c?.resume(returning: r)
        }
    }

    private func fail(_ ids: [String], _ error: any Error) {
        let waiting = pending.withLock { p in ids.compactMap { p.removeValue(forKey: $0) } }
        for c in waiting { c.resume(throwing: error) }
    }
}
