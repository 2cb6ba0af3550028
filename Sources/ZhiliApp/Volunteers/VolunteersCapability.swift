import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// 志愿服务: the service catalogue volunteers and co-building units offer and residents order,
/// the volunteers' availability and record, and the ranking that suggests who to send
/// (`DispatchRanking` in ZhiliDomain). Orders, micro-wishes and mobilisation build on it.
struct VolunteersCapability: Capability {
    let name = "volunteers"

    var migrations: [any Migration] { [AddVolunteerDispatchFields()] }

    func routes(_ app: Application) throws {
        VolunteerRoutes.register(app)
        VolunteerPages.register(app)
    }

    func navigation(for principal: Principal) -> [NavigationEntry] {
        guard principal.role.isStaff else { return [] }
        return [
            NavigationEntry(
                key: "volunteer-suggest", label: "volunteers.nav.suggest", url: "/volunteers/suggest", order: 45,
                icon: "people")
        ]
    }

    var messages: [MessageFile] {
        MessageFile.both(zh: PackageResources.volunteers_zh_json, en: PackageResources.volunteers_en_json)
    }

    var operations: [APIOperation] { VolunteerRoutes.operations }
    var schemas: [(String, JSONValue)] { VolunteerRoutes.schemas }

    var commands: [OperatorCommand] {
        [
            OperatorCommand(
                name: "service-items",
                usage: ["zhili service-items                              (the service catalogue)"],
                run: { _, _, _ in
                    for item in ServiceCatalogue.items {
                        print("\(item.code)\t\(item.name)\t\(item.skill)\t\(item.minutes) min")
                    }
                }),
            OperatorCommand(
                name: "bench-dispatch",
                usage: [
                    "zhili bench-dispatch [--volunteers N] [--decisions M]   (time of one dispatch decision over N volunteers)"
                ],
                run: { _, _, loader in try DispatchBench.run(loader) }),
        ]
    }

    /// Skills from the catalogue's list, availability and past ratings for the demo's
    /// volunteers: most are free some evenings and weekends, retired ones most mornings; about
    /// half have been rated.
    func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        var rng = SeededGenerator(seed: city.seed ^ 0x70_1A_7E)
        let born = Dictionary(
            city.population.residents.map { ($0.id, $0.birthYear) }, uniquingKeysWith: { a, _ in a })
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        for v in city.population.volunteers {
            let retired = year - (born[v.residentID] ?? 1980) >= 60
            var pairs: [(weekday: Int, slot: WeeklyAvailability.Slot)] = []
            for day in 1...7 {
                let weekend = day >= 6
                if retired {
                    if rng.chance(0.7) { pairs.append((day, .morning)) }
                    if rng.chance(0.4) { pairs.append((day, .afternoon)) }
                } else {
                    if rng.chance(weekend ? 0.6 : 0.35) { pairs.append((day, .evening)) }
                    if weekend, rng.chance(0.5) { pairs.append((day, .morning)) }
                    if weekend, rng.chance(0.4) { pairs.append((day, .afternoon)) }
                }
            }
            let rated = rng.chance(0.5) ? rng.int(1...30) : 0
            var sum = 0
            for _ in 0..<rated { sum += rng.chance(0.8) ? 5 : (rng.chance(0.7) ? 4 : rng.int(2...3)) }
            // Skills in the catalogue's vocabulary, one to three each.
            let skills = Set((0..<rng.int(1...3)).map { _ in rng.pick(ServiceCatalogue.skills) }).sorted()
            try await sql.update("volunteers").set("availability", to: SQLBind(WeeklyAvailability(pairs).bits))
                .set("skills", to: SQLBind(skills.joined(separator: ",")))
                .set("rating_sum", to: SQLBind(sum)).set("rating_count", to: SQLBind(rated))
                .where("id", .equal, v.id).run()
        }
    }
}

/// Availability (21 slots a week), ratings and review status for the volunteers' table.
struct AddVolunteerDispatchFields: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("volunteers")
            .field("availability", .int, .required, .sql(.default(0)))
            .update()
        try await database.schema("volunteers")
            .field("rating_sum", .int, .required, .sql(.default(0)))
            .update()
        try await database.schema("volunteers")
            .field("rating_count", .int, .required, .sql(.default(0)))
            .update()
        try await database.schema("volunteers")
            .field("status", .string, .required, .sql(.default("approved")))
            .update()
    }

    func revert(on database: any Database) async throws {
        for field in ["availability", "rating_sum", "rating_count", "status"] {
            try await database.schema("volunteers").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
