import Fluent
import SQLKit
import Vapor

/// A capability of the platform (the hierarchy, the registry, 接诉即办, notifications …):
/// everything it adds to a running instance, declared in one place. The platform only
/// iterates `Capabilities.all`; it names no capability's routes, pages, tables or services.
///
/// Every member has a default that adds nothing, so a capability implements what it has.
/// See docs/ARCHITECTURE.md for the order of the calls and how to add one.
protocol Capability: Sendable {
    /// Short stable name (logs, the capabilities page, errors during boot).
    var name: String { get }

    /// Schema changes, oldest first. Fluent records each by its type name: never rename one,
    /// only add new ones at the end.
    var migrations: [any Migration] { get }

    /// Puts the capability's typed services and caches into `app.storage` (see
    /// `Application.hierarchy`, `.complaints` …). Runs before any route is registered.
    func boot(_ app: Application) throws

    /// Registers its JSON API routes and its pages.
    func routes(_ app: Application) throws

    /// Its API operations, for the served OpenAPI document and the permission matrix test.
    var operations: [APIOperation] { get }
    /// Named schemas its operations refer to (`#/components/schemas/<name>`).
    var schemas: [(String, JSONValue)] { get }

    /// Entries of the top navigation for this signed-in person (sorted by `order` overall).
    func navigation(for principal: Principal) -> [NavigationEntry]

    /// What waits for this person now (to review, to sign, overdue, due …), each line counted
    /// by the same definition as the list it links to: the dashboard's to-do centre and
    /// `GET /api/v1/me/todo`.
    func todo(_ context: ToDoContext) async throws -> [ToDoItem]

    /// Stylesheets and scripts served at `/assets/<name>` (files in the capability's folder,
    /// embedded in the binary at build time; see `Asset`).
    var assets: [Asset] { get }

    /// Its words in every language (`Messages/<name>.<lang>.json`): keys start with the
    /// capability's name; keys under `<name>.js.` are also given to the pages' scripts.
    var messages: [MessageFile] { get }
    /// Its closed vocabularies (statuses, levels …), whose terms its messages name.
    var vocabularies: [VocabularyKeys] { get }

    /// Background services (clocks, outboxes, ingesters) run by a serving instance; Vapor's
    /// lifecycle starts them after boot and awaits their shutdown.
    func services(_ app: Application) -> [any LifecycleHandler]

    /// Kinds of the events it publishes, on `ClusterEvents` (between instances) or on the
    /// `LiveFeed` (to screens): documentation, and a test that no two capabilities claim the
    /// same kind.
    var liveEvents: [String] { get }

    /// Operator commands: `zhili <name> …`.
    var commands: [OperatorCommand] { get }

    /// Writes its part of a fresh demo city, inside the demo's one transaction.
    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws
    /// After the demo's transaction committed (counters, statistics).
    func afterDemo(_ app: Application) async throws
}

extension Capability {
    var migrations: [any Migration] { [] }
    func boot(_ app: Application) throws {}
    func routes(_ app: Application) throws {}
    var operations: [APIOperation] { [] }
    var schemas: [(String, JSONValue)] { [] }
    func navigation(for principal: Principal) -> [NavigationEntry] { [] }
    func todo(_ context: ToDoContext) async throws -> [ToDoItem] { [] }
    var assets: [Asset] { [] }
    var messages: [MessageFile] { [] }
    var vocabularies: [VocabularyKeys] { [] }
    func services(_ app: Application) -> [any LifecycleHandler] { [] }
    var liveEvents: [String] { [] }
    var commands: [OperatorCommand] { [] }
    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {}
    func afterDemo(_ app: Application) async throws {}
}

/// One entry of the top navigation.
struct NavigationEntry: Sendable {
    let key: String
    /// Message key of its label.
    let label: String
    let url: String
    /// Position in the bar: lower first. Platform entries use 0–9 and 900+, capabilities 10–899.
    let order: Int
    /// Shown in the phone's bottom tab bar (at most four, by order; the rest sit under 更多).
    var tab = false
    /// Its icon in the tab bar (`Icon` names: home, messages, list, pencil, care, people, map,
    /// grid, check, chart, gear, doc, bell).
    var icon = "doc"
}

/// A stylesheet or script served at `/assets/<name>`. The bytes come from a real file in the
/// capability's `Assets/` folder, embedded by SwiftPM (`PackageResources.<file_name>`).
struct Asset: Sendable {
    let name: String
    let bytes: [UInt8]

    var mediaType: HTTPMediaType {
        name.hasSuffix(".css")
            ? HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            : HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
    }
}

/// An operator command of the `zhili` executable.
struct OperatorCommand: Sendable {
    let name: String
    /// Lines of the usage text, shown by `zhili help`.
    let usage: [String]
    /// Whether words come before the flags (`import residents FILE`); otherwise they are refused.
    var takesWords = false
    let run: @Sendable (_ subcommand: String?, _ positional: [String], _ loader: ConfigLoader) async throws -> Void
}

/// What a capability's demo step can read of the demo city being written.
struct DemoCityData: Sendable {
    let spec: DemoSpec
    let geography: DemoGeography
    let population: DemoPopulation
    let seed: UInt64
    /// For the personal data a step writes (encrypted like the rest of the register).
    let cipher: FieldCipher
}
