import Foundation
import SQLKit
import Vapor
import ZhiliDomain

/// The clock of 接诉即办: raises the escalation level of overdue complaints (grid → community →
/// street → city) and closes resolved ones nobody rated within seven days. Everything is
/// derived from stored deadlines, so a restart loses nothing, and the guarded updates make it
/// safe for several app instances to run it at once.
struct ComplaintEscalation {
    let db: any SQLDatabase
    let channels: NotificationConfig

    struct Outcome: Sendable, Equatable {
        var escalated = 0
        var closed = 0
    }

    /// One pass: slices of at most 200 complaints, each in its own transaction (one disk flush
    /// per slice, and the write lock never held long enough to hold up new submissions).
    /// Candidates are read before the slice's transaction: on SQLite a transaction that reads
    /// and then writes fails (SQLITE_BUSY_SNAPSHOT) whenever another connection commits in
    /// between, which under load (every audited read commits) was nearly every pass. The
    /// guarded updates decide: only a complaint this pass actually changed gets its timeline
    /// entry and its notices, so passes of several instances never repeat one.
    func run(now: Date = Date()) async throws -> Outcome {
        var total = Outcome()
        for _ in 0..<25 {
            let (overdue, stale) = try await Self.candidates(db, now: now, limit: 200)
            if overdue.isEmpty && stale.isEmpty { break }
            let channels = self.channels
            let slice = try await db.transactionally { db in
                try await Self.apply(db, overdue: overdue, stale: stale, now: now, channels: channels)
            }
            total.escalated += slice.escalated
            total.closed += slice.closed
            if slice.escalated + slice.closed == 0 { break }
        }
        return total
    }

    /// Open complaints whose deadlines put them a level higher, and resolved ones nobody
    /// rated within the reopening window.
    private static func candidates(_ db: any SQLDatabase, now: Date, limit: Int) async throws
        -> (overdue: [(ComplaintRow, EscalationLevel)], stale: [ComplaintRow])
    {
        let open = [ComplaintStatus.dispatched, .signed, .inProgress].map(\.rawValue)
        let rows = try await db.select().columns(ComplaintRow.columns).from("complaints")
            .where("status", .in, open).where("sign_by", .lessThan, now).where(
                "escalation_level", .lessThan, EscalationLevel.city.rawValue
            )
            .limit(5000).all(decoding: ComplaintRow.self)
        var overdue: [(ComplaintRow, EscalationLevel)] = []
        for c in rows where overdue.count < limit {
            guard let deadlines = c.deadlines else { continue }
            let level = ComplaintClocks.escalationLevel(tier: c.tier, deadlines: deadlines, status: c.status, now: now)
            if level.rawValue > c.escalation_level { overdue.append((c, level)) }
        }
        let staleBefore = now.addingTimeInterval(-ComplaintLifecycle.reopenWindow)
        let stale = try await db.select().columns(ComplaintRow.columns).from("complaints")
            .where("status", .equal, ComplaintStatus.resolved.rawValue).where("resolved_at", .lessThan, staleBefore)
            .limit(limit).all(decoding: ComplaintRow.self)
        return (overdue, stale)
    }

    private static func apply(
        _ db: any SQLDatabase, overdue: [(ComplaintRow, EscalationLevel)], stale: [ComplaintRow], now: Date,
        channels: NotificationConfig
    ) async throws -> Outcome {
        var outcome = Outcome()
        let notices = ComplaintNotices(db: db, channels: channels)
        for (c, level) in overdue {
            let changed = try await db.update("complaints").set("escalation_level", to: level.rawValue).set(
                "updated_at", to: now
            )
            .where("id", .equal, c.id).where("escalation_level", .lessThan, level.rawValue)
            .where("status", .equal, c.status).returning("id").all()
            guard !changed.isEmpty, let deadlines = c.deadlines else { continue }
            // The level is not an input of the three rates, so no cell needs recounting.
            let late = ComplaintClocks.overdue(status: c.status, deadlines: deadlines, now: now)
            try await ComplaintTimeline(db: db).add(
                c.id, actor: nil, action: "escalate", label: ComplaintLifecycle.labelZh(.escalate),
                note: "超时（\(late.map(\.rawValue).joined(separator: "、"))），升级至\(level.nameZh)督办",
                from: c.status, to: c.status)
            try await notices.escalated(c, to: level, late: late.map(\.nameZh).joined(separator: "、"))
            outcome.escalated += 1
        }
        for c in stale {
            let changed = try await db.update("complaints").set("status", to: ComplaintStatus.closed.rawValue).set(
                "closed_at", to: now
            )
            .set("updated_at", to: now).where("id", .equal, c.id).where(
                "status", .equal, ComplaintStatus.resolved.rawValue
            )
            .returning("id").all()
            guard !changed.isEmpty else { continue }
            try await ComplaintRateCells(db: db).touch(grid: c.grid_code, createdAt: c.created_at)
            try await ComplaintTimeline(db: db).add(
                c.id, actor: nil, action: "close", label: ComplaintLifecycle.labelZh(.close),
                note: "7 天内未评价，自动关闭", from: .resolved, to: .closed)
            try await notices.after(.init(action: "auto_close"), on: c, now: now)
            outcome.closed += 1
        }
        return outcome
    }
}

/// Runs the escalation every minute while the server runs; stops with the application.
final class ComplaintScheduler: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    let interval: Duration

    init(interval: Duration = .seconds(60)) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        let db = try application.db.sql
        let logger = application.logger
        let interval = self.interval
        task = Task {
            while !Task.isCancelled {
                do {
                    let outcome = try await ComplaintEscalation(
                        db: db, channels: application.zhili.config.notifications
                    ).run()
                    if outcome != .init() { application.notifications.dispatcher.wake() }
                    if outcome != .init() {
                        logger.info("complaints: escalated \(outcome.escalated), auto-closed \(outcome.closed)")
                    }
                } catch {
                    logger.warning("complaint escalation failed: \(String(describing: error))")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        await task?.value
    }
}
