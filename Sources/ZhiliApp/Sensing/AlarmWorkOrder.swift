import Foundation
import Vapor
import ZhiliDomain

/// An alarm turned into a 接诉即办 work order: a complaint taken in by the responder through
/// the complaints' own intake (channel `sensing`), at the alarm's position, in the category
/// chosen, with the alarm's title, place and the responder's note. It then follows the
/// complaint's lifecycle (dispatch, deadlines, rating); the alarm keeps the link. The alarm's
/// id is the intake's idempotency key: a retried dispatch finds the same work order.
enum AlarmWorkOrder {
    static let defaultCategory = "other.general"

    static func create(_ req: Request, alarm: AlarmDesk.Row, category: String?, note: String?, by p: Principal)
        async throws -> AlarmDesk.WorkOrder
    {
        guard let lat = alarm.lat, let lon = alarm.lon else {
            throw AppError(
                .unprocessableEntity, code: "alarm_without_position",
                zh: "此告警没有位置，不能转为接诉即办工单；请派给网格员", en: "This alarm has no position; dispatch it to a grid worker",
                field: "to")
        }
        var text = alarm.title_zh
        if let place = alarm.place, !place.isEmpty, !text.contains(place) { text += "（\(place)）" }
        if let note = note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty { text += "：" + note }
        if text.count < 5 { text += "，请核实处置" }
        let input = ComplaintSubmission.Input(
            categoryCode: category.flatMap { $0.isEmpty ? nil : $0 } ?? defaultCategory,
            text: String(text.prefix(2000)), lat: lat, lon: lon, address: alarm.place, anonymous: false,
            onBehalfOf: nil, contactPhone: nil, answers: nil)
        let made = try await ComplaintSubmission(req).submit(
            input, by: p, channel: "sensing", idempotencyKey: "alarm-\(alarm.id.uuidString)")
        // A repeat of the same dispatch answers with the complaint taken in the first time.
        var number = made.row?.number
        if number == nil { number = try await ComplaintStore.load(made.id, on: req.sql).number }
        guard let number else { throw AppError.internalFailure("work order without a number") }
        return AlarmDesk.WorkOrder(id: made.id, number: number)
    }
}
