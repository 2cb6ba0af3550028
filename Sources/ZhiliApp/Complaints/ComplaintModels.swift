import Foundation
import Vapor
import ZhiliDomain

/// A complaint as stored, decoded straight from its row.
struct ComplaintRow: Decodable, Sendable {
    let id: UUID
    /// Given by the intake, inside the transaction that writes the row (`ComplaintNumbers`).
    var number: String
    let category_code: String
    let text: String
    let lat: Double
    let lon: Double
    let grid_code: String
    let address: String?
    let channel: String
    let anonymous: Bool
    let submitter_id: UUID?
    let submitter_name: String?
    /// Typed: a status or tier the code does not know fails the read loudly (a decoding
    /// error), never passes as another one.
    let status: ComplaintStatus
    let tier: TimeLimitTier
    let handler_kind: String?
    let handler_user_id: UUID?
    let handler_department: String?
    let handler_name: String?
    let dispatch_reason: String?
    let dispatched_at: Date?
    let sign_by: Date?
    let contact_by: Date?
    let resolve_by: Date?
    let signed_at: Date?
    let contacted_at: Date?
    let resolved_at: Date?
    let closed_at: Date?
    let rating: Int?
    let rating_comment: String?
    let reopened: Int
    let escalation_level: Int
    let merged_into: UUID?
    let created_at: Date
    /// Answers to the category's extra questions, as a JSON object of code → text.
    var answers: String? = nil
    /// A phone given for a complaint taken by staff or from an integration (encrypted), for SMS
    /// updates; never shown. Residents with an account are reached through their account.
    var contact_phone_enc: String? = nil

    var answerMap: [String: String] {
        answers.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }

    var deadlines: ComplaintDeadlines? {
        guard let s = sign_by, let c = contact_by, let r = resolve_by else { return nil }
        var d = ComplaintDeadlines(tier: tier, dispatchedAt: dispatched_at ?? created_at)
        d.signBy = s
        d.contactBy = c
        d.resolveBy = r
        return d
    }

    static let columns = [
        "id", "number", "category_code", "text", "lat", "lon", "grid_code", "address", "channel", "anonymous",
        "submitter_id", "submitter_name", "status", "tier", "handler_kind", "handler_user_id", "handler_department",
        "handler_name", "dispatch_reason", "dispatched_at", "sign_by", "contact_by", "resolve_by", "signed_at",
        "contacted_at", "resolved_at", "closed_at", "rating", "rating_comment", "reopened", "escalation_level",
        "merged_into", "created_at", "answers", "contact_phone_enc",
    ]
}

/// One entry of a complaint's timeline as stored, with the role of whoever acted.
struct ComplaintEventRow: Decodable, Sendable {
    let at: Date
    let actor_name: String?
    let actor_role: String?
    let action: String
    let label_zh: String
    let note: String?
    let from_status: String?
    let to_status: String?
}

/// What a viewer sees of a complaint. Everyone who reads it in full (submitter, handler,
/// staff of its area) sees it whole, except that an anonymous submitter's name is shown to
/// nobody but the submitter (an administrator reads it through the audited reveal). A
/// resident who follows someone else's complaint sees what the public may: category,
/// status, dates, a point rounded to about 100 m and the words without phones, ID numbers
/// or names; no address, photos, answers or the people involved.
struct ComplaintDTO: Content, Sendable {
    struct Event: Content, Sendable {
        let at: Date
        let actorName: String?
        let action: String
        let labelZh: String
        let note: String?
        let fromStatus: String?
        let toStatus: String?
    }

    let id: UUID
    let number: String
    let categoryCode: String
    let categoryName: String
    let text: String
    let lat: Double
    let lon: Double
    let gridCode: String
    let address: String?
    let channel: String
    let anonymous: Bool
    let submitterName: String?
    let status: String
    let statusName: String
    let tier: String
    let handlerName: String?
    let dispatchReason: String?
    let signBy: Date?
    let contactBy: Date?
    let resolveBy: Date?
    let resolvedAt: Date?
    let rating: Int?
    let ratingComment: String?
    let reopened: Int
    let escalationLevel: String
    let overdue: [String]
    let createdAt: Date
    var timeline: [Event]?
    var photos: [PhotoInfo]?
    /// Residents who reported the same problem by following this complaint.
    var followers: Int?
    /// Answers to the category's extra questions (question code → answer).
    let answers: [String: String]
    /// False when the viewer sees only the public view (a follower).
    let full: Bool

    init(
        _ r: ComplaintRow, categoryName: String, viewer: Principal, now: Date = Date(),
        timeline events: [ComplaintEventRow]? = nil
    ) {
        let isSubmitter = r.submitter_id == viewer.userID
        let full = ComplaintPolicy.readsInFull(viewer, r)
        self.full = full
        id = r.id
        number = r.number
        categoryCode = r.category_code
        self.categoryName = categoryName
        text = full ? r.text : PublicText.redacted(r.text, names: r.submitter_name.map { [$0] } ?? [])
        lat = full ? r.lat : PublicText.coarse(r.lat)
        lon = full ? r.lon : PublicText.coarse(r.lon)
        gridCode = r.grid_code
        address = full ? r.address : nil
        channel = r.channel
        anonymous = r.anonymous
        submitterName = full && (!r.anonymous || isSubmitter) ? r.submitter_name : nil
        status = r.status.rawValue
        statusName = r.status.nameZh
        tier = r.tier.rawValue
        handlerName = full ? r.handler_name : nil
        dispatchReason = full ? r.dispatch_reason : nil
        signBy = r.sign_by
        contactBy = r.contact_by
        resolveBy = r.resolve_by
        resolvedAt = r.resolved_at
        rating = r.rating
        ratingComment = full ? r.rating_comment : nil
        reopened = r.reopened
        escalationLevel = (EscalationLevel(rawValue: r.escalation_level) ?? .grid).nameZh
        overdue =
            r.deadlines.map { ComplaintClocks.overdue(status: r.status, deadlines: $0, now: now).map(\.rawValue) } ?? []
        createdAt = r.created_at
        answers = full ? r.answerMap : [:]
        timeline = events.map { Self.shown($0, of: r, viewer: viewer, full: full) }
    }

    /// The timeline as this viewer may see it. Residents' names: an anonymous submitter's
    /// only to the submitter; followers' only to staff. The public view names nobody and
    /// shows notes without phones, ID numbers or names.
    static func shown(_ events: [ComplaintEventRow], of r: ComplaintRow, viewer: Principal, full: Bool) -> [Event] {
        let isSubmitter = r.submitter_id == viewer.userID
        let names = r.submitter_name.map { [$0] } ?? []
        return events.map { e in
            var name = e.actor_name
            var note = e.note
            if !full {
                name = nil
                note = note.map { PublicText.redacted($0, names: names) }
            } else if e.actor_role == Role.resident.rawValue {
                if e.action == "follow" {
                    if !viewer.role.isStaff { name = nil }
                } else if r.anonymous && !isSubmitter {
                    name = nil
                }
            }
            return Event(
                at: e.at, actorName: name, action: e.action, labelZh: e.label_zh, note: note,
                fromStatus: e.from_status, toStatus: e.to_status)
        }
    }
}
