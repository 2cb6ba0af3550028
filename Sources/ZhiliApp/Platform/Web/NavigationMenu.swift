import Plot
import Vapor

/// Navigation by role: each capability offers the entries of the screens a role works with
/// (`Capability.navigation`), shown in the order of their `order`.
struct NavigationMenu: Component {
    let request: Request
    let active: String

    var items: [NavigationEntry] {
        guard let p = request.principal else { return [] }
        return Self.entries(for: p, capabilities: request.application.capabilities)
    }

    static func entries(for principal: Principal, capabilities: [any Capability]) -> [NavigationEntry] {
        capabilities.flatMap { $0.navigation(for: principal) }
            .enumerated()
            .sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            .map(\.element)
    }

    var body: Component {
        let t = Localizer(request)
        return List(items) { item in
            Link(t(item.label), url: item.url).class(item.key == active ? "active" : "")
        }
    }
}
