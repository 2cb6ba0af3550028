import Foundation
import SQLKit
import Vapor

/// One line of a person's to-do centre: how many things wait for them, and the filtered list
/// that shows exactly those. The count comes from the same definition as that list (each
/// capability's store), so the figure on the dashboard equals what the link opens.
struct ToDoItem: Content, Sendable, Equatable {
    enum Tone: String, Content, Sendable { case normal, warn, bad }

    /// Stable id (`complaints.to-review`).
    let key: String
    /// Message key of its label.
    let label: String
    let count: Int
    /// The list it counts.
    let url: String
    var tone: Tone = .normal
    /// Position on the dashboard: lower first.
    var order: Int = 50
}

/// What a capability's to-do counts may read.
struct ToDoContext: Sendable {
    let principal: Principal
    let sql: any SQLDatabase
    let now: Date
    let application: Application
}

enum ToDoCentre {
    /// Every capability's to-do lines for this person, in order.
    static func items(for principal: Principal, on req: Request, now: Date = Date()) async throws -> [ToDoItem] {
        let context = ToDoContext(principal: principal, sql: try req.sql, now: now, application: req.application)
        var items: [ToDoItem] = []
        for capability in req.application.capabilities {
            items += try await capability.todo(context)
        }
        return items.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            .map(\.element)
    }

    struct Answer: Content {
        struct Line: Content {
            let key: String
            let label: String
            let labelZh: String
            let labelEn: String
            let count: Int
            let url: String
            let tone: ToDoItem.Tone
        }
        let items: [Line]
    }

    /// `GET /api/v1/me/todo`: the same lines as the dashboard, labelled in both languages.
    @Sendable static func api(req: Request) async throws -> Answer {
        let p = try req.requirePrincipal()
        let catalogue = req.application.messages
        let t = Localizer(req)
        return Answer(
            items: try await items(for: p, on: req).map {
                Answer.Line(
                    key: $0.key, label: t($0.label), labelZh: catalogue.text($0.label, lang: .zh),
                    labelEn: catalogue.text($0.label, lang: .en), count: $0.count, url: $0.url, tone: $0.tone)
            })
    }
}
