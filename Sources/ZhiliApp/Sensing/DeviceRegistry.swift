import Crypto
import Foundation
import SQLKit
import Synchronization
import Vapor
import ZhiliDomain

/// The device registry (I1): what each device is, where it is and whom it watches, its
/// credential (issued by the platform, shown once, kept as a hash, rotated or revoked) and
/// its heartbeat state.
enum DeviceRegistry {
    /// Staff who register devices and manage their credentials, within their area.
    static let keepers: [Role] = [.communityStaff, .streetOfficial]

    static func hash(_ key: String) -> String { FieldCipher.hex(SHA256.hash(data: Data(key.utf8))) }

    /// A new credential: `zd_` and 40 hex digits (160 random bits).
    static func newKey() -> String {
        "zd_" + FieldCipher.hex([UInt8].random(count: 20))
    }

    struct Row: Decodable, Sendable {
        let id: UUID
        let code: String
        let kind: String
        let name: String
        let node_code: String
        let resident_id: UUID?
        let place: String?
        let lat: Double?
        let lon: Double?
        let status: String
        let key_hint: String?
        let key_issued_at: Date?
        let online: Bool
        let last_seen_at: Date?
        let battery: Int?
        let firmware: String?
        let offline_after: Int
        let created_at: Date
    }

    static let columns = [
        "id", "code", "kind", "name", "node_code", "resident_id", "place", "lat", "lon", "status", "key_hint",
        "key_issued_at", "online", "last_seen_at", "battery", "firmware", "offline_after", "created_at",
    ]

    /// A device as the API shows it (never its credential).
    struct View: Content, Sendable {
        let id: UUID
        let code: String
        let kind: String
        let name: String
        let nodeCode: String
        let residentID: UUID?
        let place: String?
        let lat: Double?
        let lon: Double?
        let status: String
        let keyHint: String?
        let keyIssuedAt: Date?
        let online: Bool
        let lastSeenAt: Date?
        let battery: Int?
        let firmware: String?
        let offlineAfterSeconds: Int
        let createdAt: Date

        init(_ r: Row) {
            id = r.id
            code = r.code
            kind = r.kind
            name = r.name
            nodeCode = r.node_code
            residentID = r.resident_id
            place = r.place
            lat = r.lat
            lon = r.lon
            status = r.status
            keyHint = r.key_hint
            keyIssuedAt = r.key_issued_at
            online = r.online
            lastSeenAt = r.last_seen_at
            battery = r.battery
            firmware = r.firmware
            offlineAfterSeconds = r.offline_after
            createdAt = r.created_at
        }
    }

    /// A device with the credential just issued, shown this once.
    struct Issued: Content, Sendable {
        let device: View
        let key: String
    }

    struct Input: Content, Sendable {
        var code: String?
        var kind: String?
        var name: String?
        var nodeCode: String?
        var residentID: UUID?
        var place: String?
        var lat: Double?
        var lon: Double?
        var offlineAfterSeconds: Int?
    }

    struct Filter: Sendable {
        var kind: DeviceKind?
        var online: Bool?
        var status: String?
        var node: String?
        var limit = 200
    }

    static func list(_ f: Filter, for p: Principal, on db: any SQLDatabase) async throws -> [View] {
        let q = db.select().columns(columns.map { SQLIdentifier($0) }).from("devices").scoped(
            p.scope, column: "node_code")
        if let kind = f.kind { q.where("kind", .equal, kind.rawValue) }
        if let online = f.online { q.where("online", .equal, online).where("status", .equal, "active") }
        if let status = f.status { q.where("status", .equal, status) }
        if let node = f.node {
            q.where("node_code", .greaterThanOrEqual, node).where("node_code", .lessThan, node + ":")
        }
        return try await q.orderBy("code").limit(f.limit).all(decoding: Row.self).map(View.init)
    }

    struct Counts: Content, Sendable {
        let total: Int
        let online: Int
        let offline: Int
        let revoked: Int
    }

    static func counts(for p: Principal, on db: any SQLDatabase) async throws -> Counts {
        struct C: Decodable {
            let status: String
            let online: Bool
            let n: Int
        }
        let rows = try await db.select().column("status").column("online").column(
            SQLFunction("count", args: SQLLiteral.all), as: "n"
        )
        .from("devices").scoped(p.scope, column: "node_code").groupBy("status").groupBy("online")
        .all(decoding: C.self)
        let active = rows.filter { $0.status == "active" }
        return Counts(
            total: rows.reduce(0) { $0 + $1.n }, online: active.filter(\.online).reduce(0) { $0 + $1.n },
            offline: active.filter { !$0.online }.reduce(0) { $0 + $1.n },
            revoked: rows.filter { $0.status == "revoked" }.reduce(0) { $0 + $1.n })
    }

    static func find(_ id: UUID, on db: any SQLDatabase) async throws -> Row? {
        try await db.select().columns(columns.map { SQLIdentifier($0) }).from("devices").where("id", .equal, id)
            .first(decoding: Row.self)
    }

    /// The device, if the person may see it (a refusal is audited and answered as not found).
    static func readable(_ req: Request, _ id: UUID) async throws -> Row {
        let p = try req.requirePrincipal()
        guard p.role.isStaff, let row = try await find(id, on: req.readSQL) else {
            throw AppError.notFound(entity: "device")
        }
        try await req.requireInScope(code: row.node_code, entity: "device", id: id.uuidString)
        return row
    }

    /// Registers a device and issues its first credential.
    static func create(
        _ input: Input, by p: Principal, on db: any SQLDatabase, broker: BrokerAccounts?, now: Date = Date()
    ) async throws -> Issued {
        guard let kindText = input.kind, let kind = DeviceKind(rawValue: kindText) else {
            throw AppError.invalid(
                "kind", zh: "设备类型应为 camera、sos、wristband、door、smoke、screen 之一",
                en: "kind must be one of camera, sos, wristband, door, smoke, screen")
        }
        let code = (input.code ?? "").trimmingCharacters(in: .whitespaces)
        guard (2...40).contains(code.count),
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw AppError.invalid(
                "code", zh: "设备编号为 2–40 位字母、数字、- 或 _", en: "code is 2–40 letters, digits, - or _")
        }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else {
            throw AppError.invalid("name", zh: "请填写设备名称（60 字以内）", en: "name is required (at most 60 characters)")
        }
        guard let node = input.nodeCode, (try? HierarchyCode(validating: node)) != nil else {
            throw AppError.invalid("nodeCode", zh: "请填写设备所在的网格、小区、楼栋或户的编码", en: "nodeCode must be a hierarchy code")
        }
        guard p.scope.allows(code: node) else {
            throw AppError(
                .forbidden, code: "out_of_scope", zh: "只能在本辖区登记设备",
                en: "Devices can be registered in your own area only")
        }
        let known = try await db.select().column("code").from("nodes").where("code", .equal, node).first()
        let household = try await db.select().column("code").from("households").where("code", .equal, node).first()
        guard known != nil || household != nil else {
            throw AppError.invalid("nodeCode", zh: "没有这个编码的网格、小区或户", en: "No node or household has this code")
        }
        if let resident = input.residentID {
            struct R: Decodable { let household_code: String }
            guard
                let r = try await db.select().column("household_code").from("residents").where("id", .equal, resident)
                    .first(decoding: R.self), p.scope.allows(code: r.household_code)
            else {
                throw AppError.invalid("residentID", zh: "辖区内没有这位居民", en: "No such resident in your area")
            }
        }
        if let lat = input.lat, !(-90...90).contains(lat) {
            throw AppError.invalid("lat", zh: "纬度应在 -90 到 90 之间", en: "lat must be within -90…90")
        }
        if let lon = input.lon, !(-180...180).contains(lon) {
            throw AppError.invalid("lon", zh: "经度应在 -180 到 180 之间", en: "lon must be within -180…180")
        }
        let window = input.offlineAfterSeconds ?? 180
        guard (30...86_400).contains(window) else {
            throw AppError.invalid(
                "offlineAfterSeconds", zh: "离线判定时长应为 30 秒到 1 天", en: "offlineAfterSeconds must be 30 s to 1 day")
        }
        if try await db.select().column("id").from("devices").where("code", .equal, code).first() != nil {
            throw AppError.conflict("device_code_taken", zh: "设备编号已被使用", en: "This device code is taken", field: "code")
        }
        let id = UUID()
        let key = newKey()
        try await db.insert(into: "devices")
            .columns(
                "id", "code", "kind", "name", "node_code", "resident_id", "place", "lat", "lon", "status", "key_hash",
                "key_hint", "key_issued_at", "online", "offline_after", "created_at"
            )
            .values(
                SQLBind(id), SQLBind(code), SQLBind(kind.rawValue), SQLBind(name), SQLBind(node),
                SQLBind(input.residentID), SQLBind(input.place.map { String($0.prefix(80)) }), SQLBind(input.lat),
                SQLBind(input.lon), SQLBind("active"), SQLBind(hash(key)), SQLBind(String(key.suffix(4))), SQLBind(now),
                SQLBind(false), SQLBind(window), SQLBind(now)
            )
            .run()
        try await broker?.provision(code: code, key: key, on: db, now: now)
        guard let row = try await find(id, on: db) else { throw AppError.internalFailure("device vanished") }
        return Issued(device: View(row), key: key)
    }

    /// A new credential; the old one stops working at once on every instance.
    static func rotate(
        _ row: Row, on db: any SQLDatabase, events: ClusterEvents, broker: BrokerAccounts?, now: Date = Date()
    ) async throws -> Issued {
        let key = newKey()
        let old = try await currentHash(row.id, on: db)
        try await db.update("devices").set("key_hash", to: hash(key)).set("key_hint", to: String(key.suffix(4)))
            .set("key_issued_at", to: now).set("status", to: "active").where("id", .equal, row.id).run()
        try await broker?.provision(code: row.code, key: key, on: db, now: now)
        if let old { try await events.publish(DeviceKeys.changedEvent, old, on: db) }
        guard let fresh = try await find(row.id, on: db) else { throw AppError.internalFailure("device vanished") }
        return Issued(device: View(fresh), key: key)
    }

    /// The device may no longer send anything; its open offline alarm is no longer meaningful.
    static func revoke(_ row: Row, on db: any SQLDatabase, events: ClusterEvents, broker: BrokerAccounts?)
        async throws -> View
    {
        let old = try await currentHash(row.id, on: db)
        try await db.update("devices").set("key_hash", to: SQLLiteral.null).set("status", to: "revoked")
            .set("online", to: false).where("id", .equal, row.id).run()
        try await broker?.revoke(code: row.code, on: db)
        if let old { try await events.publish(DeviceKeys.changedEvent, old, on: db) }
        guard let fresh = try await find(row.id, on: db) else { throw AppError.internalFailure("device vanished") }
        return View(fresh)
    }

    private static func currentHash(_ id: UUID, on db: any SQLDatabase) async throws -> String? {
        struct H: Decodable { let key_hash: String? }
        return try await db.select().column("key_hash").from("devices").where("id", .equal, id).first(decoding: H.self)?
            .key_hash
    }
}

/// What ingestion needs of a device, found by its credential.
struct DeviceIdentity: Sendable, Equatable {
    let id: UUID
    let code: String
    let kind: DeviceKind
    let name: String
    let nodeCode: String
    let residentID: UUID?
    let place: String?
    let lat: Double?
    let lon: Double?
}

/// Credentials checked by this instance, kept a short while so a device sending many events
/// a second costs one lookup per minute, not one per event. Rotating or revoking a key tells
/// every instance at once (`changedEvent` on `ClusterEvents`).
final class DeviceKeys: Sendable {
    static let changedEvent = "device_key"
    private let cache = Mutex<[String: (identity: DeviceIdentity, until: Date)]>([:])
    /// Devices the broker signed in (MQTT), by code: any key change forgets them all.
    private let byCode = Mutex<[String: (identity: DeviceIdentity?, until: Date)]>([:])
    let ttl: TimeInterval = 60

    init(events: ClusterEvents) {
        events.subscribe { [weak self] kind, value in
            if kind == Self.changedEvent { self?.forget(hash: value) }
        }
    }

    func forget(hash: String) {
        _ = cache.withLock { $0.removeValue(forKey: hash) }
        byCode.withLock { $0.removeAll() }
    }

    /// An active device by its code, for doors where the broker already checked the
    /// credential (MQTT: the topic names the device, and only it may publish there). Unknown
    /// codes are remembered briefly too, so a flood from one costs no query per message.
    func identify(code: String, on db: any SQLDatabase, now: Date = Date()) async throws -> DeviceIdentity? {
        if let hit = byCode.withLock({ $0[code] }), hit.until > now { return hit.identity }
        let identity = try await lookup(on: db) { $0.where("code", .equal, code) }
        byCode.withLock { c in
            if c.count > 100_000 { c.removeAll() }
            c[code] = (identity, now.addingTimeInterval(identity == nil ? 5 : ttl))
        }
        return identity
    }

    func identify(_ key: String, on db: any SQLDatabase, now: Date = Date()) async throws -> DeviceIdentity? {
        let h = DeviceRegistry.hash(key)
        if let hit = cache.withLock({ $0[h] }), hit.until > now { return hit.identity }
        guard let identity = try await lookup(on: db, { $0.where("key_hash", .equal, h) }) else { return nil }
        cache.withLock { c in
            if c.count > 100_000 { c.removeAll() }
            c[h] = (identity, now.addingTimeInterval(ttl))
        }
        return identity
    }

    private func lookup(
        on db: any SQLDatabase, _ filter: (SQLSelectBuilder) -> SQLSelectBuilder
    ) async throws -> DeviceIdentity? {
        struct Row: Decodable {
            let id: UUID
            let code: String
            let kind: String
            let name: String
            let node_code: String
            let resident_id: UUID?
            let place: String?
            let lat: Double?
            let lon: Double?
        }
        guard
            let r = try await filter(
                db.select().columns("id", "code", "kind", "name", "node_code", "resident_id", "place", "lat", "lon")
                    .from("devices")
            )
            .where("status", .equal, "active").first(decoding: Row.self),
            let kind = DeviceKind(rawValue: r.kind)
        else { return nil }
        return DeviceIdentity(
            id: r.id, code: r.code, kind: kind, name: r.name, nodeCode: r.node_code, residentID: r.resident_id,
            place: r.place, lat: r.lat, lon: r.lon)
    }
}
