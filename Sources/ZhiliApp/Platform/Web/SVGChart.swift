import Foundation

/// Small charts drawn on the server as inline SVG: no script, prints well, reads on a phone.
/// Shared by the statistics pages and (later) the big screen.
enum SVGChart {
    private static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Bars for counts with an optional line of percentages (0…1) on a right-hand 0–100 % scale.
    static func barsWithLine(
        _ bars: [(label: String, value: Int)], line: [Double?] = [], title: String,
        barName: String, lineName: String? = nil, width: Int = 720, height: Int = 240
    ) -> String {
        let left = 44.0
        let right = 44.0
        let top = 18.0
        let bottom = 34.0
        let w = Double(width) - left - right
        let h = Double(height) - top - bottom
        let maxValue = max(bars.map(\.value).max() ?? 0, 1)
        let step = bars.isEmpty ? w : w / Double(bars.count)
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(esc(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        s += "<title>\(esc(title))</title>"
        for i in 0...4 {
            let y = top + h - h * Double(i) / 4
            s += "<line x1=\"\(left)\" x2=\"\(left + w)\" y1=\"\(y)\" y2=\"\(y)\" class=\"grid\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" class=\"axis\">\(maxValue * i / 4)</text>"
            if !line.isEmpty { s += "<text x=\"\(left + w + 6)\" y=\"\(y + 4)\" class=\"axis\">\(i * 25)%</text>" }
        }
        for (i, bar) in bars.enumerated() {
            let bh = h * Double(bar.value) / Double(maxValue)
            let x = left + step * Double(i) + step * 0.18
            s +=
                "<rect x=\(q(x)) y=\(q(top + h - bh)) width=\(q(step * 0.64)) height=\(q(bh)) class=\"bar\"><title>\(esc(bar.label)) \(esc(barName)) \(bar.value)</title></rect>"
            s +=
                "<text x=\(q(left + step * (Double(i) + 0.5))) y=\(q(top + h + 16)) text-anchor=\"middle\" class=\"axis\">\(esc(bar.label))</text>"
        }
        let points = line.enumerated().compactMap { i, v in
            v.map { (left + step * (Double(i) + 0.5), top + h - h * $0) }
        }
        if points.count > 1 {
            s +=
                "<polyline class=\"line\" points=\"\(points.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " "))\"/>"
        }
        for (x, y) in points { s += "<circle cx=\(q(x)) cy=\(q(y)) r=\"3\" class=\"dot\"/>" }
        s +=
            "<g class=\"legend\"><rect x=\"\(left)\" y=\"2\" width=\"10\" height=\"10\" class=\"bar\"/><text x=\"\(left + 14)\" y=\"11\" class=\"axis\">\(esc(barName))</text>"
        if let lineName, !line.isEmpty {
            s +=
                "<line x1=\"\(left + 120)\" x2=\"\(left + 136)\" y1=\"7\" y2=\"7\" class=\"line\"/><text x=\"\(left + 140)\" y=\"11\" class=\"axis\">\(esc(lineName))</text>"
        }
        return s + "</g></svg>"
    }

    /// Horizontal bars, largest first, for ranked counts (themes, categories).
    static func horizontalBars(_ items: [(label: String, value: Int)], title: String, width: Int = 420) -> String {
        let rowHeight = 24.0
        let labelWidth = 96.0
        let height = Int(Double(items.count) * rowHeight + 8)
        let maxValue = max(items.map(\.value).max() ?? 0, 1)
        let w = Double(width) - labelWidth - 56
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(width) \(max(height, 20))\" role=\"img\" aria-label=\"\(esc(title))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(esc(title))</title>"
        for (i, item) in items.enumerated() {
            let y = 4 + Double(i) * rowHeight
            let bw = w * Double(item.value) / Double(maxValue)
            s +=
                "<text x=\(q(labelWidth - 6)) y=\(q(y + 15)) text-anchor=\"end\" class=\"axis\">\(esc(item.label))</text>"
            s += "<rect x=\(q(labelWidth)) y=\(q(y + 3)) width=\(q(max(bw, 1))) height=\"16\" class=\"bar\"/>"
            s += "<text x=\(q(labelWidth + bw + 6)) y=\(q(y + 15)) class=\"axis\">\(item.value)</text>"
        }
        return s + "</svg>"
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
    private static func q(_ v: Double) -> String { "\"\(fmt(v))\"" }
}
