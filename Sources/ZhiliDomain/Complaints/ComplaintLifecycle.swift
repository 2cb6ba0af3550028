import Foundation

/// Where a complaint stands in the 接诉即办 flow. Raw values are stored and sent to clients,
/// so they never change.
public enum ComplaintStatus: String, Codable, CaseIterable, Sendable {
    case submitted  // 待审核: waiting for community review
    case dispatched  // 已派单: accepted and assigned, waiting for the handler to sign for it
    case signed  // 已签收
    case inProgress = "in_progress"  // 处理中 (the handler has contacted the resident)
    case resolved  // 已办结: handler finished; waiting for the resident's rating
    case closed  // 已评价/已关闭
    case rejected  // 不予受理
    case merged  // 已合并 into another complaint

    public var nameZh: String {
        switch self {
        case .submitted: "待审核"
        case .dispatched: "已派单"
        case .signed: "已签收"
        case .inProgress: "处理中"
        case .resolved: "已办结"
        case .closed: "已关闭"
        case .rejected: "不予受理"
        case .merged: "已合并"
        }
    }

    public var nameEn: String {
        switch self {
        case .submitted: "Submitted"
        case .dispatched: "Dispatched"
        case .signed: "Signed"
        case .inProgress: "In progress"
        case .resolved: "Resolved"
        case .closed: "Closed"
        case .rejected: "Rejected"
        case .merged: "Merged"
        }
    }

    /// Someone on the community side still owes work, so the time-limit clocks run.
    public var isOpen: Bool {
        switch self {
        case .submitted, .dispatched, .signed, .inProgress: true
        case .resolved, .closed, .rejected, .merged: false
        }
    }

    /// No further handling is expected. Closed counts as final even though the resident may still
    /// reopen it within `ComplaintLifecycle.reopenWindow`; rejected and merged never move again.
    public var isFinal: Bool {
        switch self {
        case .closed, .rejected, .merged: true
        case .submitted, .dispatched, .signed, .inProgress, .resolved: false
        }
    }
}

/// What a person does to a complaint. Each action is recorded on the timeline, so actions that
/// leave the status unchanged (notes, extensions, escalation) are still actions.
public enum ComplaintAction: Sendable, Equatable {
    case accept  // reviewer accepts; the app dispatches in the same step → dispatched
    case reject(reason: String)  // submitted → rejected (reason required, non-blank)
    case merge(into: String)  // submitted → merged
    case recategorize  // submitted → submitted
    case reassign  // dispatched|signed|inProgress → dispatched
    case sign  // dispatched → signed
    case contact  // signed → inProgress
    case progress  // signed|inProgress → same status (a note)
    case requestExtension(hours: Int, reason: String)  // signed|inProgress → same (1...720 hours, reason required)
    case decideExtension(approved: Bool)  // signed|inProgress → same
    case sendBack(reason: String)  // dispatched|signed|inProgress → submitted (handler returns it to review)
    case resolve  // signed|inProgress → resolved
    case rate(score: Int)  // resolved → closed (score 1...5)
    case reopen(reason: String)  // resolved|closed → dispatched, only within 7 days of resolvedAt
    case returnVisit  // resolved|closed → same (回访)
    case escalate  // any open status → same (the level rises, see EscalationLevel)
    case close  // resolved → closed without a rating (7 days passed without one)
}

/// Why an action was refused. `code` is stable for clients; the messages are shown as they are.
///
/// Codes: `invalid_transition` (the action does not apply in this status), `reason_required`,
/// `merge_target_required`, `hours_out_of_range` (extension not 1...720 h), `score_out_of_range`
/// (rating not 1...5), `resolved_at_missing` (reopen/close without a resolution time),
/// `reopen_window_passed`, `rating_window_open` (auto-close before the 7 days are up).
public struct ComplaintTransitionError: Error, Sendable, Equatable {
    public let code: String
    public let messageZh: String
    public let messageEn: String
}

public enum ComplaintLifecycle {
    /// How long after resolution the resident may still reopen, and how long the rating may stay
    /// outstanding before the complaint closes without one. Both rules share the same 7 days so a
    /// complaint is never closed while the resident could still reopen it with a rating pending.
    public static let reopenWindow: TimeInterval = 7 * 24 * 60 * 60

    /// Extensions beyond 30 days are not a time limit any more; they go back to review instead.
    static let extensionHours = 1...720
    static let scores = 1...5

    /// The status after `action`, or a clear error. `resolvedAt` is needed for reopen (7-day window)
    /// and for close (only once that window has passed).
    ///
    /// The status is checked before the action's parameters, so an action that is wrong for the
    /// status always reports `invalid_transition`. Window boundaries are inclusive on both sides:
    /// exactly 7 days after `resolvedAt` a complaint may still be reopened and may already be closed.
    public static func next(from status: ComplaintStatus, action: ComplaintAction, resolvedAt: Date?, now: Date)
        throws(ComplaintTransitionError) -> ComplaintStatus
    {
        guard let target = target(of: action, from: status) else {
            throw ComplaintTransitionError.invalidTransition(status, action)
        }
        try validate(action, resolvedAt: resolvedAt, now: now)
        return target
    }

    /// The status table alone, parameters aside; nil where the action does not apply.
    static func target(of action: ComplaintAction, from status: ComplaintStatus) -> ComplaintStatus? {
        switch (action, status) {
        case (.accept, .submitted): .dispatched
        case (.reject, .submitted): .rejected
        case (.merge, .submitted): .merged
        case (.recategorize, .submitted): .submitted
        case (.reassign, .dispatched), (.reassign, .signed), (.reassign, .inProgress): .dispatched
        case (.sign, .dispatched): .signed
        case (.contact, .signed): .inProgress
        case (.progress, .signed), (.progress, .inProgress),
            (.requestExtension, .signed), (.requestExtension, .inProgress),
            (.decideExtension, .signed), (.decideExtension, .inProgress):
            status
        case (.sendBack, .dispatched), (.sendBack, .signed), (.sendBack, .inProgress): .submitted
        case (.resolve, .signed), (.resolve, .inProgress): .resolved
        case (.rate, .resolved): .closed
        case (.reopen, .resolved), (.reopen, .closed): .dispatched
        case (.returnVisit, .resolved), (.returnVisit, .closed): status
        case (.escalate, _) where status.isOpen: status
        case (.close, .resolved): .closed
        default: nil
        }
    }

    private static func validate(_ action: ComplaintAction, resolvedAt: Date?, now: Date)
        throws(ComplaintTransitionError)
    {
        switch action {
        case .reject(let reason), .sendBack(let reason):
            try requireReason(reason, for: action)
        case .merge(let into):
            if isBlank(into) { throw ComplaintTransitionError.mergeTargetRequired }
        case .requestExtension(let hours, let reason):
            guard extensionHours.contains(hours) else { throw ComplaintTransitionError.hoursOutOfRange(hours) }
            try requireReason(reason, for: action)
        case .rate(let score):
            guard scores.contains(score) else { throw ComplaintTransitionError.scoreOutOfRange(score) }
        case .reopen(let reason):
            try requireReason(reason, for: action)
            guard let resolvedAt else { throw ComplaintTransitionError.resolvedAtMissing(action) }
            guard now.timeIntervalSince(resolvedAt) <= reopenWindow else {
                throw ComplaintTransitionError.reopenWindowPassed
            }
        case .close:
            guard let resolvedAt else { throw ComplaintTransitionError.resolvedAtMissing(action) }
            guard now.timeIntervalSince(resolvedAt) >= reopenWindow else {
                throw ComplaintTransitionError.ratingWindowOpen
            }
        case .accept, .recategorize, .reassign, .sign, .contact, .progress, .decideExtension, .resolve, .returnVisit,
            .escalate:
            break
        }
    }

    private static func requireReason(_ reason: String, for action: ComplaintAction) throws(ComplaintTransitionError) {
        if isBlank(reason) { throw ComplaintTransitionError.reasonRequired(action) }
    }

    /// Whitespace includes the full-width space (U+3000) that Chinese input methods produce.
    static func isBlank(_ text: String) -> Bool {
        text.trimmedWhitespace.isEmpty
    }

    /// Chinese label of the action for timelines: 审核通过, 不予受理, 合并, 调整分类, 改派, 签收, 联系诉求人, 进展, 申请延期, 延期审批, 退回, 办结, 评价, 重启, 回访, 督办升级, 自动关闭
    public static func labelZh(_ action: ComplaintAction) -> String {
        switch action {
        case .accept: "审核通过"
        case .reject: "不予受理"
        case .merge: "合并"
        case .recategorize: "调整分类"
        case .reassign: "改派"
        case .sign: "签收"
        case .contact: "联系诉求人"
        case .progress: "进展"
        case .requestExtension: "申请延期"
        case .decideExtension: "延期审批"
        case .sendBack: "退回"
        case .resolve: "办结"
        case .rate: "评价"
        case .reopen: "重启"
        case .returnVisit: "回访"
        case .escalate: "督办升级"
        case .close: "自动关闭"
        }
    }

    /// English label, used only to build `messageEn`.
    static func labelEn(_ action: ComplaintAction) -> String {
        switch action {
        case .accept: "Accept"
        case .reject: "Reject"
        case .merge: "Merge"
        case .recategorize: "Recategorize"
        case .reassign: "Reassign"
        case .sign: "Sign"
        case .contact: "Contact resident"
        case .progress: "Progress note"
        case .requestExtension: "Request extension"
        case .decideExtension: "Decide extension"
        case .sendBack: "Send back"
        case .resolve: "Resolve"
        case .rate: "Rate"
        case .reopen: "Reopen"
        case .returnVisit: "Return visit"
        case .escalate: "Escalate"
        case .close: "Auto-close"
        }
    }
}

extension ComplaintTransitionError {
    static func invalidTransition(_ status: ComplaintStatus, _ action: ComplaintAction) -> Self {
        let zh = ComplaintLifecycle.labelZh(action)
        let en = ComplaintLifecycle.labelEn(action)
        return Self(
            code: "invalid_transition",
            messageZh: "当前状态（\(status.nameZh)）不能执行“\(zh)”",
            messageEn: "“\(en)” is not allowed while the complaint is \(status.nameEn.lowercased())")
    }

    static func reasonRequired(_ action: ComplaintAction) -> Self {
        let zh = ComplaintLifecycle.labelZh(action)
        let en = ComplaintLifecycle.labelEn(action)
        return Self(
            code: "reason_required", messageZh: "“\(zh)”须填写原因",
            messageEn: "“\(en)” needs a reason")
    }

    static let mergeTargetRequired = Self(
        code: "merge_target_required", messageZh: "合并须指定目标诉求",
        messageEn: "Merging needs the complaint to merge into")

    static func hoursOutOfRange(_ hours: Int) -> Self {
        let range = ComplaintLifecycle.extensionHours
        return Self(
            code: "hours_out_of_range",
            messageZh: "延期时长须在\(range.lowerBound)至\(range.upperBound)小时之间（当前为\(hours)小时）",
            messageEn: "An extension must be \(range.lowerBound)–\(range.upperBound) hours (got \(hours))")
    }

    static func scoreOutOfRange(_ score: Int) -> Self {
        Self(
            code: "score_out_of_range", messageZh: "评分须为1至5分（当前为\(score)分）",
            messageEn: "The rating must be 1–5 (got \(score))")
    }

    static func resolvedAtMissing(_ action: ComplaintAction) -> Self {
        let zh = ComplaintLifecycle.labelZh(action)
        let en = ComplaintLifecycle.labelEn(action)
        return Self(
            code: "resolved_at_missing", messageZh: "缺少办结时间，无法“\(zh)”",
            messageEn: "“\(en)” needs the time the complaint was resolved")
    }

    static let reopenWindowPassed = Self(
        code: "reopen_window_passed", messageZh: "办结已超过7天，不能重启",
        messageEn: "More than 7 days have passed since resolution; it can no longer be reopened")

    static let ratingWindowOpen = Self(
        code: "rating_window_open", messageZh: "办结未满7天，诉求人仍可评价，暂不能自动关闭",
        messageEn: "Fewer than 7 days since resolution; the resident can still rate, so it cannot be closed yet")
}
