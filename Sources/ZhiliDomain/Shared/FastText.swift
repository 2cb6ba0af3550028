/// String clean-up on the bulk paths (imports run it several times per cell). Foundation's
/// `trimmingCharacters(in:)` and `replacingOccurrences` go through NSString and UTF-16 on
/// Linux and took a sixth of an import's time; these stay in Swift's own UTF-8 strings.
extension StringProtocol {
    /// Without leading and trailing white space (Unicode White_Space: spaces of every width,
    /// the ideographic space U+3000, tabs and line breaks). Returns the same text when there is none.
    public var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !first.isSpace && !last.isSpace { return String(self) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].isSpace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].isSpace { end = scalars.index(before: end) }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    /// Each listed scalar replaced by its text ("" removes it), in one pass.
    public func replacingScalars(_ replacements: [Unicode.Scalar: String]) -> String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if let with = replacements[scalar] {
                out.append(contentsOf: with.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, written out: the general property lookup costs more
    /// than the rest of the trimming.
    @inline(__always) var isSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
