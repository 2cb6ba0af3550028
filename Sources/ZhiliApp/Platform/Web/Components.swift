import Plot

/// The pieces pages are built from, so that every page looks and behaves alike: a table that
/// becomes a list of cards on a phone, an empty state that says what to do next, count
/// cards that open the list they count.

/// A table whose cells carry their column's name (`data-label`): on a wide screen a table,
/// below 760 px one card per row with each value labelled (app.css). With no rows it shows
/// its empty state instead of an empty table.
struct DataTable: Component {
    let columns: [String]
    let rows: [[Component]]
    var empty: EmptyState?
    /// Extra classes of the table (`data` is always there).
    var classes = ""

    var body: Component {
        if rows.isEmpty, let empty { return empty }
        let columns = self.columns
        return Table(
            header: TableRow { for c in columns { TableHeaderCell(c) } }
        ) {
            for row in rows {
                TableRow {
                    for (i, cell) in row.enumerated() {
                        TableCell { cell }.attribute(named: "data-label", value: i < columns.count ? columns[i] : "")
                    }
                }
            }
        }.class(classes.isEmpty ? "data" : "data \(classes)")
    }
}

/// "Nothing here yet", with what would fill it and, when there is one, the way to do that.
struct EmptyState: Component {
    let title: String
    var hint: String?
    var action: (label: String, url: String)?

    var body: Component {
        Div {
            Element(name: "strong") { Text(title) }
            if let hint { Paragraph(hint).class("small") }
            if let action { Link(action.label, url: action.url).class("button") }
        }.class("empty")
    }
}

/// A figure with its label; with a URL it is a link to the list it counts.
struct StatCard: Component {
    let value: String
    let label: String
    var url: String?
    /// "bad", "warn", "ok" or "" (colour of the figure).
    var tone = ""
    var hint: String?

    var body: Component {
        let inner = ComponentGroup {
            Span(value).class("figure")
            Span(label).class("figure-label")
            if let hint { Span(hint).class("figure-hint") }
        }
        let classes = tone.isEmpty ? "stat" : "stat \(tone)"
        if let url { return Link(url: url) { inner }.class(classes) }
        return Div { inner }.class(classes)
    }
}

extension String {
    /// At most `limit` characters; a longer text ends in "…" so nobody mistakes it for all of it.
    func clipped(_ limit: Int) -> String {
        count <= limit ? self : String(prefix(max(1, limit - 1))) + "…"
    }
}

/// A labelled drop-down: the options as (value, text), the one selected, and optionally a
/// first option that sends nothing ("全部", "请选择") with a value that really is empty.
struct Choice: Component {
    let label: String
    let name: String
    let options: [(value: String, text: String)]
    var selected: String?
    var none: String?
    var required = false

    var body: Component {
        let options = self.options
        let selected = self.selected
        return Label(label) {
            Element(name: "select") {
                if let none {
                    Node<HTML.BodyContext>.element(
                        named: "option",
                        nodes: [.attribute(named: "value", value: "", ignoreIfValueIsEmpty: false), .text(none)])
                }
                for option in options {
                    Node<HTML.BodyContext>.element(
                        named: "option",
                        nodes: [
                            .attribute(named: "value", value: option.value, ignoreIfValueIsEmpty: false),
                            .if(option.value == selected, .attribute(named: "selected", value: "selected")),
                            .text(option.text),
                        ])
                }
            }.attribute(named: "name", value: name).attribute(named: "required", value: required ? "required" : "")
        }
    }
}
