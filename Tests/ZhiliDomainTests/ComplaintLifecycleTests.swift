import Foundation
import Testing

@testable import ZhiliDomain

private let now = Date(timeIntervalSinceReferenceDate: 800_000_000)
private let day: TimeInterval = 24 * 60 * 60
private let week = ComplaintLifecycle.reopenWindow

/// One valid instance of every action, so the matrix covers all 17 cases.
private let allActions: [ComplaintAction] = [
    .accept, .reject(reason: "非本辖区事项"), .merge(into: "C-001"), .recategorize, .reassign, .sign, .contact,
    .progress, .requestExtension(hours: 48, reason: "需协调产权单位"), .decideExtension(approved: true),
    .sendBack(reason: "非本单位职责"), .resolve, .rate(score: 5), .reopen(reason: "问题复发"), .returnVisit,
    .escalate, .close,
]

/// The legal table, written out independently of the implementation.
private let legal: [(ComplaintStatus, ComplaintAction, ComplaintStatus)] = [
    (.submitted, .accept, .dispatched),
    (.submitted, .reject(reason: "非本辖区事项"), .rejected),
    (.submitted, .merge(into: "C-001"), .merged),
    (.submitted, .recategorize, .submitted),
    (.dispatched, .reassign, .dispatched), (.signed, .reassign, .dispatched), (.inProgress, .reassign, .dispatched),
    (.dispatched, .sign, .signed),
    (.signed, .contact, .inProgress),
    (.signed, .progress, .signed), (.inProgress, .progress, .inProgress),
    (.signed, .requestExtension(hours: 48, reason: "需协调产权单位"), .signed),
    (.inProgress, .requestExtension(hours: 48, reason: "需协调产权单位"), .inProgress),
    (.signed, .decideExtension(approved: true), .signed), (.inProgress, .decideExtension(approved: true), .inProgress),
    (.dispatched, .sendBack(reason: "非本单位职责"), .submitted), (.signed, .sendBack(reason: "非本单位职责"), .submitted),
    (.inProgress, .sendBack(reason: "非本单位职责"), .submitted),
    (.signed, .resolve, .resolved), (.inProgress, .resolve, .resolved),
    (.resolved, .rate(score: 5), .closed),
    (.resolved, .reopen(reason: "问题复发"), .dispatched), (.closed, .reopen(reason: "问题复发"), .dispatched),
    (.resolved, .returnVisit, .resolved), (.closed, .returnVisit, .closed),
    (.submitted, .escalate, .submitted), (.dispatched, .escalate, .dispatched),
    (.signed, .escalate, .signed), (.inProgress, .escalate, .inProgress),
    (.resolved, .close, .closed),
]

/// A resolution time that satisfies the action's window: recent for reopen, long ago for close.
private func resolvedAt(for action: ComplaintAction) -> Date {
    if case .close = action { return now.addingTimeInterval(-8 * day) }
    return now.addingTimeInterval(-day)
}

/// The error `next` throws, or nil if it succeeds.
private func failure(
    _ status: ComplaintStatus, _ action: ComplaintAction, resolvedAt: Date? = nil,
    at time: Date = now
) -> ComplaintTransitionError? {
    do {
        _ = try ComplaintLifecycle.next(from: status, action: action, resolvedAt: resolvedAt, now: time)
        return nil
    } catch {
        return error
    }
}

@Suite struct ComplaintLifecycleTests {
    @Test(arguments: legal.indices)
    func everyLegalTransitionLandsWhereTheTableSays(index: Int) throws {
        let (from, action, to) = legal[index]
        let result = try ComplaintLifecycle.next(
            from: from, action: action, resolvedAt: resolvedAt(for: action), now: now)
        #expect(result == to, "\(from) + \(action)")
    }

    @Test func everyOtherStatusActionPairIsAnInvalidTransition() {
        var illegal = 0
        for status in ComplaintStatus.allCases {
            for action in allActions where !legal.contains(where: { $0.0 == status && $0.1 == action }) {
                illegal += 1
                let error = failure(status, action, resolvedAt: resolvedAt(for: action))
                #expect(error?.code == "invalid_transition", "\(status) + \(action)")
                #expect(error?.messageZh.contains(status.nameZh) == true)
                #expect(error?.messageZh.contains(ComplaintLifecycle.labelZh(action)) == true)
                #expect(error?.messageEn.isEmpty == false)
            }
        }
        #expect(illegal == ComplaintStatus.allCases.count * allActions.count - legal.count)
        #expect(legal.count == 30)
    }

    @Test func invalidTransitionMessageReadsNaturally() {
        let error = failure(.signed, .accept)
        #expect(error?.messageZh == "当前状态（已签收）不能执行“审核通过”")
    }

    @Test func theStatusIsCheckedBeforeTheParameters() {
        #expect(failure(.closed, .reject(reason: " "))?.code == "invalid_transition")
        #expect(failure(.dispatched, .rate(score: 9))?.code == "invalid_transition")
        #expect(
            failure(.submitted, .reopen(reason: "复发"), resolvedAt: now.addingTimeInterval(-30 * day))?.code
                == "invalid_transition")
    }

    @Test(arguments: ["", " ", "   ", "\n\t", "\u{3000}\u{3000}", " \u{3000}\n"])
    func blankReasonsAreRefused(blank: String) {
        #expect(failure(.submitted, .reject(reason: blank))?.code == "reason_required")
        #expect(failure(.inProgress, .sendBack(reason: blank))?.code == "reason_required")
        #expect(failure(.signed, .requestExtension(hours: 24, reason: blank))?.code == "reason_required")
        #expect(failure(.closed, .reopen(reason: blank), resolvedAt: now)?.code == "reason_required")
        #expect(failure(.submitted, .merge(into: blank))?.code == "merge_target_required")
    }

    @Test func reasonsWithSurroundingSpaceAreAccepted() {
        #expect(failure(.submitted, .reject(reason: "  重复诉求 ")) == nil)
        #expect(failure(.signed, .sendBack(reason: "\u{3000}不属本社区")) == nil)
    }

    @Test func scoresOutsideOneToFiveAreRefused() {
        for score in [-1, 0, 6, 100] {
            #expect(failure(.resolved, .rate(score: score))?.code == "score_out_of_range", "\(score)")
        }
        for score in 1...5 {
            #expect(failure(.resolved, .rate(score: score)) == nil, "\(score)")
        }
    }

    @Test func extensionHoursMustBeOneTo720() {
        for hours in [-5, 0, 721, 10_000] {
            #expect(failure(.signed, .requestExtension(hours: hours, reason: "等待材料"))?.code == "hours_out_of_range")
        }
        for hours in [1, 24, 720] {
            #expect(failure(.inProgress, .requestExtension(hours: hours, reason: "等待材料")) == nil)
        }
    }

    @Test func reopenIsAllowedUpToExactlySevenDaysAfterResolution() {
        let action = ComplaintAction.reopen(reason: "问题复发")
        let resolved = now.addingTimeInterval(-week)
        #expect(week == 7 * day)
        #expect(failure(.closed, action, resolvedAt: resolved) == nil)
        #expect(failure(.resolved, action, resolvedAt: resolved) == nil)
        #expect(failure(.closed, action, resolvedAt: resolved, at: now.addingTimeInterval(-1)) == nil)
        #expect(
            failure(.closed, action, resolvedAt: resolved, at: now.addingTimeInterval(1))?.code
                == "reopen_window_passed")
        #expect(
            failure(.resolved, action, resolvedAt: resolved, at: now.addingTimeInterval(1))?.code
                == "reopen_window_passed")
        #expect(failure(.closed, action, resolvedAt: now.addingTimeInterval(-30 * day))?.code == "reopen_window_passed")
        #expect(failure(.closed, action, resolvedAt: now) == nil)
        #expect(failure(.closed, action, resolvedAt: nil)?.code == "resolved_at_missing")
    }

    @Test func autoCloseWaitsForTheFullSevenDays() {
        let resolved = now.addingTimeInterval(-week)
        #expect(failure(.resolved, .close, resolvedAt: resolved) == nil)
        #expect(
            failure(.resolved, .close, resolvedAt: resolved, at: now.addingTimeInterval(-1))?.code
                == "rating_window_open")
        #expect(failure(.resolved, .close, resolvedAt: now)?.code == "rating_window_open")
        #expect(failure(.resolved, .close, resolvedAt: nil)?.code == "resolved_at_missing")
    }

    @Test(arguments: [ComplaintStatus.merged, .rejected])
    func mergedAndRejectedAcceptNoAction(status: ComplaintStatus) {
        #expect(status.isFinal && !status.isOpen)
        for action in allActions {
            #expect(
                failure(status, action, resolvedAt: resolvedAt(for: action))?.code == "invalid_transition", "\(action)")
        }
    }

    @Test func statusFlagsAndNames() {
        let open = ComplaintStatus.allCases.filter(\.isOpen)
        #expect(open == [.submitted, .dispatched, .signed, .inProgress])
        #expect(Set(ComplaintStatus.allCases.filter(\.isFinal)) == [.closed, .rejected, .merged])
        #expect(ComplaintStatus.allCases.allSatisfy { !($0.isOpen && $0.isFinal) })
        #expect(ComplaintStatus.inProgress.rawValue == "in_progress")
        #expect(ComplaintStatus(rawValue: "in_progress") == .inProgress)
        #expect(Set(ComplaintStatus.allCases.map(\.nameZh)).count == ComplaintStatus.allCases.count)
        #expect(Set(ComplaintStatus.allCases.map(\.nameEn)).count == ComplaintStatus.allCases.count)
        #expect(ComplaintStatus.submitted.nameZh == "待审核" && ComplaintStatus.resolved.nameZh == "已办结")
    }

    @Test func everyActionHasItsOwnChineseLabel() {
        let labels = allActions.map(ComplaintLifecycle.labelZh)
        #expect(labels.allSatisfy { !$0.isEmpty })
        #expect(Set(labels).count == allActions.count)
        #expect(
            labels == [
                "审核通过", "不予受理", "合并", "调整分类", "改派", "签收", "联系诉求人", "进展", "申请延期",
                "延期审批", "退回", "办结", "评价", "重启", "回访", "督办升级", "自动关闭",
            ])
        #expect(allActions.allSatisfy { !ComplaintLifecycle.labelEn($0).isEmpty })
    }

    @Test func aTypicalComplaintRunsEndToEnd() throws {
        var status = ComplaintStatus.submitted
        let steps: [ComplaintAction] = [
            .accept, .sign, .contact, .progress, .resolve, .reopen(reason: "未彻底解决"),
            .sign, .resolve, .rate(score: 4), .returnVisit,
        ]
        for action in steps {
            status = try ComplaintLifecycle.next(from: status, action: action, resolvedAt: now, now: now)
        }
        #expect(status == .closed)
    }
}
