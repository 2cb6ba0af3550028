import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Runs Foundation's SAX `XMLParser` over one part of the package. Element and attribute names
/// are matched by local name (prefixes such as `x:` or `r:` are ignored), so files whose producer
/// chose other namespace prefixes read the same. DTDs are refused outright (OOXML never has
/// one), which rules out entity-expansion tricks.
class XMLPartParser: NSObject, XMLParserDelegate {
    /// The first error seen (from libxml2 or from a subclass via `fail`); parsing stops soon after.
    private(set) var failure: SheetError?
    private var part = ""
    private var depth = 0
    private var sawRoot = false

    final func run(_ data: Data, part: String) throws(SheetError) {
        self.part = part
        if Self.containsDoctype(data) {
            throw .malformedXLSX("\(part) contains a DTD, which OOXML does not allow")
        }
        // Foundation's XMLParser on Linux force-unwraps element and attribute names decoded as
        // UTF-8, and libxml2 in recovery mode can hand it invalid bytes: only well-formed UTF-8
        // without NUL may reach it. (Excel, WPS and LibreOffice write every part in UTF-8.)
        let isUTF8 = data.withUnsafeBytes { raw in
            !raw.contains(0) && String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) != nil
        }
        guard isUTF8 else { throw .malformedXLSX("\(part) is not UTF-8 text") }
        // A stream, not XMLParser(data:): with one big chunk, libxml2's push parser on Linux
        // fails past 10 MB ("huge input lookup"), and Excel writes each part as one long line.
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = self
        let ok = parser.parse()
        if let failure { throw failure }
        // Foundation on Linux recovers from some errors and still returns true, so check all three.
        if !ok || parser.parserError != nil {
            throw .malformedXLSX("bad XML in \(part) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        if !sawRoot || depth != 0 {
            throw .malformedXLSX("\(part) ends before its XML is complete")
        }
    }

    // Subclasses override these three; names arrive without namespace prefix.
    func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {}
    func end(_ parser: XMLParser, _ name: Substring) {}
    func text(_ string: String) {}

    final func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes: [String: String] = [:]
    ) {
        if failure != nil { return parser.abortParsing() }
        depth += 1
        sawRoot = true
        start(parser, Self.localName(elementName), attributes)
    }

    final func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        if failure != nil { return }
        depth -= 1
        end(parser, Self.localName(elementName))
    }

    final func parser(_ parser: XMLParser, foundCharacters string: String) {
        if failure == nil { text(string) }
    }

    final func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if failure == nil { text(String(decoding: CDATABlock, as: UTF8.self)) }
    }

    /// Only records the error. Calling abortParsing() from here crashes libxml2 2.9 (Debian 12)
    /// when the error is raised inside the XML declaration (e.g. encoding="UTF--8"): it frees the
    /// input buffer that the declaration parser then uses. The next element start aborts instead.
    final func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if failure == nil {
            failure = .malformedXLSX("bad XML in \(part) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
    }

    /// Stops parsing with `error`; call only from `start` or `end` (element callbacks), where
    /// stopping the parser is safe.
    final func fail(_ parser: XMLParser, _ error: SheetError) {
        if failure == nil { failure = error }
        parser.abortParsing()
    }

    static func localName(_ qualified: String) -> Substring {
        guard let colon = qualified.lastIndex(of: ":") else { return Substring(qualified) }
        return qualified[qualified.index(after: colon)...]
    }

    static func attribute(_ attributes: [String: String], _ name: String) -> String? {
        if let value = attributes[name] { return value }
        return attributes.first { localName($0.key) == name && $0.key.contains(":") }?.value
    }

    private static func containsDoctype(_ data: Data) -> Bool {
        let needle = Array("<!DOCTYPE".utf8)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let b = raw.bindMemory(to: UInt8.self)
            guard b.count >= needle.count else { return false }
            var k = 0
            while k <= b.count - needle.count {
                if b[k] == 0x3C, b[k + 1] == 0x21, b[k + 2] == 0x44 || b[k + 2] == 0x64 {
                    var match = true
                    for m in 2..<needle.count where b[k + m] != needle[m] && b[k + m] != needle[m] | 0x20 {
                        match = false
                        break
                    }
                    if match { return true }
                }
                k += 1
            }
            return false
        }
    }
}

/// `*.rels`: relationship id → (type, target resolved to a package path).
final class RelationshipsParser: XMLPartParser {
    private var result: [String: (type: String, target: String)] = [:]
    private var base = ""

    static func parse(_ data: Data, part: String, base: String) throws(SheetError) -> [String: (
        type: String, target: String
    )] {
        let p = RelationshipsParser()
        p.base = base
        try p.run(data, part: part)
        return p.result
    }

    override func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {
        guard name == "Relationship",
            let id = attributes["Id"], let target = attributes["Target"],
            attributes["TargetMode"] != "External"
        else { return }
        result[id] = (attributes["Type"] ?? "", Self.resolve(target, base: base))
    }

    /// Resolves a relationship target against the folder of the part that owns the .rels.
    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for piece in target.split(separator: "/") {
            if piece == ".." { if !parts.isEmpty { parts.removeLast() } } else if piece != "." { parts.append(piece) }
        }
        return parts.joined(separator: "/")
    }
}

/// `xl/workbook.xml`: the sheets in tab order.
final class WorkbookParser: XMLPartParser {
    private var sheets: [(relationshipID: String, visible: Bool)] = []
    /// `<workbookPr date1904="1"/>`: serial numbers count from 1904-01-01 (old Mac workbooks).
    private var date1904 = false

    static func parse(_ data: Data, part: String) throws(SheetError) -> [(relationshipID: String, visible: Bool)] {
        try parseWithDateSystem(data, part: part).sheets
    }

    static func parseWithDateSystem(_ data: Data, part: String) throws(SheetError)
        -> (sheets: [(relationshipID: String, visible: Bool)], date1904: Bool)
    {
        let p = WorkbookParser()
        try p.run(data, part: part)
        return (p.sheets, p.date1904)
    }

    override func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {
        if name == "workbookPr", let value = attributes["date1904"] {
            date1904 = value == "1" || value.lowercased() == "true"
        }
        guard name == "sheet", let id = Self.attribute(attributes, "id") else { return }
        let state = attributes["state"] ?? "visible"
        sheets.append((id, state == "visible"))
    }
}

/// `xl/sharedStrings.xml`: one string per `<si>`, the concatenation of its `<t>` texts (plain or
/// rich-text runs), leaving out phonetic guides (`<rPh>`).
final class SharedStringsParser: XMLPartParser {
    private var strings: [String] = []
    private var current = ""
    private var inText = false
    private var phoneticDepth = 0

    static func parse(_ data: Data, part: String) throws(SheetError) -> [String] {
        let p = SharedStringsParser()
        try p.run(data, part: part)
        return p.strings
    }

    override func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "rPh": phoneticDepth += 1
        case "t": inText = phoneticDepth == 0
        default: break
        }
    }

    override func end(_ parser: XMLParser, _ name: Substring) {
        switch name {
        case "si": strings.append(XLSXReader.decodeEscapes(current))
        case "rPh": phoneticDepth -= 1
        case "t": inText = false
        default: break
        }
    }

    override func text(_ string: String) {
        if inText { current += string }
    }
}
