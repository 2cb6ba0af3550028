import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// A person's emergency contacts (紧急联系人): up to five, each a name, the relation and a
/// mobile number, the number encrypted like every phone in the register (and kept masked for
/// display). Keepers of the register in scope set them; staff in scope read them (audited).
/// Sensing reads the encrypted numbers to tell the family when an alarm about the person is
/// raised, and shows them to the responder.
enum EmergencyContacts {
    static let maxContacts = 5
    static let relations = ["子女", "配偶", "父母", "兄弟姐妹", "亲属", "邻居", "朋友", "其他"]

    struct Contact: Content, Sendable, Equatable {
        let name: String
        let relation: String
        /// Masked (138****0000) in every answer of the API.
        let phone: String
    }

    struct Input: Content, Sendable {
        struct Item: Content, Sendable {
            var name: String?
            var relation: String?
            var phone: String?
        }
        var contacts: [Item]?
    }

    struct Row: Decodable, Sendable {
        let resident_id: UUID
        let position: Int
        let name: String
        let relation: String
        let phone_enc: String
        let phone_masked: String
    }

    static func list(_ resident: UUID, on db: any SQLDatabase) async throws -> [Row] {
        try await db.select().columns("resident_id", "position", "name", "relation", "phone_enc", "phone_masked")
            .from("resident_contacts").where("resident_id", .equal, resident).orderBy("position")
            .all(decoding: Row.self)
    }

    /// The encrypted numbers of several people's contacts (for the outbox: they stay encrypted).
    static func encryptedPhones(of residents: [UUID], on db: any SQLDatabase) async throws -> [UUID: [String]] {
        guard !residents.isEmpty else { return [:] }
        struct P: Decodable {
            let resident_id: UUID
            let phone_enc: String
        }
        var out: [UUID: [String]] = [:]
        for r in try await db.select().columns("resident_id", "phone_enc").from("resident_contacts")
            .where("resident_id", .in, Array(Set(residents))).orderBy("position").all(decoding: P.self)
        {
            out[r.resident_id, default: []].append(r.phone_enc)
        }
        return out
    }

    /// Checks everything before anything is written; replaces the person's contacts in one
    /// transaction.
    static func replace(_ resident: UUID, _ input: Input, cipher: FieldCipher, on db: any SQLDatabase) async throws
        -> [Contact]
    {
        guard let items = input.contacts else {
            throw AppError.invalid(
                "contacts", zh: "请提供 contacts 列表（清空时为空列表）", en: "contacts is required (an empty list clears them)")
        }
        guard items.count <= maxContacts else {
            throw AppError.invalid(
                "contacts", zh: "紧急联系人最多 \(maxContacts) 位", en: "At most \(maxContacts) emergency contacts")
        }
        let rows = try items.enumerated().map { i, item in try validated(item, field: "contacts[\(i)]") }
        let encrypted = try rows.map { ($0.0, $0.1, try cipher.encrypt($0.2), PhoneNumber.masked($0.2)) }
        try await db.transactionally { tx in
            try await tx.delete(from: "resident_contacts").where("resident_id", .equal, resident).run()
            guard !encrypted.isEmpty else { return }
            let insert = tx.insert(into: "resident_contacts").columns(
                "resident_id", "position", "name", "relation", "phone_enc", "phone_masked", "updated_at")
            for (i, c) in encrypted.enumerated() {
                insert.values(
                    SQLBind(resident), SQLBind(i), SQLBind(c.0), SQLBind(c.1), SQLBind(c.2), SQLBind(c.3),
                    SQLBind(Date()))
            }
            try await insert.run()
        }
        return encrypted.map { Contact(name: $0.0, relation: $0.1, phone: $0.3) }
    }

    /// One more contact (the page's form), after those there are.
    static func add(_ resident: UUID, _ item: Input.Item, cipher: FieldCipher, on db: any SQLDatabase) async throws {
        let (name, relation, phone) = try validated(item, field: "contact")
        let existing = try await list(resident, on: db)
        guard existing.count < maxContacts else {
            throw AppError.invalid(
                "contacts", zh: "紧急联系人最多 \(maxContacts) 位", en: "At most \(maxContacts) emergency contacts")
        }
        try await db.insert(into: "resident_contacts").columns(
            "resident_id", "position", "name", "relation", "phone_enc", "phone_masked", "updated_at"
        ).values(
            SQLBind(resident), SQLBind((existing.map(\.position).max() ?? -1) + 1), SQLBind(name), SQLBind(relation),
            SQLBind(try cipher.encrypt(phone)), SQLBind(PhoneNumber.masked(phone)), SQLBind(Date())
        ).run()
    }

    static func remove(_ resident: UUID, position: Int, on db: any SQLDatabase) async throws {
        try await db.delete(from: "resident_contacts").where("resident_id", .equal, resident)
            .where("position", .equal, position).run()
    }

    private static func validated(_ item: Input.Item, field: String) throws -> (String, String, String) {
        let name = (item.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...30).contains(name.count) else {
            throw AppError.invalid(
                "\(field).name", zh: "请填写联系人姓名（30 字以内）", en: "A name is required (at most 30 characters)")
        }
        let relation = (item.relation ?? "").trimmingCharacters(in: .whitespaces)
        guard relations.contains(relation) else {
            throw AppError.invalid(
                "\(field).relation", zh: "关系应为：\(relations.joined(separator: "、"))",
                en: "relation must be one of \(relations.joined(separator: ", "))")
        }
        let phone = PhoneNumber.normalised(item.phone ?? "")
        guard PhoneNumber.isValidMobile(phone) else {
            throw AppError.invalid(
                "\(field).phone", zh: "请填写 11 位手机号码", en: "A mainland mobile number (11 digits) is required")
        }
        return (TextSafety.cleaned(name), relation, phone)
    }

    /// One or two contacts (a child, sometimes a neighbour) for each older person living alone
    /// and each disabled person of the demo, with made-up numbers in the 139 range.
    static func demo(_ city: DemoCityData, on sql: any SQLDatabase) async throws {
        var rng = SeededGenerator(seed: city.seed ^ 0xC0_47AC)
        let wanted: Set<String> = [KeyPopulationTag.elderlyAlone.rawValue, KeyPopulationTag.disabled.rawValue]
        var seen = Set<UUID>()
        let surnames = Dictionary(
            city.population.residents.map { ($0.id, String($0.name.prefix(1))) }, uniquingKeysWith: { a, _ in a })
        var rows: [[any SQLExpression]] = []
        let given = ["建国", "秀英", "志强", "丽娟", "海燕", "国华", "晓东", "玉兰", "文杰", "春梅"]
        for t in city.population.tags where wanted.contains(t.tag) && seen.insert(t.residentID).inserted {
            let count = rng.chance(0.35) ? 2 : 1
            for i in 0..<count {
                let relation = i == 0 ? "子女" : (rng.chance(0.5) ? "邻居" : "亲属")
                let surname = i == 0 ? (surnames[t.residentID] ?? "王") : ["李", "张", "刘", "陈"][rng.int(0...3)]
                let name = surname + given[rng.int(0...(given.count - 1))]
                let phone = "139" + String(format: "%08d", rng.int(0...99_999_999))
                rows.append([
                    SQLBind(t.residentID), SQLBind(i), SQLBind(name), SQLBind(relation),
                    SQLBind(try city.cipher.encrypt(phone)), SQLBind(PhoneNumber.masked(phone)), SQLBind(Date()),
                ])
            }
        }
        for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
            let insert = sql.insert(into: "resident_contacts").columns(
                "resident_id", "position", "name", "relation", "phone_enc", "phone_masked", "updated_at")
            for r in chunk { insert.values(r) }
            try await insert.run()
        }
    }

    // MARK: API

    @Sendable static func get(req: Request) async throws -> [Contact] {
        let (_, current) = try await RegistryRoutes.scopedCurrent(req, action: "read")
        let rows = try await list(current.id, on: try req.readSQL)
        await req.audit.record(action: "read_contacts", entity: "resident", entityID: current.id.uuidString)
        return rows.map { Contact(name: $0.name, relation: $0.relation, phone: $0.phone_masked) }
    }

    @Sendable static func put(req: Request) async throws -> [Contact] {
        let (_, current) = try await RegistryRoutes.scopedCurrent(req, action: "update")
        let input = try req.content.decode(Input.self)
        let saved = try await replace(current.id, input, cipher: req.zhili.cipher, on: req.sql)
        await req.audit.record(
            action: "update_contacts", entity: "resident", entityID: current.id.uuidString, detail: "\(saved.count)")
        return saved
    }
}

/// The table of emergency contacts.
struct CreateResidentContacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("resident_contacts")
            .field("resident_id", .uuid, .required)
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("relation", .string, .required)
            .field("phone_enc", .string, .required)
            .field("phone_masked", .string, .required)
            .field("updated_at", .datetime, .required)
            .compositeIdentifier(over: "resident_id", "position")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("resident_contacts").delete()
    }
}
