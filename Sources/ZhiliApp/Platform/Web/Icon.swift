/// Line icons of the navigation, drawn as inline SVG (no icon font, nothing to download):
/// 20×20, stroked in the text colour.
enum Icon {
    static let paths: [String: String] = [
        "home": "M3 10 L10 3 L17 10 M5 8.5 V17 H15 V8.5",
        "messages": "M3 5 H17 V15 H3 Z M3 5 L10 11 L17 5",
        "list": "M4 5 H16 M4 10 H16 M4 15 H16",
        "pencil": "M4 16 L5 12 L13 4 L16 7 L8 15 Z M11.5 5.5 L14.5 8.5",
        "care": "M10 16 C4 12 3 9.5 3 7.2 A3.4 3.4 0 0 1 10 6 A3.4 3.4 0 0 1 17 7.2 C17 9.5 16 12 10 16 Z",
        "people": "M10 9 A3 3 0 1 0 10 3 A3 3 0 1 0 10 9 M4 17 C4 13.5 6.5 11.5 10 11.5 C13.5 11.5 16 13.5 16 17",
        "map": "M3 5 L8 3 L12 5 L17 3 V15 L12 17 L8 15 L3 17 Z M8 3 V15 M12 5 V17",
        "grid": "M3 3 H8 V8 H3 Z M12 3 H17 V8 H12 Z M3 12 H8 V17 H3 Z M12 12 H17 V17 H12 Z",
        "check": "M4 10 L8 14 L16 6",
        "chart": "M3 17 H17 M5 14 V9 M10 14 V5 M15 14 V11",
        "gear": "M10 7 A3 3 0 1 0 10 13 A3 3 0 1 0 10 7 M10 2 V5 M10 15 V18 M2 10 H5 M15 10 H18",
        "doc": "M5 2.5 H12 L15 5.5 V17.5 H5 Z M8 9 H12 M8 12 H12",
        "more": "M5 10 H5.1 M10 10 H10.1 M15 10 H15.1",
        "bell": "M5 14 V9 A5 5 0 0 1 15 9 V14 L16.5 15.5 H3.5 Z M8.5 17.5 H11.5",
    ]

    /// The icon as an SVG element (decorative: hidden from screen readers).
    static func svg(_ name: String) -> String {
        let d = paths[name] ?? paths["doc"] ?? ""
        let width = name == "more" ? "3" : "1.6"
        return #"<svg class="tab-icon" viewBox="0 0 20 20" width="22" height="22" aria-hidden="true" fill="none" "#
            + #"stroke="currentColor" stroke-width="\#(width)" stroke-linecap="round" stroke-linejoin="round">"#
            + #"<path d="\#(d)"/></svg>"#
    }
}
