import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// 画像: what a grid, community, building or any node holds — population structure by age and
/// sex, residency types, key-population tags, places, organisations and the people who serve it.
struct NodeProfile: Content, Sendable {
    struct Band: Content, Sendable {
        let label: String
        let male: Int
        let female: Int
    }
    struct Count: Content, Sendable {
        let key: String
        let name: String
        let count: Int
    }
    struct Worker: Content, Sendable {
        let username: String
        let displayName: String
        let role: String
    }

    let code: String
    let name: String
    let level: String
    let households: Int
    let residents: Int
    let ageBands: [Band]
    let residency: [Count]
    let tags: [Count]
    let places: [Count]
    let organizations: Int
    let partyMembers: Int
    let volunteers: Int
    let workers: [Worker]

    static let bands: [(String, ClosedRange<Int>)] = [
        ("0–6", 0...6), ("7–13", 7...13), ("14–17", 14...17), ("18–34", 18...34),
        ("35–59", 35...59), ("60–79", 60...79), ("80+", 80...200),
    ]

    private struct Grouped: Decodable {
        let k: String?
        let s: String?
        let n: Int
    }
    private struct N: Decodable { let n: Int }
    private struct NameRow: Decodable {
        let name: String
        let level: String
    }

    static func build(_ code: HierarchyCode, db: any SQLDatabase, counts: HierarchyCounts) async throws -> NodeProfile?
    {
        guard
            let node = try await db.select().columns("name", "level").from("nodes").where("code", .equal, code.value)
                .first(decoding: NameRow.self)
        else { return nil }
        let lo = code.value
        let hi = code.rangeUpperBound
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        let years = try await db.raw(
            """
            SELECT substr(birth_date, 1, 4) AS k, sex AS s, COUNT(*) AS n FROM residents
            WHERE household_code >= \(bind: lo) AND household_code < \(bind: hi) GROUP BY substr(birth_date, 1, 4), sex
            """
        ).all(decoding: Grouped.self)
        var bandCounts = Array(repeating: (0, 0), count: bands.count)
        for row in years {
            guard let y = row.k.flatMap({ Int($0) }), let i = bands.firstIndex(where: { $0.1.contains(thisYear - y) })
            else { continue }
            if row.s == Sex.male.rawValue { bandCounts[i].0 += row.n } else { bandCounts[i].1 += row.n }
        }
        let residency = try await db.raw(
            """
            SELECT residency_type AS k, COUNT(*) AS n FROM residents WHERE household_code >= \(bind: lo) AND household_code < \(bind: hi)
            GROUP BY residency_type ORDER BY residency_type
            """
        ).all(decoding: Grouped.self)
        let tags = try await db.raw(
            """
            SELECT tag AS k, COUNT(*) AS n FROM resident_tags WHERE household_code >= \(bind: lo) AND household_code < \(bind: hi)
            GROUP BY tag ORDER BY tag
            """
        ).all(decoding: Grouped.self)
        let places = try await db.raw(
            """
            SELECT kind AS k, COUNT(*) AS n FROM places WHERE node_code >= \(bind: lo) AND node_code < \(bind: hi) GROUP BY kind ORDER BY kind
            """
        ).all(decoding: Grouped.self)
        func count(_ sql: SQLQueryString) async throws -> Int { try await db.raw(sql).first(decoding: N.self)?.n ?? 0 }
        let orgs = try await count(
            "SELECT COUNT(*) AS n FROM organizations WHERE node_code >= \(bind: lo) AND node_code < \(bind: hi)")
        let members = try await count(
            "SELECT COUNT(*) AS n FROM party_members WHERE household_code >= \(bind: lo) AND household_code < \(bind: hi)"
        )
        let volunteers = try await count(
            "SELECT COUNT(*) AS n FROM volunteers WHERE household_code >= \(bind: lo) AND household_code < \(bind: hi)")
        let workers = try await db.select().columns("username", "display_name", "role").from("users")
            .where("node_code", .in, code.ancestors.map(\.value) + [code.value])
            .where("role", .in, [Role.gridWorker.rawValue, Role.communityStaff.rawValue])
            .orderBy("username").limit(20)
            .all(decoding: Worker.self, keyDecodingStrategy: .convertFromSnakeCase)
        let snapshot = try await counts.snapshot()
        let catalogue = try await TagCatalogue.byCode(on: db)
        return NodeProfile(
            code: code.value, name: node.name, level: node.level,
            households: snapshot[code.value]?.households ?? 0, residents: snapshot[code.value]?.residents ?? 0,
            ageBands: zip(bands, bandCounts).map { Band(label: $0.0.0, male: $0.1.0, female: $0.1.1) },
            residency: residency.map {
                Count(
                    key: $0.k ?? "",
                    name: RegistryVocabulary.item(RegistryVocabulary.residencyTypes, key: $0.k ?? "")?.nameZh
                        ?? ($0.k ?? ""), count: $0.n)
            },
            tags: tags.map { Count(key: $0.k ?? "", name: catalogue[$0.k ?? ""]?.nameZh ?? ($0.k ?? ""), count: $0.n) },
            places: places.map { Count(key: $0.k ?? "", name: PlaceKinds.nameZh($0.k ?? ""), count: $0.n) },
            organizations: orgs, partyMembers: members, volunteers: volunteers,
            workers: workers
        )
    }
}

/// Names of place kinds (the demo's and the registry's).
enum PlaceKinds {
    static let names: [String: String] = [
        "shop": "商铺", "supermarket": "超市", "restaurant": "餐馆", "hydrant": "消火栓", "ev_charger": "电动车充电桩",
        "elevator": "电梯",
        "camera": "公共视频点位", "streetlight": "路灯", "waste_station": "垃圾分类站", "parking": "停车场", "manhole": "窨井",
        "fitness": "健身器材", "business_district": "商圈", "service_station": "服务驿站", "party_center": "党群服务中心",
        "elderly_care": "日间照料中心", "health_station": "卫生服务站", "culture_sports": "文体活动室", "school": "学校",
    ]
    static func nameZh(_ key: String) -> String { names[key] ?? key }
    static func resolve(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if names[t] != nil { return t }
        return names.first { $0.value == t }?.key
    }
}
