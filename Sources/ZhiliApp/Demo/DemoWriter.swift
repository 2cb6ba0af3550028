import Fluent
import Foundation
import SQLKit
import ZhiliDomain

/// Writes the generated city with multi-row INSERTs inside one transaction: all or nothing.
struct DemoWriter {
    let db: any SQLDatabase
    let cipher: FieldCipher

    func bulk(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) async throws {
        try await BulkInsert(db: db).run(table, columns, rows)
    }

    func write(geography: DemoGeography, population: DemoPopulation, places: DemoPlaces) async throws {
        let now = Date()
        try await bulk(
            "nodes",
            [
                "code", "parent_code", "level", "name", "serial", "geometry", "lat", "lon", "retired", "created_at",
                "updated_at",
            ],
            geography.nodes.map {
                [$0.code, $0.parentCode, $0.level, $0.name, $0.serial, $0.geometry, $0.lat, $0.lon, false, now, now]
            })
        try await bulk(
            "households", ["code", "address", "house_type", "floor", "room", "area", "retired", "created_at"],
            geography.households.map { [$0.code, $0.address, $0.houseType, $0.floor, $0.room, $0.area, false, now] })
        var residentRows: [[any Encodable & Sendable]] = []
        residentRows.reserveCapacity(population.residents.count)
        for r in population.residents {
            residentRows.append([
                r.id, r.householdCode, r.name, r.sex, r.birthDate, "resident_id_card",
                try cipher.encrypt(r.idNumber), cipher.searchHash(r.idNumber), Masking.idNumber(r.idNumber),
                try r.phone.map(cipher.encrypt), r.phone.map(cipher.searchHash), r.phone.map(PhoneNumber.masked),
                r.ethnicity, r.relation, r.residencyType, r.politicalStatus, r.employmentGroup, now, now,
                PinyinInitials.of(r.name), "active",
            ])
        }
        try await bulk(
            "residents",
            [
                "id", "household_code", "name", "sex", "birth_date", "id_type", "id_number_enc", "id_number_hash",
                "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "ethnicity", "relation",
                "residency_type", "political_status", "employment_group", "created_at", "updated_at",
                "name_initials", "status",
            ], residentRows)
        // Care plans: visit intervals from the catalogue, last visits spread so that some are overdue today.
        let intervals = Dictionary(
            uniqueKeysWithValues: KeyPopulationCatalogue.defaults.map { ($0.code, $0.visitIntervalDays) })
        try await bulk(
            "resident_tags",
            [
                "id", "resident_id", "household_code", "tag", "detail", "created_at",
                "visit_interval_days", "last_visit_at", "next_visit_due",
            ],
            population.tags.enumerated().map { i, t in
                let interval = intervals[t.tag] ?? nil
                let community = String(t.householdCode.prefix(12))
                let last = interval.map {
                    now.addingTimeInterval(
                        -Double(DemoQuality.daysSinceVisit(index: i, interval: $0, community: community)) * 86400)
                }
                var due: String?
                if let last, let interval {
                    due = ResidentValidation.isoDay(last.addingTimeInterval(Double(interval) * 86400))
                }
                return [t.id, t.residentID, t.householdCode, t.tag, t.detail, now, interval, last, due]
            })
        try await bulk(
            "party_orgs", ["id", "kind", "name", "parent_id", "node_code", "created_at"],
            population.partyOrgs.map { [$0.id, $0.kind, $0.name, $0.parentID, $0.nodeCode, now] })
        try await bulk(
            "party_members",
            ["id", "resident_id", "org_id", "household_code", "member_kind", "employer", "joined_year"],
            population.partyMembers.map {
                [$0.id, $0.residentID, $0.orgID, $0.householdCode, $0.kind, $0.employer, $0.joinedYear]
            })
        try await bulk(
            "volunteers", ["id", "resident_id", "household_code", "skills", "service_hours"],
            population.volunteers.map { [$0.id, $0.residentID, $0.householdCode, $0.skills, $0.hours] })
        try await bulk(
            "places", ["id", "kind", "name", "node_code", "lat", "lon", "address", "created_at"],
            places.places.map { [$0.id, $0.kind, $0.name, $0.nodeCode, $0.lat, $0.lon, $0.address, now] })
        try await bulk(
            "organizations", ["id", "kind", "name", "category", "node_code", "lat", "lon", "created_at"],
            places.organizations.map { [$0.id, $0.kind, $0.name, $0.category, $0.nodeCode, $0.lat, $0.lon, now] })
        // Devices of places (cameras, dispatch screens); those worn or pressed by people are
        // written by sensing's demo step, bound to the people who need them.
        let placed = places.devices.filter { $0.kind == "ai_camera" || $0.kind == "big_screen" }
        try await bulk(
            "devices",
            [
                "id", "code", "kind", "name", "node_code", "lat", "lon", "status", "online", "last_seen_at",
                "offline_after", "created_at",
            ],
            placed.map {
                [
                    $0.id, $0.serial, $0.kind == "ai_camera" ? "camera" : "screen", $0.name, $0.nodeCode, $0.lat,
                    $0.lon,
                    "active", $0.status == "online", now, 180, now,
                ]
            })
    }
}

/// Display forms of personal numbers.
enum Masking {
    /// First 6 and last 4 of an ID number; shorter or foreign numbers keep only their last 2.
    static func idNumber(_ s: String) -> String {
        if s.count == 18 { return String(s.prefix(6)) + String(repeating: "*", count: 8) + String(s.suffix(4)) }
        guard s.count > 2 else { return String(repeating: "*", count: s.count) }
        return String(repeating: "*", count: s.count - 2) + String(s.suffix(2))
    }
}
