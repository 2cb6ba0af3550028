import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Builds the deterministic demo city and its demo accounts.
public enum DemoCity {
    public static let password = "Demo@2026"

    public struct Report: Sendable, CustomStringConvertible {
        public let scale: Int
        public let nodes: Int
        public let households: Int
        public let residents: Int
        public let keyPersons: Int
        public let places: Int
        public let accounts: Int
        public let seconds: Double

        public var description: String {
            "demo city (scale \(scale)): \(nodes) nodes, \(households) households, \(residents) residents, \(keyPersons) key-person tags, \(places) places, \(accounts) accounts in \(String(format: "%.2f", seconds)) s"
        }
    }

    /// Whether the database already holds a city (the demo never writes over real data).
    public static func isEmpty(_ app: Application) async throws -> Bool {
        try await app.db.sql.select().column("code").from("nodes").limit(1).first() == nil
    }

    /// The seed of `serve --demo` and `zhili demo` (the simulator derives the demo's device keys from it).
    static let defaultSeed: UInt64 = 620982

    public static func generate(on app: Application, scale: Int, seed: UInt64 = 620982) async throws -> Report {
        try await generate(on: app, spec: DemoSpec(scale: scale), seed: seed)
    }

    static func generate(on app: Application, spec: DemoSpec, seed: UInt64 = 620982) async throws -> Report {
        let started = Date()
        guard try await isEmpty(app) else {
            throw ConfigError(
                "the database already holds a city; the demo is generated only into an empty database / 数据库中已有数据，演示数据只能生成到空库"
            )
        }
        var rng = SeededGenerator(seed: seed)
        let geography = DemoGeography(spec: spec, rng: &rng)
        let population = DemoPopulation(spec: spec, geography: geography, rng: &rng)
        let places = DemoPlaces(spec: spec, geography: geography, rng: &rng)
        app.logger.info(
            "demo city generated in memory in \(String(format: "%.2f", Date().timeIntervalSince(started))) s; writing")
        let cipher = app.zhili.cipher
        let hash = try Bcrypt.hash(password, cost: 10)
        let city = DemoCityData(spec: spec, geography: geography, population: population, seed: seed, cipher: cipher)
        let capabilities = app.capabilities
        let accounts = try await app.db.transaction { db -> Int in
            let sql = try db.sql
            try await DemoWriter(db: sql, cipher: cipher).write(
                geography: geography, population: population, places: places)
            let accounts = try await DemoAccounts.create(
                on: db, spec: spec, geography: geography, population: population, passwordHash: hash)
            // Each capability's own part of the city (complaints' history, …).
            for capability in capabilities { try await capability.demo(city, on: sql) }
            await Dialect(sql).finishBulkWrite(sql)
            return accounts
        }
        for capability in capabilities { try await capability.afterDemo(app) }
        // Fresh statistics so the query planners pick the selective index from the start.
        try await app.db.sql.raw("ANALYZE").run()
        await app.hierarchy.changed(geometry: true)
        return Report(
            scale: spec.scale, nodes: geography.nodes.count, households: geography.households.count,
            residents: population.residents.count, keyPersons: population.tags.count, places: places.places.count,
            accounts: accounts, seconds: Date().timeIntervalSince(started))
    }
}

/// One account per demo role, plus an account for every grid worker (grid001 …).
enum DemoAccounts {
    static func create(
        on db: any Database, spec: DemoSpec, geography: DemoGeography, population: DemoPopulation,
        passwordHash: String
    ) async throws -> Int {
        let city = spec.cityCode
        let street = city + "001"
        let community = street + "001"
        let grids = geography.gridPolygons.map(\.code)
        let resident = population.residents.first {
            $0.householdCode.hasPrefix(grids[0]) && $0.relation == HouseholdRelation.head.rawValue
        }
        var accounts: [UserAccount] = [
            UserAccount(
                username: "admin", displayName: "系统管理员", passwordHash: passwordHash, role: .admin, nodeCode: city),
            UserAccount(
                username: "city", displayName: "王市长", passwordHash: passwordHash, role: .cityOfficial, nodeCode: city),
            UserAccount(
                username: "street", displayName: "李书记（沙州镇）", passwordHash: passwordHash, role: .streetOfficial,
                nodeCode: street),
            UserAccount(
                username: "community", displayName: "张主任（阳关社区）", passwordHash: passwordHash, role: .communityStaff,
                nodeCode: community),
            UserAccount(
                username: "civil", displayName: "民政局 赵科长", passwordHash: passwordHash, role: .departmentStaff,
                department: .civilAffairs, nodeCode: city),
            UserAccount(
                username: "emergency", displayName: "应急管理局 孙科长", passwordHash: passwordHash, role: .departmentStaff,
                department: .emergency, nodeCode: city),
            UserAccount(
                username: "volunteer", displayName: "志愿者 陈晓", passwordHash: passwordHash, role: .volunteer,
                nodeCode: grids[0]),
            UserAccount(
                username: "merchant", displayName: "鸣沙便民超市", passwordHash: passwordHash, role: .merchant,
                nodeCode: grids[0]),
            UserAccount(
                username: "cobuild", displayName: "市供电公司党支部", passwordHash: passwordHash, role: .coBuildingUnit,
                nodeCode: grids[0]),
        ]
        if let r = resident {
            accounts.append(
                UserAccount(
                    username: "resident", displayName: r.name, passwordHash: passwordHash, role: .resident,
                    nodeCode: r.householdCode, residentID: r.id))
        }
        var rng = SeededGenerator(seed: 79)
        for (i, grid) in grids.enumerated() {
            let name =
                DemoPeople.surname(using: &rng)
                + DemoPeople.givenName(
                    sex: rng.chance(0.6) ? .female : .male, birthYear: rng.int(1975...1998), using: &rng)
            accounts.append(
                UserAccount(
                    username: String(format: "grid%03d", i + 1), displayName: "网格员 \(name)",
                    passwordHash: passwordHash, role: .gridWorker, nodeCode: grid))
        }
        for account in accounts { try await account.create(on: db) }
        return accounts.count
    }
}

/// How well the demo city is run: mostly well, as a real city is (about 95% of complaints in
/// time, most visits on time), with about one community in five clearly worse than the rest,
/// so that rankings, hot spots and overdue lists have something to show.
enum DemoQuality {
    /// Whether the community (its 12-digit code) is one of the weaker ones; picked by code, so
    /// every demo city has the same ones.
    static func isWeak(community: String) -> Bool {
        community.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) % 10007 } % 5 == 0
    }

    /// Days since the last visit of the i-th care plan: overdue for about 4% (20% in a weak
    /// community), otherwise somewhere inside its interval.
    static func daysSinceVisit(index i: Int, interval: Int, community: String) -> Int {
        let late = (i &* 7919) % 1000 < (isWeak(community: community) ? 200 : 40)
        return late ? interval + 1 + (i % 12) : (i &* 31) % max(interval, 1)
    }
}
