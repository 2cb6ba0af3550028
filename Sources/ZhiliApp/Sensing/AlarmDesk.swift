import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// Alarms (I2): raised by the rules or the clocks, updated instead of duplicated while one of
/// the same rule is open on the same source, acknowledged, dispatched, resolved or marked
/// false, each step timed and attributed; while nobody acknowledges, the ladder calls the
/// next level. Every change is a live event (`alarm`) to the staff whose area holds it.
enum AlarmDesk {
    static let liveKind = "alarm"
    static let openStatuses = [AlarmStatus.raised, .acknowledged, .dispatched].map(\.rawValue)

    struct Row: Decodable, Sendable {
        let id: UUID
        let rule: String
        let severity: String
        let status: String
        let source_key: String
        let device_id: UUID?
        let resident_id: UUID?
        let node_code: String
        let title_zh: String
        let title_en: String
        let place: String?
        let lat: Double?
        let lon: Double?
        let count: Int
        let first_at: Date
        let last_at: Date
        let acknowledged_at: Date?
        let acknowledged_by_name: String?
        let dispatched_at: Date?
        let dispatch_kind: String?
        let dispatched_to: String?
        let complaint_id: UUID?
        let closed_at: Date?
        let closed_by_name: String?
        let outcome: String?
        let rung: Int
        let next_rung_at: Date?
    }

    static let columns = [
        "id", "rule", "severity", "status", "source_key", "device_id", "resident_id", "node_code", "title_zh",
        "title_en", "place", "lat", "lon", "count", "first_at", "last_at", "acknowledged_at", "acknowledged_by_name",
        "dispatched_at", "dispatch_kind", "dispatched_to", "complaint_id", "closed_at", "closed_by_name", "outcome",
        "rung", "next_rung_at",
    ]

    /// An alarm as the API and the live push show it.
    struct View: Content, Sendable {
        let id: UUID
        let rule: String
        let severity: String
        let status: String
        let deviceID: UUID?
        let residentID: UUID?
        let nodeCode: String
        let title: String
        let titleEn: String
        let place: String?
        let lat: Double?
        let lon: Double?
        let count: Int
        let firstAt: Date
        let lastAt: Date
        let acknowledgedAt: Date?
        let acknowledgedBy: String?
        let dispatchedAt: Date?
        let dispatchKind: String?
        let dispatchedTo: String?
        let complaintID: UUID?
        let closedAt: Date?
        let closedBy: String?
        let outcome: String?
        /// The ladder's rung reached (0: the first level called).
        let rung: Int
        let level: String
        /// Seconds from the raise to the acknowledgement.
        let secondsToAcknowledge: Int?

        init(_ r: Row, ladder: EscalationLadder) {
            id = r.id
            rule = r.rule
            severity = r.severity
            status = r.status
            deviceID = r.device_id
            residentID = r.resident_id
            nodeCode = r.node_code
            title = r.title_zh
            titleEn = r.title_en
            place = r.place
            lat = r.lat
            lon = r.lon
            count = r.count
            firstAt = r.first_at
            lastAt = r.last_at
            acknowledgedAt = r.acknowledged_at
            acknowledgedBy = r.acknowledged_by_name
            dispatchedAt = r.dispatched_at
            dispatchKind = r.dispatch_kind
            dispatchedTo = r.dispatched_to
            complaintID = r.complaint_id
            closedAt = r.closed_at
            closedBy = r.closed_by_name
            outcome = r.outcome
            rung = r.rung
            level = ladder.rungs[min(r.rung, ladder.rungs.count - 1)].level
            secondsToAcknowledge = r.acknowledged_at.map { Int($0.timeIntervalSince(r.first_at).rounded()) }
        }
    }

    static func find(_ id: UUID, on db: any SQLDatabase) async throws -> Row? {
        try await db.select().columns(columns.map { SQLIdentifier($0) }).from("alarms").where("id", .equal, id)
            .first(decoding: Row.self)
    }

    // MARK: Raising

    /// What raises or updates an alarm.
    struct Raise: Sendable {
        let rule: String
        let severity: AlarmSeverity
        let sourceKey: String
        let deviceID: UUID?
        let residentID: UUID?
        let nodeCode: String
        let titleZh: String
        let titleEn: String
        let place: String?
        let lat: Double?
        let lon: Double?
        let at: Date
        var count = 1
    }

    /// Raises each alarm, or updates the open one of the same rule on the same source (count,
    /// last seen). Runs inside the caller's transaction; returns the alarms' ids in order.
    static func raise(
        _ raises: [Raise], on tx: any SQLDatabase, ladder: EscalationLadder, channels: NotificationConfig, now: Date
    ) async throws -> [UUID] {
        guard !raises.isEmpty else { return [] }
        struct Open: Decodable {
            let id: UUID
            let rule: String
            let source_key: String
        }
        let sources = Array(Set(raises.map(\.sourceKey)))
        var open: [String: UUID] = [:]
        for chunk in stride(from: 0, to: sources.count, by: 400).map({
            Array(sources[$0..<min($0 + 400, sources.count)])
        }) {
            for r in try await tx.select().columns("id", "rule", "source_key").from("alarms")
                .where("source_key", .in, chunk).where("status", .in, openStatuses).all(decoding: Open.self)
            {
                open[r.rule + "|" + r.source_key] = r.id
            }
        }
        var ids: [UUID] = []
        var touched: [UUID] = []
        var fresh: [(UUID, Raise)] = []
        for raise in raises {
            let key = raise.rule + "|" + raise.sourceKey
            if let id = open[key] {
                try await tx.update("alarms").set("count", to: SQLRaw("count + \(raise.count)"))
                    .set("last_at", to: raise.at).where("id", .equal, id).run()
                ids.append(id)
                touched.append(id)
                continue
            }
            let id = UUID()
            open[key] = id
            let next = ladder.nextDelay(after: 0).map { raise.at.addingTimeInterval(Double($0)) }
            try await tx.insert(into: "alarms")
                .columns(
                    "id", "rule", "severity", "status", "source_key", "device_id", "resident_id", "node_code",
                    "title_zh",
                    "title_en", "place", "lat", "lon", "count", "first_at", "last_at", "rung", "next_rung_at"
                )
                .values(
                    SQLBind(id), SQLBind(raise.rule), SQLBind(raise.severity.rawValue),
                    SQLBind(AlarmStatus.raised.rawValue),
                    SQLBind(raise.sourceKey), SQLBind(raise.deviceID), SQLBind(raise.residentID),
                    SQLBind(raise.nodeCode),
                    SQLBind(raise.titleZh), SQLBind(raise.titleEn), SQLBind(raise.place), SQLBind(raise.lat),
                    SQLBind(raise.lon), SQLBind(raise.count), SQLBind(raise.at), SQLBind(raise.at), SQLBind(0),
                    SQLBind(next)
                )
                .run()
            try await step(id, "raised", actor: nil, note: raise.titleZh, on: tx, at: now)
            ids.append(id)
            touched.append(id)
            fresh.append((id, raise))
        }
        if !fresh.isEmpty {
            var batch: [(users: [UUID], notice: Notice)] = []
            for (id, raise) in fresh {
                let users = try await callees(level: ladder.rungs.first?.level ?? "grid", node: raise.nodeCode, on: tx)
                batch.append(
                    (users, notice(id: id, titleZh: raise.titleZh, place: raise.place, severity: raise.severity)))
            }
            let notifier = Notifier(db: tx, channels: channels)
            try await notifier.notify(batch, now: now)
            // The family of the person an urgent alarm is about: by SMS to their emergency contacts.
            // Critical or major (severities rank the most urgent first).
            let personal = fresh.filter { $0.1.residentID != nil && $0.1.severity <= .major }
            if channels.smsEnabled, !personal.isEmpty {
                let phones = try await EmergencyContacts.encryptedPhones(
                    of: personal.compactMap(\.1.residentID), on: tx)
                for (id, raise) in personal {
                    guard let resident = raise.residentID, let list = phones[resident], !list.isEmpty else { continue }
                    for phone in list { try await notifier.text(encryptedPhone: phone, familyNotice(raise), now: now) }
                    try await step(id, "family", actor: nil, note: "\(list.count)", on: tx, at: now)
                }
            }
        }
        try await announce(Array(Set(touched)), on: tx, ladder: ladder)
        return ids
    }

    static func step(
        _ alarm: UUID, _ action: String, actor: Principal?, note: String?, on db: any SQLDatabase, at: Date
    )
        async throws
    {
        try await db.insert(into: "alarm_steps").columns(
            "id", "alarm_id", "at", "action", "actor_id", "actor_name", "note"
        )
        .values(
            SQLBind(UUID()), SQLBind(alarm), SQLBind(at), SQLBind(action), SQLBind(actor?.userID),
            SQLBind(actor?.displayName), SQLBind(note.map { String($0.prefix(500)) })
        )
        .run()
    }

    /// A live event per alarm (as it now stands) to the staff whose area holds it.
    static func announce(_ ids: [UUID], on db: any SQLDatabase, ladder: EscalationLadder) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await db.select().columns(columns.map { SQLIdentifier($0) }).from("alarms").where("id", .in, ids)
            .all(decoding: Row.self)
        try await LiveFeed.store(
            try rows.map {
                try LiveItem(kind: liveKind, to: .staff(node: $0.node_code), data: View($0, ladder: ladder))
            },
            on: db)
    }

    // MARK: Handling

    struct ActionInput: Content, Sendable {
        var action: String?
        var note: String?
        /// dispatch: grid (a grid worker), volunteer, department, or work_order (a 接诉即办
        /// complaint, taken in for the alarm's place; `category` is its category, default
        /// other.general); `assignee` names whom it went to (for a work order: its number).
        var to: String?
        var assignee: String?
        var category: String?
    }

    /// The 接诉即办 work order an alarm was turned into.
    struct WorkOrder: Sendable {
        let id: UUID
        let number: String
    }

    static func act(
        _ id: UUID, _ input: ActionInput, by p: Principal, on db: any SQLDatabase, ladder: EscalationLadder,
        workOrder: WorkOrder? = nil, now: Date = Date()
    ) async throws -> Row {
        guard let raw = input.action, let action = AlarmAction(rawValue: raw) else {
            throw AppError.invalid(
                "action", zh: "操作应为 acknowledge、dispatch、resolve、false 之一",
                en: "action must be acknowledge, dispatch, resolve or false")
        }
        let note = input.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > 500 {
            throw AppError.invalid("note", zh: "说明不超过 500 字", en: "note is at most 500 characters")
        }
        if action == .markFalse || action == .resolve, (note ?? "").isEmpty {
            throw AppError.invalid("note", zh: "请写明处置结果", en: "Say what was done (note)")
        }
        if let to = input.to, !["grid", "volunteer", "department", "work_order"].contains(to) {
            throw AppError.invalid(
                "to", zh: "派遣对象应为 grid、volunteer、department 或 work_order",
                en: "to must be grid, volunteer, department or work_order")
        }
        var dispatchKind: String?
        if action == .dispatch {
            guard let to = input.to, ["grid", "volunteer", "department", "work_order"].contains(to) else {
                throw AppError.invalid(
                    "to", zh: "派遣对象应为 grid、volunteer、department 或 work_order",
                    en: "to must be grid, volunteer, department or work_order")
            }
            dispatchKind = to
            if to == "work_order", workOrder == nil {
                throw AppError.invalid("to", zh: "工单尚未创建", en: "The work order was not created")
            }
            if to != "work_order", (input.assignee ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw AppError.invalid("assignee", zh: "请填写派给谁", en: "Say whom it goes to (assignee)")
            }
        }
        // Read first, then a transaction that begins with its write (on SQLite a transaction
        // that reads before writing fails when another connection commits in between).
        guard let status = try await find(id, on: db).flatMap({ AlarmStatus(rawValue: $0.status) }) else {
            throw AppError.notFound(entity: "alarm")
        }
        guard let next = action.next(from: status) else {
            throw AppError.conflict(
                "alarm_step_not_allowed", zh: "告警当前状态（\(status.rawValue)）不能执行此操作",
                en: "This step is not allowed while the alarm is \(status.rawValue)")
        }
        let assignee =
            workOrder.map(\.number)
            ?? input.assignee.map { String($0.trimmingCharacters(in: .whitespaces).prefix(60)) }
        let kindChosen = dispatchKind
        return try await db.transactionally { tx in
            // Only the status read may move: a second responder's click finds it moved.
            let update = tx.update("alarms").set("status", to: next.rawValue).where("id", .equal, id)
                .where("status", .equal, status.rawValue)
            switch action {
            case .acknowledge:
                update.set("acknowledged_at", to: now).set("acknowledged_by", to: p.userID)
                    .set("acknowledged_by_name", to: p.displayName).set("next_rung_at", to: SQLLiteral.null)
            case .dispatch:
                update.set("dispatched_at", to: now).set("dispatch_kind", to: kindChosen)
                    .set("dispatched_to", to: assignee).set("next_rung_at", to: SQLLiteral.null)
                if let workOrder { update.set("complaint_id", to: workOrder.id) }
                if status == .raised {
                    update.set("acknowledged_at", to: now).set("acknowledged_by", to: p.userID)
                        .set("acknowledged_by_name", to: p.displayName)
                }
            case .resolve, .markFalse:
                update.set("closed_at", to: now).set("closed_by_name", to: p.displayName).set("outcome", to: note)
            }
            struct N: Decodable { let id: UUID }
            guard try await !update.returning("id").all(decoding: N.self).isEmpty,
                let after = try await find(id, on: tx)
            else {
                throw AppError.conflict(
                    "alarm_moved", zh: "告警刚被他人处理，请刷新", en: "Someone else just handled this alarm; reload")
            }
            let stepNote = [assignee.map { "→ \($0)" }, note].compactMap { $0 }.filter { !$0.isEmpty }
                .joined(separator: " ")
            try await step(id, action.rawValue, actor: p, note: stepNote.isEmpty ? nil : stepNote, on: tx, at: now)
            try await announce([id], on: tx, ladder: ladder)
            return after
        }
    }

    // MARK: Clocks

    /// Alarms nobody acknowledged climb the ladder: the next level is told. Each alarm moves
    /// once per rung whichever instance runs the clock (the update names the rung it leaves).
    static func escalate(
        on db: any SQLDatabase, ladder: EscalationLadder, channels: NotificationConfig, now: Date = Date()
    )
        async throws -> Int
    {
        let due = try await db.select().columns(columns.map { SQLIdentifier($0) }).from("alarms")
            .where("status", .equal, AlarmStatus.raised.rawValue).where("next_rung_at", .lessThanOrEqual, now)
            .orderBy("next_rung_at").limit(200).all(decoding: Row.self)
        var moved = 0
        for row in due {
            let target = max(row.rung + 1, ladder.rung(after: now.timeIntervalSince(row.first_at)))
            guard target < ladder.rungs.count else { continue }
            let next = ladder.nextDelay(after: target).map { row.first_at.addingTimeInterval(Double($0)) }
            let did = try await db.transactionally { tx -> Bool in
                struct N: Decodable { let id: UUID }
                let changed = try await tx.update("alarms").set("rung", to: target).set("next_rung_at", to: next)
                    .where("id", .equal, row.id).where("rung", .equal, row.rung)
                    .where("status", .equal, AlarmStatus.raised.rawValue).returning("id").all(decoding: N.self)
                guard !changed.isEmpty else { return false }
                let level = ladder.rungs[target].level
                try await step(row.id, "escalated", actor: nil, note: level, on: tx, at: now)
                let users = try await callees(level: level, node: row.node_code, on: tx)
                try await Notifier(db: tx, channels: channels).notify(
                    users,
                    notice(
                        id: row.id, titleZh: row.title_zh, place: row.place,
                        severity: AlarmSeverity(rawValue: row.severity) ?? .major, escalated: true), now: now)
                try await announce([row.id], on: tx, ladder: ladder)
                return true
            }
            if did { moved += 1 }
        }
        return moved
    }

}
